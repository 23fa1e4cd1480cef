import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { IVmService } from '../common/api';
import { GuesthouseError } from '../common/errors';
import type { ClientMessage, ServerMessage } from '../common/rpc';
import { connectService } from '../common/rpc';
import { serviceSocketPath } from './paths';
import { socketTransport } from './socketTransport';
import { m } from '../common/messages';

export type ServiceClient = IVmService & { close(): void };

function tryConnect(socketPath: string): Promise<net.Socket | null> {
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    socket.once('connect', () => resolve(socket));
    socket.once('error', () => resolve(null));
  });
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
  return connectService(socketTransport<ServerMessage, ClientMessage>(socket));
}
