import path from 'node:path';
import { utilityProcess, type MessagePortMain } from 'electron';
import type { FromGuestHost } from '../../core/common/protocol';
import { guestHostEntry, guestHostExecArgv, LateBinding, type GuestHostSpawner } from '../../core/node/service/supervisor';

/** In a packaged app the guest host entry lives outside app.asar (asarUnpack). */
const entry = guestHostEntry.replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`);

/** Electron's spawner: the same guest host entry, as a utilityProcess. */
export const utilitySpawner: GuestHostSpawner = (engine) => {
  const child = utilityProcess.fork(entry, [], { serviceName: 'Guesthouse guest host', stdio: 'pipe', execArgv: guestHostExecArgv(engine) });
  const late = new LateBinding();
  child.stdout?.on('data', (c: Buffer) => late.write(c));
  child.stderr?.on('data', (c: Buffer) => late.write(c));
  child.on('message', (m: unknown) => late.message(m as FromGuestHost));
  // utilityProcess reports an exit code only; a kill shows as a non-zero code.
  child.once('exit', (code: number) => late.exit({ code, signal: null }));
  return {
    get alive() {
      return late.exited === undefined;
    },
    bind: ({ logFile }, callbacks) => {
      late.bind(logFile, callbacks);
      return {
        get pid() {
          return child.pid;
        },
        send: (m) => child.postMessage(m),
        sendWithPort: (m, port) => child.postMessage(m, [port as MessagePortMain]),
        kill: () => void child.kill(),
      };
    },
    kill: () => void child.kill(),
  };
};
