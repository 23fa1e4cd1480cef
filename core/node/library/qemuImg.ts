import { spawn } from 'node:child_process';
import { GuesthouseError } from '../../common/errors';
import { m, type MessageKey } from '../../common/messages';
import { lastStderrLine } from '../shared/stderrLine';

/**
 * The one way Guesthouse runs qemu-img: an argument array (absolute paths, so a file named
 * "-x" is never read as an option), and on failure qemu-img's reason as one sentence.
 */

/** What qemu-img said when it failed: its last meaningful line, without the program's name, ending in a full stop. */
export class QemuImgFailure extends Error {
  constructor(
    readonly detail: string,
    readonly locked: boolean,
  ) {
    super(detail);
  }
}

export interface QemuImgRunOptions {
  /** Each chunk qemu-img writes to stdout (progress lines of `convert -p`). */
  onStdout?: (chunk: string) => void;
  timeoutMs?: number;
}

/** Runs qemu-img with an argument array; its stdout, or a QemuImgFailure with its reason. */
export function runQemuImg(qemuImg: string, args: readonly string[], options: QemuImgRunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(qemuImg, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: options.timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      options.onStdout?.(chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (err) => reject(new QemuImgFailure(err.message, false)));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(stdout);
      const locked = /Failed to get ".*" lock/.test(stderr);
      const detail = lastStderrLine(stderr, (l) => /^Is another process/.test(l)) ?? `exited with ${signal ?? `code ${code}`}`;
      reject(new QemuImgFailure(detail.replace(/[.]?$/, '.'), locked));
    });
  });
}

/** Why a qemu-img run failed, in one sentence (qemu-img's own, or the error's message). */
export function qemuImgDetail(err: unknown): string {
  return err instanceof QemuImgFailure ? err.detail : (err as Error).message;
}

/** A failure as the user's sentence `key`: an image in use gets its own, naming the file. */
export function qemuImgError(err: unknown, key: MessageKey, file: string, params: Record<string, string> = {}): GuesthouseError {
  if (err instanceof GuesthouseError) return err;
  if (err instanceof QemuImgFailure && err.locked) return new GuesthouseError('locked', m('disk.openElsewhere', { path: file }));
  return new GuesthouseError('engine-failed', m(key, { path: file, detail: qemuImgDetail(err), ...params }));
}
