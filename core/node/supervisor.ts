import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { FromGuestHost, ToGuestHost } from '../common/protocol';

/** How a guest host process ended, from the outside. */
export interface GuestHostExit {
  code: number | null;
  signal: string | null;
}

/** A running guest host process, whatever started it. */
export interface GuestHostProcess {
  readonly pid: number | undefined;
  send(message: ToGuestHost): void;
  /** Where the launcher can transfer MessagePorts (Electron): send a message with a port. */
  sendWithPort?(message: ToGuestHost, port: unknown): void;
  kill(): void;
}

export interface GuestHostCallbacks {
  onMessage(message: FromGuestHost): void;
  /** Called once, after every message the process sent has been delivered. */
  onExit(exit: GuestHostExit): void;
}

/** Starts guest host processes: child_process.fork here, utilityProcess.fork in Electron. */
export type GuestHostLauncher = (options: { name: string; logFile: string; engine: 'qemu' | 'v86' }, callbacks: GuestHostCallbacks) => GuestHostProcess;

/**
 * Node flags for a guest host. v86 runs in the guest host itself: Liftoff-only
 * WebAssembly compilation halves its memory and CPU with no slower boot. A QEMU guest
 * host only moves bytes: V8's lite mode (no optimizing compiler) saves ~5 MiB a guest.
 */
export function guestHostExecArgv(engine: 'qemu' | 'v86'): string[] {
  return engine === 'v86' ? ['--liftoff-only'] : ['--lite-mode'];
}

/**
 * The guest host entry file, next to this module once compiled. Tests load the
 * TypeScript sources; the guest host they fork is always the compiled one (npm run build).
 */
export const guestHostEntry = __filename.endsWith('.ts')
  ? path.resolve(__dirname, '..', '..', 'out', 'core', 'node', 'guestHost', 'main.js')
  : path.join(__dirname, 'guestHost', 'main.js');

/** Node's launcher: fork the guest host entry with structured-clone IPC. */
export const forkLauncher: GuestHostLauncher = ({ logFile, engine }, callbacks) => {
  const log = fs.openSync(logFile, 'a');
  const child = fork(guestHostEntry, [], {
    serialization: 'advanced',
    stdio: ['ignore', log, log, 'ipc'],
    execArgv: guestHostExecArgv(engine),
  });
  fs.closeSync(log);
  child.on('message', (m) => callbacks.onMessage(m as FromGuestHost));
  child.on('error', () => undefined);
  // 'close' comes after the IPC channel has drained, unlike 'exit'.
  child.once('close', (code, signal) => callbacks.onExit({ code, signal }));
  return {
    pid: child.pid,
    send: (m) => {
      if (child.connected) child.send(m);
    },
    kill: () => child.kill('SIGKILL'),
  };
};
