/** JSON with bytes, for text transports: a Uint8Array travels as {"$b64": "..."}. */

/** Node's Buffer where there is one (fast); plain btoa/atob in a browser. */
interface NodeBuffer {
  from(data: ArrayBufferLike, offset: number, length: number): { toString(enc: 'base64'): string };
  from(text: string, enc: 'base64'): { buffer: ArrayBufferLike; byteOffset: number; length: number };
}
const NodeBufferClass = (globalThis as { Buffer?: NodeBuffer }).Buffer;

function toBase64(bytes: Uint8Array): string {
  if (NodeBufferClass) return NodeBufferClass.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64');
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  if (NodeBufferClass) {
    const b = NodeBufferClass.from(text, 'base64');
    return new Uint8Array(b.buffer, b.byteOffset, b.length);
  }
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function encodeJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v) {
    const raw = this[key];
    return raw instanceof Uint8Array ? { $b64: toBase64(raw) } : v;
  });
}

export function decodeJson(text: string): unknown {
  return JSON.parse(text, (_key, v) => {
    if (v && typeof v === 'object' && typeof v.$b64 === 'string' && Object.keys(v).length === 1) return fromBase64(v.$b64);
    return v;
  });
}
