import type net from 'node:net';
import type { Transport } from '../../common/rpc';
import { decodeJson, encodeJson } from '../../common/wire';
import { readLines, writeLine } from './lines';

/** Newline-delimited JSON messages on a stream socket. */
export function socketTransport<In, Out>(socket: net.Socket): Transport<In, Out> {
  const handlers: ((m: In) => void)[] = [];
  readLines(socket, (line) => {
    let msg: unknown;
    try {
      msg = decodeJson(line);
    } catch {
      msg = { malformed: true };
    }
    for (const h of handlers) h(msg as In);
  });
  socket.on('error', () => undefined);
  return {
    send: (m) => writeLine(socket, encodeJson(m)),
    onMessage: (h) => handlers.push(h),
    onClose: (h) => socket.once('close', h),
    close: () => socket.end(),
  };
}
