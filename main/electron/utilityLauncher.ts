import fs from 'node:fs';
import path from 'node:path';
import { utilityProcess, type MessagePortMain } from 'electron';
import type { FromGuestHost } from '../../core/common/protocol';
import { guestHostEntry, guestHostExecArgv, type GuestHostLauncher } from '../../core/node/supervisor';

/** In a packaged app the guest host entry lives outside app.asar (asarUnpack). */
const entry = guestHostEntry.replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`);

/** Electron's launcher: the same guest host entry, as a utilityProcess. */
export const utilityLauncher: GuestHostLauncher = ({ name, logFile, engine }, callbacks) => {
  const child = utilityProcess.fork(entry, [], { serviceName: `Guesthouse guest ${name}`, stdio: 'pipe', execArgv: guestHostExecArgv(engine) });
  const log = fs.createWriteStream(logFile, { flags: 'a' });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  child.on('message', (m: unknown) => callbacks.onMessage(m as FromGuestHost));
  child.once('exit', (code: number) => {
    log.end();
    callbacks.onExit({ code, signal: null });
  });
  return {
    get pid() {
      return child.pid;
    },
    send: (m) => child.postMessage(m),
    sendWithPort: (m, port) => child.postMessage(m, [port as MessagePortMain]),
    kill: () => void child.kill(),
  };
};
