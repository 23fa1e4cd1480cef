/**
 * The parent channel of a guest host that outlives its service (the headless service's):
 * IPC to the service that started it, and once that is gone, a control socket in the
 * runtime folder (<uuid8>.gh, next to the screen's .rfb) where the next service reattaches.
 * On the socket the messages are the same as over IPC, as lines of JSON (bytes in base64).
 * While no parent is connected the guest runs on: its console goes to console.log and the
 * ring buffer as always, and flow control is released (nobody is behind); what would have
 * been sent is dropped (a parent that comes back asks with 'hello').
 */
import fs from 'node:fs';
import net from 'node:net';
import { encodeJson } from '../../common/wire';
import { socketTransport } from '../transport/socketTransport';
import { guestHostSocket, logFile } from '../shared/vmFolder';
import type { BootSpec, FromGuestHost, ToGuestHost } from '../../common/protocol';
import type { ParentChannel } from './guestHost';

export function survivableChannel(): ParentChannel {
  let handler: ((m: ToGuestHost) => void) | undefined;
  let onNoGuest: (() => void) | undefined;
  let spec: BootSpec | undefined;
  let socket: net.Socket | undefined;
  let last: Promise<void> = Promise.resolve();
  // The service's end of stdout and stderr goes with it: a write there must not end this process.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);

  const deliver = (message: ToGuestHost) => {
    if (message.type === 'boot' && !spec) {
      spec = message.spec;
      listen(spec);
    }
    handler?.(message);
  };

  const listen = (boot: BootSpec) => {
    const file = guestHostSocket(boot.runtimeDir, boot.config.identity.uuid);
    fs.rmSync(file, { force: true });
    const server = net.createServer((conn) => {
      // One parent at a time.
      if (socket || process.connected) return conn.destroy();
      socket = conn;
      // A line that is not JSON comes as { malformed: true }, with no type: passed over.
      socketTransport<ToGuestHost, FromGuestHost>(conn).onMessage((message) => {
        if (typeof (message as { type?: unknown }).type === 'string') deliver(message);
      });
      conn.once('close', () => {
        if (socket !== conn) return;
        socket = undefined;
        parentGone();
      });
    });
    server.on('error', (err) => process.stderr.write(`The control socket ${file} failed: ${err.message}\n`));
    server.listen(file, () => {
      try {
        fs.chmodSync(file, 0o600);
      } catch {
        // the runtime folder is private (0700) anyway
      }
    });
    process.on('exit', () => fs.rmSync(file, { force: true }));
  };

  const parentGone = () => {
    if (!spec) return onNoGuest?.();
    // Nobody reads the console now: let the guest write on (console.log and the ring keep it).
    handler?.({ type: 'flow', paused: false });
    // From now on this process's own output goes to guesthost.log itself.
    const ownLog = logFile(spec.vmDir, 'guesthost');
    const toLog = (chunk: string | Uint8Array, ...rest: unknown[]) => {
      try {
        fs.appendFileSync(ownLog, chunk);
      } catch {
        // a full disk: the line is lost
      }
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    };
    process.stdout.write = toLog as typeof process.stdout.write;
    process.stderr.write = toLog as typeof process.stderr.write;
    // For whoever reads the log (and the tests): the guest host saw its service go and runs on.
    toLog(
      `${new Date().toISOString()} the service is gone; the guest runs on until a service reattaches at ${guestHostSocket(spec.runtimeDir, spec.config.identity.uuid)}\n`,
    );
  };

  return {
    send: (m: FromGuestHost) => {
      if (socket) {
        const conn = socket;
        last = new Promise((resolve) => conn.write(`${encodeJson(m)}\n`, () => resolve()));
      } else if (process.connected) {
        last = new Promise((resolve) => process.send!(m, undefined, {}, () => resolve()));
      }
    },
    flush: () => last,
    onMessage: (h) => {
      handler = h;
      process.on('message', (m) => deliver(m as ToGuestHost));
    },
    onDisconnect: (h) => {
      onNoGuest = h;
      process.on('disconnect', parentGone);
    },
  };
}
