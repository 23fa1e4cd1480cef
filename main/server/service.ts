import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { ServerMessage } from '../../core/common/rpc';
import { serveConnection } from '../../core/common/rpcServer';
import { libraryHome, runtimeDir, serviceSocketPath } from '../../core/node/shared/paths';
import { socketTransport } from '../../core/node/transport/socketTransport';
import { serviceAnswers } from '../../core/node/transport/serviceClient';
import type { GuestHostSpawner } from '../../core/node/service/supervisor';
import { processAlive } from '../../core/node/shared/processAlive';
import { VmService } from '../../core/node/service/vmService';
import { HostedService } from '../../core/node/libvirt/hostedService';
import type { IVmService } from '../../core/common/api';
import { m } from '../../core/common/messages';

export interface ServiceOptions {
  home?: string;
  /** Exit after this long with no guests and no clients; 0 never. */
  idleExitMs?: number;
  /** How guest hosts are started (utilityProcess in Electron); child_process.fork by default. */
  spawner?: GuestHostSpawner;
  log?: (line: string) => void;
  /**
   * The headless service's guests outlive it (an unexpected death; a stop still powers them
   * off), and it takes over those an earlier one left running. Not with a spawner of its own.
   */
  survivable?: boolean;
}

export interface RunningService {
  service: VmService;
  /** What front ends get: the library's service plus the libvirt hosts (refs `HOST:VM`). */
  api: IVmService;
  socketPath: string;
  close(): Promise<void>;
}

/**
 * Takes the library's service lock: this process's pid in the runtime folder, which is
 * named by the library's real path, so a library reached through a symlink has the same
 * lock. A lock whose process is gone is taken over. Null when a live service holds it.
 */
function takeServiceLock(home: string): (() => void) | null {
  const file = path.join(runtimeDir(home), 'service.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 });
      return () => {
        try {
          if (fs.readFileSync(file, 'utf8') === String(process.pid)) fs.rmSync(file);
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let owner = 0;
      try {
        owner = Number(fs.readFileSync(file, 'utf8'));
      } catch {
        // let go meanwhile: try again
      }
      if (owner && owner !== process.pid && processAlive(owner)) return null;
      fs.rmSync(file, { force: true });
    }
  }
  return null;
}

/**
 * The headless service: one per user and library, owning the running guests and
 * serving IVmService on a local socket (unix socket, or a named pipe on Windows).
 */
export async function startService(options: ServiceOptions = {}): Promise<RunningService> {
  const home = options.home ?? libraryHome();
  const log = options.log ?? (() => undefined);
  const socketPath = serviceSocketPath(home);
  fs.mkdirSync(runtimeDir(home), { recursive: true, mode: 0o700 });
  const unlock = takeServiceLock(home);
  if (!unlock) throw new Error(m('service.running', { home }).message);
  if (await serviceAnswers(socketPath)) {
    unlock();
    throw new Error(m('service.running', { home }).message);
  }
  if (process.platform !== 'win32') fs.rmSync(socketPath, { force: true });

  const service = new VmService({
    home,
    spareGuestHosts: true,
    log,
    ...(options.spawner ? { spawner: options.spawner } : {}),
    ...(options.survivable ? { survivable: true } : {}),
  });
  const hosted = new HostedService(service, { home, log });
  const reattached = await service.reattach();
  if (reattached) log(`took over ${reattached} running guest(s) from an earlier service`);
  const sockets = new Set<net.Socket>();
  let idleTimer: NodeJS.Timeout | undefined;
  let onIdle: () => void = () => undefined;
  const idleExitMs = options.idleExitMs ?? 0;
  const checkIdle = () => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = undefined;
    if (idleExitMs > 0 && sockets.size === 0 && service.runningCount === 0) idleTimer = setTimeout(() => onIdle(), idleExitMs);
  };

  const server = net.createServer((socket) => {
    sockets.add(socket);
    checkIdle();
    socket.once('close', () => {
      sockets.delete(socket);
      checkIdle();
    });
    serveConnection(hosted.service, socketTransport<unknown, ServerMessage>(socket));
  });
  service.onDidChangeState((e) => {
    log(`${e.name}: ${e.state}${e.reason ? ` (${e.reason.message})` : ''}`);
    // Let the 'gone' bookkeeping run before counting running guests.
    setImmediate(checkIdle);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
  } catch (err) {
    unlock();
    hosted.close();
    await service.close();
    throw err;
  }
  if (process.platform !== 'win32') fs.chmodSync(socketPath, 0o600);
  fs.writeFileSync(path.join(runtimeDir(home), 'service.pid'), String(process.pid));
  log(`listening on ${socketPath} for ${home}`);

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      if (idleTimer) clearTimeout(idleTimer);
      server.close();
      for (const s of sockets) s.destroy();
      hosted.close();
      await service.close();
      if (process.platform !== 'win32') fs.rmSync(socketPath, { force: true });
      fs.rmSync(path.join(runtimeDir(home), 'service.pid'), { force: true });
      unlock();
    })());
  onIdle = () => {
    log('idle: no guests and no clients; exiting');
    void close().then(() => process.exit(0));
  };
  checkIdle();
  return { service, api: hosted.service, socketPath, close };
}
