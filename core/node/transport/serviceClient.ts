import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { serviceMethods, type Disposable, type IVmService, type ProgressEvent, type ServiceMethod, type StateChangeEvent } from '../../common/api';
import { GuesthouseError } from '../../common/errors';
import type { ClientMessage, ServerMessage } from '../../common/rpc';
import { connectService } from '../../common/rpc';
import { serviceSocketPath } from '../shared/paths';
import { socketTransport } from './socketTransport';
import { m } from '../../common/messages';

export type ServiceClient = IVmService & {
  close(): void;
  /** Resolves when the connection to the service ends (the service stopped, or `close`). */
  readonly closed: Promise<void>;
};

/** A connection to whatever listens on the socket, or null where nothing does. */
function tryConnect(socketPath: string): Promise<net.Socket | null> {
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    socket.once('connect', () => resolve(socket));
    socket.once('error', () => resolve(null));
  });
}

/** True when a service already answers on the socket. */
export async function serviceAnswers(socketPath: string): Promise<boolean> {
  const socket = await tryConnect(socketPath);
  socket?.destroy();
  return socket !== null;
}

/** Starts the headless service (`entry`) in the background and waits until it says it is ready. */
function launchService(home: string, entry: string): Promise<void> {
  fs.mkdirSync(home, { recursive: true });
  const log = fs.openSync(path.join(home, 'service.log'), 'a');
  const child = spawn(process.execPath, [entry], {
    detached: true,
    stdio: ['ignore', 'pipe', log],
    env: { ...process.env, GUESTHOUSE_HOME: home },
  });
  fs.closeSync(log);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => finish(new GuesthouseError('service-unavailable', m('service.noStart', { log: path.join(home, 'service.log') }))), 20_000);
    const finish = (err?: Error) => {
      clearTimeout(timer);
      child.stdout!.destroy();
      child.unref();
      if (err) reject(err);
      else resolve();
    };
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      out += d;
      if (out.includes('ready\n')) finish();
    });
    // Exiting without "ready" usually means another CLI started one first.
    child.once('exit', () => finish());
  });
}

/**
 * Connects to the service for `home`. With `autostart` (the service's entry file),
 * starts one in the background first when none answers, as VBoxManage starts VBoxSVC.
 */
export async function connectToService(home: string, autostart: string | false): Promise<ServiceClient | null> {
  const socketPath = serviceSocketPath(home);
  let socket = await tryConnect(socketPath);
  if (!socket && autostart) {
    await launchService(home, autostart);
    socket = await tryConnect(socketPath);
    if (!socket) throw new GuesthouseError('service-unavailable', m('service.unreachable', { log: path.join(home, 'service.log') }));
  }
  if (!socket) return null;
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return Object.assign(connectService(socketTransport<ServerMessage, ClientMessage>(socket)), { closed });
}

/**
 * A client that outlives the service's restarts (`guesthouse serve`): once the connection
 * ends, `onLost` is told (what was attached over it is gone), and the next call connects
 * again, starting a service first where `autostart` says so. Event listeners stay
 * registered across connections.
 */
export function reconnectingClient(home: string, autostart: string | false, first: ServiceClient, onLost: () => void): ServiceClient {
  let live: ServiceClient | null = null;
  let connecting: Promise<ServiceClient> | null = null;
  let closedByUs = false;
  let endAll!: () => void;
  const closed = new Promise<void>((resolve) => (endAll = resolve));
  const stateListeners = new Set<(e: StateChangeEvent) => void>();
  const vmsListeners = new Set<() => void>();
  const progressListeners = new Set<(e: ProgressEvent) => void>();
  const adopt = (c: ServiceClient) => {
    live = c;
    c.onDidChangeState((e) => stateListeners.forEach((l) => l(e)));
    c.onDidChangeVms(() => vmsListeners.forEach((l) => l()));
    c.onDidProgress((e) => progressListeners.forEach((l) => l(e)));
    void c.closed.then(() => {
      if (live !== c) return;
      live = null;
      if (!closedByUs) onLost();
    });
    return c;
  };
  adopt(first);
  const client = (): Promise<ServiceClient> => {
    if (closedByUs) return Promise.reject(new GuesthouseError('service-unavailable', m('rpc.closed')));
    if (live) return Promise.resolve(live);
    connecting ??= connectToService(home, autostart).then(
      (c) => {
        connecting = null;
        if (!c) throw new GuesthouseError('service-unavailable', m('service.unreachable', { log: path.join(home, 'service.log') }));
        if (closedByUs) {
          c.close();
          throw new GuesthouseError('service-unavailable', m('rpc.closed'));
        }
        // A list of VMs seen before the service went may be stale: say it changed.
        vmsListeners.forEach((l) => l());
        return adopt(c);
      },
      (err: unknown) => {
        connecting = null;
        throw err;
      },
    );
    return connecting;
  };
  const forward =
    (method: ServiceMethod) =>
    async (...params: unknown[]) =>
      ((await client()) as unknown as Record<string, (...p: unknown[]) => Promise<unknown>>)[method]!(...params);
  const proxy = Object.fromEntries(serviceMethods.map((name) => [name, forward(name)])) as unknown as IVmService;
  return Object.assign(proxy, {
    attachConsole: async (...args: Parameters<IVmService['attachConsole']>) => (await client()).attachConsole(...args),
    openDisplay: async (...args: Parameters<IVmService['openDisplay']>) => (await client()).openDisplay(...args),
    onDidChangeState(listener: (e: StateChangeEvent) => void): Disposable {
      stateListeners.add(listener);
      if (!live) void client().catch(() => undefined);
      return { dispose: () => stateListeners.delete(listener) };
    },
    onDidChangeVms(listener: () => void): Disposable {
      vmsListeners.add(listener);
      if (!live) void client().catch(() => undefined);
      return { dispose: () => vmsListeners.delete(listener) };
    },
    onDidProgress(listener: (e: ProgressEvent) => void): Disposable {
      progressListeners.add(listener);
      if (!live) void client().catch(() => undefined);
      return { dispose: () => progressListeners.delete(listener) };
    },
    close: () => {
      closedByUs = true;
      live?.close();
      live = null;
      endAll();
    },
    closed,
  });
}
