import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Duplex } from 'node:stream';
import type { ConsolePort } from '../../common/protocol';

/**
 * The guest host's side of the screen: one RFB endpoint for both engines. Viewers connect
 * to a unix socket in the VM's private runtime folder (the web host, the CLI) or come
 * over a MessagePort (the Electron renderer); each stream is handed to the engine, which
 * bridges it to QEMU's own VNC socket or serves it from v86's screen.
 */
export class DisplayServer {
  private readonly streams = new Set<Duplex>();

  private constructor(
    private readonly server: net.Server,
    readonly socketPath: string,
    private readonly open: (stream: Duplex) => void,
  ) {
    server.on('connection', (socket) => this.add(socket));
  }

  /** Listens on `socketPath` (replacing a stale socket file of an earlier run). */
  static async listen(socketPath: string, open: (stream: Duplex) => void): Promise<DisplayServer> {
    fs.mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o700 });
    fs.rmSync(socketPath, { force: true });
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // The folder is private (0700); the socket need not be more open than its owner.
    fs.chmodSync(socketPath, 0o600);
    return new DisplayServer(server, socketPath, open);
  }

  /** A viewer on a MessagePort (Electron): its bytes arrive as { type: 'data' }, ours leave as { type: 'data' }, then { type: 'closed' }. */
  attachPort(port: ConsolePort): void {
    let open = true;
    const stream = new Duplex({
      read: () => undefined,
      write: (chunk: Buffer, _encoding, done) => {
        if (open) port.post({ type: 'data', data: new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length) });
        done();
      },
      final: (done) => {
        if (open) port.post({ type: 'closed' });
        done();
      },
      destroy: (err, done) => {
        if (open) port.close();
        open = false;
        done(err);
      },
    });
    // The renderer's side (main/preload) sends { type: 'data' } and { type: 'close' }.
    port.onMessage((message) => {
      const msg = message as { type: string; data?: Uint8Array };
      if ((msg.type === 'data' || msg.type === 'input') && msg.data instanceof Uint8Array) stream.push(Buffer.from(msg.data));
      else if (msg.type === 'close') stream.destroy();
    });
    port.onClose(() => {
      open = false;
      stream.destroy();
    });
    this.add(stream);
  }

  private add(stream: Duplex): void {
    this.streams.add(stream);
    stream.on('error', () => stream.destroy());
    stream.once('close', () => this.streams.delete(stream));
    try {
      this.open(stream);
    } catch {
      stream.destroy();
    }
  }

  /** How many viewers are connected now. */
  get viewers(): number {
    return this.streams.size;
  }

  close(): void {
    this.server.close();
    for (const s of this.streams) s.destroy();
    fs.rmSync(this.socketPath, { force: true });
  }
}
