import type net from 'node:net';
import type { Transport } from '../../common/rpc';
import { decodeJson, encodeJson } from '../../common/wire';

const MAX_LINE_BYTES = 32 * 1024 * 1024;

/** Newline-delimited JSON messages on a stream socket. */
export function socketTransport<In, Out>(socket: net.Socket): Transport<In, Out> {
  const handlers: ((m: In) => void)[] = [];
  // The parts of a line not yet ended. Only each new chunk is searched for the newline:
  // searching the whole pending text at every chunk made a 20 MB line take half a minute.
  let parts: string[] = [];
  let pending = 0;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    let start = 0;
    let nl: number;
    while ((nl = chunk.indexOf('\n', start)) >= 0) {
      parts.push(chunk.slice(start, nl));
      const line = parts.join('');
      parts = [];
      pending = 0;
      start = nl + 1;
      if (!line.trim()) continue;
      let msg: unknown;
      try {
        msg = decodeJson(line);
      } catch {
        msg = { malformed: true };
      }
      for (const h of handlers) h(msg as In);
    }
    if (start < chunk.length) {
      parts.push(chunk.slice(start));
      pending += chunk.length - start;
    }
    if (pending > MAX_LINE_BYTES) socket.destroy();
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
