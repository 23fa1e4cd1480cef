import path from 'node:path';
import { app, utilityProcess, type Details, type MessagePortMain } from 'electron';
import type { FromGuestHost } from '../../core/common/protocol';
import { exitFromGone, type GuestHostExit } from '../../core/node/service/hostExit';
import { guestHostEntry, guestHostExecArgv, LateBinding, type GuestHostSpawner } from '../../core/node/service/supervisor';

/** In a packaged app the guest host entry lives outside app.asar (asarUnpack). */
const entry = guestHostEntry.replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`);

/**
 * How long an exit with a non-zero code waits for `child-process-gone`, which says why: the
 * two events come in either order, and a clean exit has none.
 */
const GONE_GRACE_MS = 1000;

/** `child-process-gone` handlers of the guest hosts still running, by service name (one listener on app). */
const goneWatchers = new Map<string, (details: Details) => void>();
let watchingGone = false;

function watchGone(serviceName: string, handler: (details: Details) => void): () => void {
  if (!watchingGone) {
    watchingGone = true;
    app.on('child-process-gone', (_event, details) => {
      if (details.type === 'Utility' && details.name) goneWatchers.get(details.name)?.(details);
    });
  }
  goneWatchers.set(serviceName, handler);
  return () => goneWatchers.delete(serviceName);
}

let spawned = 0;

/** Electron's spawner: the same guest host entry, as a utilityProcess. */
export const utilitySpawner: GuestHostSpawner = (engine) => {
  // A name of its own (as VS Code's UtilityProcess does): child-process-gone names the process by it.
  const serviceName = `Guesthouse guest host ${++spawned}`;
  const child = utilityProcess.fork(entry, [], { serviceName, stdio: 'pipe', execArgv: guestHostExecArgv(engine) });
  const late = new LateBinding();
  child.stdout?.on('data', (c: Buffer) => late.write(c));
  child.stderr?.on('data', (c: Buffer) => late.write(c));
  child.on('message', (m: unknown) => late.message(m as FromGuestHost));
  // 'exit' has the exit code only; 'child-process-gone' says why (killed by which signal,
  // crashed, out of memory…), so a crashed guest's reason can say it.
  let exitCode: number | undefined;
  let gone: GuestHostExit | undefined;
  let grace: NodeJS.Timeout | undefined;
  const finish = () => {
    if (late.exited || exitCode === undefined) return;
    clearTimeout(grace);
    unwatch();
    late.exit(gone ?? { code: exitCode, signal: null });
  };
  const unwatch = watchGone(serviceName, (details) => {
    gone = exitFromGone(details);
    finish();
  });
  child.once('exit', (code: number) => {
    exitCode = code;
    if (gone || code === 0) finish();
    else grace = setTimeout(finish, GONE_GRACE_MS);
  });
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
