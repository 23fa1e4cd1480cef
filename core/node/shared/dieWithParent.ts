// A child that must not outlive this process (a guest's QEMU, the accelerator probe's QEMU).
import fs from 'node:fs';

const SETPRIV = '/usr/bin/setpriv';

/**
 * The command and argv that run `binary args` so that it dies with this process: on Linux
 * through util-linux's setpriv, which sets the parent-death signal to KILL and then execs the
 * binary (same pid, same exit code). Elsewhere (and on a Linux without setpriv) the binary
 * itself, and the caller kills it when this process exits (see killOnExit).
 */
export function dieWithParent(binary: string, args: readonly string[], platform = process.platform): [string, string[]] {
  return platform === 'linux' && fs.existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'KILL', '--', binary, ...args]] : [binary, [...args]];
}

/**
 * Kills `child` when this process exits normally or is interrupted (where the kernel does not
 * do it for us); the hook goes once the child has ended. A SIGKILL of this process is covered
 * only by dieWithParent on Linux.
 */
export function killOnExit(child: { pid?: number | undefined; kill(signal?: NodeJS.Signals): boolean; once(event: 'exit', l: () => void): unknown }): void {
  const kill = (): void => void child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
}
