import type net from 'node:net';
import type { Transport } from '../common/rpc';

const MAX_LINE_BYTES = 32 * 1024 * 1024;

/** JSON with bytes: Uint8Array travels as {"$b64": "..."}. */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v) {
    const raw = this[key];
    if (raw instanceof Uint8Array) return { $b64: Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString('base64') };
    return v;
  });
}

export function decodeJson(text: string): unknown {
  return JSON.parse(text, (_key, v) => {
    if (v && typeof v === 'object' && typeof v.$b64 === 'string' && Object.keys(v).length === 1) {
      const b = Buffer.from(v.$b64, 'base64');
      return new Uint8Array(b.buffer, b.byteOffset, b.length);
    }
    return v;
  });
}

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
