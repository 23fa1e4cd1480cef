/**
 * Entry of the headless service (`guesthouse service`), started in the background by
 * the CLI when none is running. Prints "ready" on stdout once it listens.
 */
import { startService } from './service';

const foreground = process.argv.includes('--foreground');
// Started by the CLI, the service goes away when idle (as VBoxSVC does); in the foreground it stays.
const idleSeconds = foreground ? 0 : Number(process.env.GUESTHOUSE_SERVICE_IDLE_S ?? 300);
const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);

startService({ idleExitMs: Number.isFinite(idleSeconds) ? idleSeconds * 1000 : 300_000, log }).then(
  (running) => {
    process.title = 'guesthouse-service';
    process.stdout.write(
      foreground
        ? `The Guesthouse service for ${running.service.library.home} is running. In another terminal: npm run --silent guesthouse -- help\nCtrl-C stops it and powers off its guests.\n`
        : 'ready\n',
    );
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
