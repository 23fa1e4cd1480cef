import crypto from 'node:crypto';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { DisplayEndpoint } from '../../common/api';
import { GuesthouseError } from '../../common/errors';
import { m, type Sentence } from '../../common/messages';

/**
 * A guest's screen for native VNC viewers (TigerVNC, Remmina, macOS Screen Sharing): a
 * listener on a loopback TCP port that asks each viewer for a one-time password with VNC
 * Authentication (RFB 3.8 §7.2.2), then joins it to the guest host's display socket,
 * which speaks RFB with security None, and passes the rest (ClientInit onward) through
 * unchanged both ways. Viewers speaking RFB 3.3, 3.7 and 3.8 are served. A viewer that
 * gives a wrong password is refused before the guest host is contacted.
 */

export interface VncProxyOptions {
  /** Opens a stream to the guest's screen, speaking RFB with security None (IVmService.openDisplay). */
  upstream: () => Promise<Duplex>;
  /** The TCP port on 127.0.0.1; 0 or absent: a free one. */
  port?: number;
  /** The password viewers must give (its first 8 characters count, as VNC's do); absent: a new random one. */
  password?: string;
  /** Told of each viewer that was let in, refused, or whose guest connection failed; for a log line. */
  onViewer?: (event: VncViewerEvent) => void;
}

export type VncViewerEvent =
  | { kind: 'connected'; remote: string }
  | { kind: 'refused'; remote: string; reason: string }
  | { kind: 'failed'; remote: string; reason: string }
  | { kind: 'closed'; remote: string };

export interface VncProxy extends DisplayEndpoint {
  /** Viewers past the handshake, connected to the guest now. */
  readonly viewers: number;
  /** Stops listening and closes every viewer's connection. */
  close(): Promise<void>;
}

/** Characters of generated passwords: letters and digits, without the look-alikes 0 O 1 l I. */
const PASSWORD_ALPHABET = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
/** VNC Authentication uses at most 8 bytes of a password: exactly that many, so none is lost. */
export const VNC_PASSWORD_LENGTH = 8;
/** How long a viewer or the guest host may take over its part of the handshake. */
const HANDSHAKE_MS = 30_000;
/** Handshakes under way at once; more connections are closed at once (against guessing in parallel). */
const MAX_PENDING = 8;
/** A wrong password is answered after this long (against guessing). */
const FAILURE_DELAY_MS = 500;
/** The longest failure reason read from the guest host. */
const MAX_REASON = 4096;

const SECURITY_NONE = 1;
const SECURITY_VNC_AUTH = 2;

/** A new one-time password: 8 characters from a 57-character alphabet (about 46 bits). */
export function newVncPassword(): string {
  let out = '';
  for (let i = 0; i < VNC_PASSWORD_LENGTH; i++) out += PASSWORD_ALPHABET[crypto.randomInt(PASSWORD_ALPHABET.length)];
  return out;
}

/** DES in ECB mode over whole 8-byte blocks, with a key of 8 bytes. */
type DesEncrypt = (key: Buffer, data: Buffer) => Buffer;

let desEncrypt: DesEncrypt | undefined;

/**
 * DES from Node's crypto (OpenSSL). OpenSSL 3 keeps single DES (des-ecb) in its legacy
 * provider, which Node does not load; two- and three-key triple DES with every key the
 * same is single DES (E_K(D_K(E_K(x))) = E_K(x), NIST SP 800-67 keying option 3), so
 * that stands in. Each candidate must pass a known-answer test (FIPS 81's example).
 */
function des(): DesEncrypt {
  if (desEncrypt) return desEncrypt;
  const candidates: [string, (key: Buffer) => Buffer][] = [
    ['des-ecb', (k) => k],
    ['des-ede-ecb', (k) => Buffer.concat([k, k])],
    ['des-ede3-ecb', (k) => Buffer.concat([k, k, k])],
  ];
  for (const [algorithm, widen] of candidates) {
    const encrypt: DesEncrypt = (key, data) => {
      const cipher = crypto.createCipheriv(algorithm, widen(key), null);
      cipher.setAutoPadding(false);
      return Buffer.concat([cipher.update(data), cipher.final()]);
    };
    try {
      const known = encrypt(Buffer.from('133457799bbcdff1', 'hex'), Buffer.from('0123456789abcdef', 'hex'));
      if (known.toString('hex') === '85e813540f0ab405') return (desEncrypt = encrypt);
    } catch {
      // not offered by this OpenSSL; try the next
    }
  }
  throw new GuesthouseError('engine-missing', m('vnc.noDes'));
}

/** Reverses the bits of a byte: VNC Authentication's DES key takes each password byte's bits in reverse order. */
function reverseBits(b: number): number {
  let r = 0;
  for (let i = 0; i < 8; i++) r |= ((b >> i) & 1) << (7 - i);
  return r;
}

/**
 * The answer to a VNC Authentication challenge: the 16-byte challenge DES-encrypted (ECB)
 * with the password as key (its first 8 bytes, padded with zeros, each byte's bits reversed).
 */
export function vncAuthResponse(password: string, challenge: Uint8Array): Buffer {
  const raw = Buffer.from(password, 'latin1');
  const key = Buffer.alloc(8);
  for (let i = 0; i < 8 && i < raw.length; i++) key[i] = reverseBits(raw[i]!);
  return des()(key, Buffer.from(challenge));
}

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
};

/** A failure with the sentence to hand on to the viewer. */
class HandshakeError extends Error {
  constructor(sentence: Sentence | GuesthouseError) {
    super(sentence.message);
  }
}

/**
 * Reads exact byte counts from a socket during a handshake; `detach` hands back what was
 * read ahead and leaves the socket paused, for piping.
 */
class Reader {
  private buf: Buffer = Buffer.alloc(0);
  private waiting: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | null = null;
  private ended: Error | null = null;
  private readonly onData = (d: Buffer): void => {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    this.settle();
  };
  private readonly onEnd = (): void => {
    this.ended ??= new Error('the connection closed during the handshake');
    this.settle();
  };

  constructor(private readonly socket: Duplex) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
  }

  read(n: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.waiting = { n, resolve, reject };
      this.settle();
    });
  }

  async readU32(): Promise<number> {
    return (await this.read(4)).readUInt32BE(0);
  }

  /** A length-prefixed string (RFB's reason strings). */
  async readString(): Promise<string> {
    const length = await this.readU32();
    if (length > MAX_REASON) throw new Error('an overlong reason string');
    return (await this.read(length)).toString('utf8');
  }

  private settle(): void {
    const w = this.waiting;
    if (!w) return;
    if (this.buf.length >= w.n) {
      this.waiting = null;
      const out = Buffer.from(this.buf.subarray(0, w.n));
      this.buf = this.buf.subarray(w.n);
      w.resolve(out);
    } else if (this.ended) {
      this.waiting = null;
      w.reject(this.ended);
    }
  }

  detach(): Buffer {
    this.socket.pause();
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    return this.buf;
  }
}

/** The minor version a peer's ProtocolVersion message settles on (3, 7 or 8), or null if it is not RFB 3.x. */
function minorVersion(message: Buffer): 3 | 7 | 8 | null {
  const match = /^RFB (\d{3})\.(\d{3})\n$/.exec(message.toString('latin1'));
  if (!match || Number(match[1]) !== 3) return null;
  const minor = Number(match[2]);
  return minor >= 8 ? 8 : minor === 7 ? 7 : 3;
}

/** Opens the guest's screen and does the client side of its handshake, up to SecurityResult. */
async function connectUpstream(open: () => Promise<Duplex>, sockets: Set<Duplex>): Promise<{ socket: Duplex; reader: Reader }> {
  let socket: Duplex;
  try {
    socket = await open();
  } catch (err) {
    // The service's refusal is a sentence already ("x is not running").
    throw new HandshakeError(err instanceof GuesthouseError ? err : m('vnc.unreachable', { detail: (err as Error).message }));
  }
  sockets.add(socket);
  socket.once('close', () => sockets.delete(socket));
  socket.on('error', () => undefined); // the reader sees the close
  const timer = setTimeout(() => socket.destroy(), HANDSHAKE_MS);
  const reader = new Reader(socket);
  try {
    const minor = minorVersion(await reader.read(12));
    if (minor === null) throw new HandshakeError(m('vnc.notRfb'));
    socket.write(`RFB 003.00${minor}\n`);
    if (minor === 3) {
      const type = await reader.readU32();
      if (type === 0) throw new HandshakeError(m('vnc.unreachable', { detail: await reader.readString() }));
      if (type !== SECURITY_NONE) throw new HandshakeError(m('vnc.noNone'));
    } else {
      const count = (await reader.read(1))[0]!;
      if (count === 0) throw new HandshakeError(m('vnc.unreachable', { detail: await reader.readString() }));
      if (!(await reader.read(count)).includes(SECURITY_NONE)) throw new HandshakeError(m('vnc.noNone'));
      socket.write(Buffer.from([SECURITY_NONE]));
      // RFB 3.7 sends no SecurityResult after None; 3.8 does.
      if (minor === 8 && (await reader.readU32()) !== 0) throw new HandshakeError(m('vnc.unreachable', { detail: await reader.readString().catch(() => '') }));
    }
    clearTimeout(timer);
    return { socket, reader };
  } catch (err) {
    clearTimeout(timer);
    socket.destroy();
    if (err instanceof HandshakeError) throw err;
    throw new HandshakeError(m('vnc.unreachable', { detail: (err as Error).message }));
  }
}

/**
 * Listens on 127.0.0.1 for VNC viewers of one guest's screen. Rejects with a sentence when
 * the port is taken; the password is returned with the port (the generated one if none was given).
 */
export async function startVncProxy(options: VncProxyOptions): Promise<VncProxy> {
  des(); // no DES: say so now rather than to each viewer
  const password = options.password ?? newVncPassword();
  const sockets = new Set<Duplex>();
  let pending = 0;
  let viewers = 0;
  let closing = false;
  const tell = (event: VncViewerEvent) => {
    try {
      options.onViewer?.(event);
    } catch {
      // a listener's failure is not the viewer's
    }
  };

  async function serve(viewer: net.Socket): Promise<void> {
    const remote = `${viewer.remoteAddress}:${viewer.remotePort}`;
    const reader = new Reader(viewer);
    viewer.setTimeout(HANDSHAKE_MS, () => viewer.destroy());
    let minor: 3 | 7 | 8 = 8;
    /** Sends a failed SecurityResult (with the reason where the viewer's version has one) and closes. */
    const refuse = (reason: string, kind: 'refused' | 'failed') => {
      tell({ kind, remote, reason });
      if (viewer.destroyed) return;
      viewer.end(minor === 8 ? Buffer.concat([u32(1), u32(Buffer.byteLength(reason)), Buffer.from(reason)]) : u32(1));
      setTimeout(() => viewer.destroy(), 2000).unref();
    };
    try {
      viewer.write('RFB 003.008\n');
      const version = minorVersion(await reader.read(12));
      if (version === null) return void viewer.destroy();
      minor = version;
      if (minor === 3) {
        viewer.write(u32(SECURITY_VNC_AUTH));
      } else {
        viewer.write(Buffer.from([1, SECURITY_VNC_AUTH]));
        if ((await reader.read(1))[0] !== SECURITY_VNC_AUTH) return refuse(m('vnc.needsPassword').message, 'refused');
      }
      const challenge = crypto.randomBytes(16);
      viewer.write(challenge);
      const response = await reader.read(16);
      if (!crypto.timingSafeEqual(response, vncAuthResponse(password, challenge))) {
        await new Promise((r) => setTimeout(r, FAILURE_DELAY_MS));
        return refuse(m('vnc.wrongPassword').message, 'refused');
      }
    } catch {
      // the viewer went away or said something that is not RFB
      return void viewer.destroy();
    }

    let upstream: Awaited<ReturnType<typeof connectUpstream>>;
    try {
      upstream = await connectUpstream(options.upstream, sockets);
    } catch (err) {
      return refuse(err instanceof HandshakeError ? err.message : String(err), 'failed');
    }
    if (viewer.destroyed || closing) return void upstream.socket.destroy();
    viewer.setTimeout(0);
    viewer.write(u32(0)); // SecurityResult OK (3.3 and 3.7 send it after VNC Authentication too)
    pipe(viewer, reader.detach(), upstream.socket, upstream.reader.detach(), remote);
  }

  function pipe(viewer: net.Socket, fromViewer: Buffer, guest: Duplex, fromGuest: Buffer, remote: string): void {
    viewers++;
    tell({ kind: 'connected', remote });
    let open = true;
    const end = () => {
      if (!open) return;
      open = false;
      viewers--;
      viewer.destroy();
      guest.destroy();
      tell({ kind: 'closed', remote });
    };
    viewer.once('close', end);
    guest.once('close', end);
    if (fromViewer.length) guest.write(fromViewer);
    if (fromGuest.length) viewer.write(fromGuest);
    viewer.pipe(guest);
    guest.pipe(viewer);
  }

  const server = net.createServer((viewer) => {
    if (closing || pending >= MAX_PENDING) return void viewer.destroy();
    sockets.add(viewer);
    viewer.once('close', () => sockets.delete(viewer));
    viewer.on('error', () => undefined); // the reader sees the close
    viewer.setNoDelay(true);
    pending++;
    let counted = true;
    const done = () => {
      if (!counted) return;
      counted = false;
      pending--;
    };
    viewer.once('close', done);
    void serve(viewer).finally(done);
  });

  const port = options.port ?? 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new GuesthouseError('invalid-input', m('vnc.portInUse', { port })) : err),
    );
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve());
  });
  server.on('error', () => undefined);
  const address = server.address() as net.AddressInfo;

  return {
    host: address.address,
    port: address.port,
    password,
    get viewers() {
      return viewers;
    },
    close() {
      closing = true;
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
