import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GuesthouseError } from '../../common/errors';
import { m } from '../../common/messages';

const run = promisify(execFile);

/** Creates a new disk image with qemu-img (qcow2 grows on demand; raw is sparse). */
export async function createDiskImage(qemuImg: string, file: string, format: 'qcow2' | 'raw', sizeBytes: number): Promise<void> {
  try {
    await run(qemuImg, ['create', '-q', '-f', format, file, String(sizeBytes)], { timeout: 60_000 });
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? '').trim().split('\n').pop();
    throw new GuesthouseError('engine-failed', m('qemu.imgFailed', { detail: stderr || (err as Error).message }).about('disk'));
  }
}
