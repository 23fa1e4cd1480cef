/**
 * Entry of the headless service (`guesthouse service`), started in the background by
 * the CLI when none is running. Prints "ready" on stdout once it listens.
 */
import fs from 'node:fs';
import { startService } from './service';
import { m } from '../../core/common/messages';

const foreground = process.argv.includes('--foreground');
// Started by the CLI, the service goes away when idle (as VBoxSVC does); in the foreground it stays.
const idleSeconds = foreground ? 0 : Number(process.env.GUESTHOUSE_SERVICE_IDLE_S ?? 300);
// stderr is service.log in the library: on a full disk a line is lost, never the service
// (a failed write on process.stderr is an 'error' event, which would end the process).
process.stderr.on('error', () => undefined);
const log = (line: string) => {
  try {
    fs.writeSync(2, `${new Date().toISOString()} ${line}\n`);
  } catch {
    // the line is lost; the next one tries again
  }
};

startService({ idleExitMs: Number.isFinite(idleSeconds) ? idleSeconds * 1000 : 300_000, log, survivable: true }).then(
  (running) => {
    process.title = 'guesthouse-service';
    process.stdout.write(foreground ? `${m('server.running', { home: running.service.library.home })}\n${m('server.ctrlC')}\n` : 'ready\n');
    const stop = (signal: string) => {
      log(`${signal}: powering off guests and exiting`);
      void running.close().then(() => process.exit(0));
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => undefined);
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
