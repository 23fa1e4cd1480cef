import type net from 'node:net';
import type { Transport } from '../common/rpc';
import { decodeJson, encodeJson } from '../common/wire';

const MAX_LINE_BYTES = 32 * 1024 * 1024;

/** Newline-delimited JSON messages on a stream socket. */
export function socketTransport<In, Out>(socket: net.Socket): Transport<In, Out> {
  const handlers: ((m: In) => void)[] = [];
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    if (buffer.length > MAX_LINE_BYTES) {
      socket.destroy();
      return;
    }
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (!line.trim()) continue;
      let msg: unknown;
      try {
        msg = decodeJson(line);
      } catch {
        msg = { malformed: true };
      }
      for (const h of handlers) h(msg as In);
    }
  });
  socket.on('error', () => undefined);
  return {
    send: (m) => {
      if (!socket.destroyed) socket.write(encodeJson(m) + '\n');
    },
    onMessage: (h) => handlers.push(h),
    onClose: (h) => socket.once('close', h),
    close: () => socket.end(),
  };
}
