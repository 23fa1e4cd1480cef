// Saved state for QEMU (VirtualBox's "Save the machine state"): the machine goes out as a
// migration stream into a file, and comes back from it into a QEMU started with
// `-incoming defer`. Both go through a private unix socket of the guest host's.
import { pipeline } from 'node:stream/promises';
import { setTimeout as delay } from 'node:timers/promises';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { writeStreamAtomic } from '../../shared/atomicFile';
import { listenOnce } from './listenOnce';
import type { QmpClient } from './qmp';

/**
 * Migrates the (stopped) guest into `socketPath`, where this process listens, and the stream
 * to `file` (a temp file, fsync, rename): the file is replaced only once QEMU says the stream
 * was whole. Throws what went wrong (the disk's error or QEMU's words); the guest stays stopped.
 */
export async function saveMachineState(qmp: QmpClient, socketPath: string, file: string): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const listen = listenOnce(socketPath);
  try {
    // Uncapped: the guest is stopped, so this is one pass that should go as fast as the disk.
    await qmp.execute('migrate-set-parameters', { 'max-bandwidth': 2 ** 40 });
    await qmp.execute('migrate', { uri: `unix:${socketPath}` });
    const done = migration(qmp);
    // A migration that fails ends the wait for the stream; one that completes lets it finish.
    const failed = done.then((error) => (error ? Promise.reject(new Error(error)) : new Promise<never>(() => undefined)));
    failed.catch(() => undefined);
    const connection = await Promise.race([listen.connection, failed]);
    await writeStreamAtomic(file, async (out) => {
      await Promise.race([pipeline(connection, out), failed]);
      const error = await done;
      if (error) throw new Error(error);
    });
  } catch (err) {
    listen.server.close();
    throw err;
  } finally {
    fs.rmSync(socketPath, { force: true });
  }
}

/** Waits for the outgoing migration to end: null once completed, else what went wrong. */
async function migration(qmp: QmpClient): Promise<string | null> {
  for (;;) {
    const { status, 'error-desc': error } = await qmp.execute<{ status?: string; 'error-desc'?: string }>('query-migrate');
    if (status === 'completed') return null;
    if (status === 'failed' || status === 'cancelled') return error ?? status;
    await delay(20);
  }
}

/** Feeds the saved machine state in `stateFile` to a QEMU started with `-incoming defer`; the guest stays stopped. */
export async function restoreMachineState(qmp: QmpClient, socketPath: string, stateFile: string): Promise<void> {
  fs.rmSync(socketPath, { force: true });
  await qmp.execute('migrate-incoming', { uri: `unix:${socketPath}` });
  const connection = net.connect(socketPath);
  await new Promise<void>((resolve, reject) => connection.once('connect', resolve).once('error', reject));
  const source = fs.createReadStream(stateFile);
  try {
    // QEMU closes its end as soon as it has read the stream's end marker, so the socket's
    // own errors say nothing: QEMU's run state does ('inmigrate' until the machine is whole).
    connection.on('error', () => undefined);
    source.pipe(connection);
    for (;;) {
      const { status } = await qmp.execute<{ status: string }>('query-status');
      if (status !== 'inmigrate') break;
      await delay(20);
    }
  } finally {
    source.destroy();
    connection.destroy();
    fs.rmSync(socketPath, { force: true });
  }
}
