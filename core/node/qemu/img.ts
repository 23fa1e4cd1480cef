import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GuesthouseError } from '../../common/errors';

const run = promisify(execFile);

/** Creates a new disk image with qemu-img (qcow2 grows on demand; raw is sparse). */
export async function createDiskImage(qemuImg: string, file: string, format: 'qcow2' | 'raw', sizeBytes: number): Promise<void> {
  try {
    await run(qemuImg, ['create', '-q', '-f', format, file, String(sizeBytes)], { timeout: 60_000 });
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? '').trim().split('\n').pop();
    throw new GuesthouseError('engine-failed', `qemu-img could not create the disk: ${stderr || (err as Error).message}`);
  }
}

/** Reads an image's format as qemu-img sees it, to catch a wrong --disk format early. */
export async function probeDiskFormat(qemuImg: string, file: string): Promise<string> {
  const { stdout } = await run(qemuImg, ['info', '--output=json', '-U', file], { timeout: 30_000 });
  return (JSON.parse(stdout) as { format: string }).format;
}
