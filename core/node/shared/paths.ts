import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The library folder: GUESTHOUSE_HOME, else each OS's place for application data. */
export function libraryHome(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.GUESTHOUSE_HOME) return path.resolve(env.GUESTHOUSE_HOME);
  const home = os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Guesthouse');
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Guesthouse');
  return path.join(env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'guesthouse');
}

export function machinesDir(home: string): string {
  return path.join(home, 'machines');
}

/**
 * The library's path with symlinks resolved, so one library reached by two paths is one
 * library (one service, one runtime folder). Where the folder does not exist yet, its
 * nearest existing parent is resolved and the rest appended: the path it will have.
 */
export function realHome(home: string): string {
  const abs = path.resolve(home);
  const rest: string[] = [];
  for (let dir = abs; ; dir = path.dirname(dir)) {
    try {
      return path.join(fs.realpathSync.native(dir), ...rest.reverse());
    } catch {
      if (path.dirname(dir) === dir) return abs;
      rest.push(path.basename(dir));
    }
  }
}

/**
 * A short private folder for sockets and pid files, one per library (by its real path).
 * Kept short because unix socket paths must stay under 108 bytes.
 */
export function runtimeDir(home: string): string {
  const tag = crypto.createHash('sha256').update(realHome(home)).digest('hex').slice(0, 10);
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'u';
  return path.join(os.tmpdir(), `gh-${uid}-${tag}`);
}

/** Where the service listens: a unix socket, or a named pipe on Windows. */
export function serviceSocketPath(home: string, platform = process.platform): string {
  if (platform === 'win32') {
    const tag = crypto.createHash('sha256').update(realHome(home)).digest('hex').slice(0, 10);
    return `\\\\.\\pipe\\guesthouse-${tag}`;
  }
  return path.join(runtimeDir(home), 'service.sock');
}

/** Each OS's place for caches Guesthouse can always rebuild (the accelerator probe's result). */
export function cacheHome(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.GUESTHOUSE_CACHE_DIR) return path.resolve(env.GUESTHOUSE_CACHE_DIR);
  const home = os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', 'Guesthouse');
  if (platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'Guesthouse', 'Cache');
  return path.join(env.XDG_CACHE_HOME ?? path.join(home, '.cache'), 'guesthouse');
}
