import fs from 'node:fs';
import path from 'node:path';
import { GuesthouseError, sentenceOf } from '../../common/errors';
import { parseConfigText, type VmConfig } from '../../common/config';
import { isDiskFull, writeFileAtomic } from '../shared/atomicFile';
import { machinesDir } from '../shared/paths';
import { processAlive } from '../shared/processAlive';
import { m, type SentenceData } from '../../common/messages';
import { backupFile, brokenConfigFile, configFile, isGuesthouseFile, lockFile, logsDir } from '../shared/vmFolder';

export { processAlive };

export interface LibraryEntry {
  config: VmConfig;
  dir: string;
}

/** A VM folder whose vm.json cannot be read: listed as inaccessible, with the reason. */
export interface InaccessibleEntry {
  /** The uuid its file still spells, else the folder's name. */
  id: string;
  /** The folder's name (a VM's name is its folder's name). */
  name: string;
  dir: string;
  reason: SentenceData;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The uuid a broken config file still spells, if any. */
function rawUuid(text: string): string | null {
  try {
    const uuid = (JSON.parse(text) as { identity?: { uuid?: unknown } } | null)?.identity?.uuid;
    return typeof uuid === 'string' && UUID.test(uuid) ? uuid : null;
  } catch {
    return null;
  }
}

/** The config in `file`, or null where it cannot be read. */
export function readConfig(file: string): VmConfig | null {
  try {
    return parseConfigText(fs.readFileSync(file, 'utf8'), file);
  } catch {
    return null;
  }
}

/**
 * What makes two names the same VM: case aside, and Unicode normalization aside ("é" typed
 * as one code point or as e + accent looks the same, and some file systems store either).
 */
function nameKey(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

/** The VM library on disk: one folder per VM holding vm.json, its disks and logs. */
export class Library {
  readonly root: string;

  constructor(readonly home: string) {
    this.root = machinesDir(home);
  }

  /**
   * The library's index: each folder's vm.json as last read, by the file's identity (inode,
   * size, mtime). A write of our own replaces the file (a new inode), so does one by another
   * process (another service, the CLI, an editor that saves in place changes size or mtime):
   * a scan stats each file and parses only the ones that changed.
   */
  private readonly index = new Map<string, { stamp: string; entry: { config: VmConfig } | { reason: SentenceData; id: string } }>();

  /** Every VM folder with a vm.json: those whose config reads, and those whose config does not. */
  scan(): { entries: LibraryEntry[]; inaccessible: InaccessibleEntry[] } {
    const entries: LibraryEntry[] = [];
    const inaccessible: InaccessibleEntry[] = [];
    let names: string[];
    try {
      names = fs.readdirSync(this.root);
    } catch {
      this.index.clear();
      return { entries, inaccessible };
    }
    const seen = new Set<string>();
    for (const name of names.sort()) {
      const dir = path.join(this.root, name);
      const file = configFile(dir);
      let st: fs.Stats;
      try {
        st = fs.statSync(file);
      } catch {
        continue; // no vm.json: not a VM folder
      }
      seen.add(dir);
      const stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
      let known = this.index.get(dir);
      if (known?.stamp !== stamp) {
        known = { stamp, entry: this.read(dir, name, file) };
        this.index.set(dir, known);
      }
      // Callers get their own copy: what they change is not the index's.
      if ('config' in known.entry) entries.push({ config: structuredClone(known.entry.config), dir });
      else inaccessible.push({ id: known.entry.id, name, dir, reason: known.entry.reason });
    }
    for (const dir of this.index.keys()) if (!seen.has(dir)) this.index.delete(dir);
    return { entries, inaccessible };
  }

  /** One folder's vm.json, parsed, or why it cannot be. */
  protected read(dir: string, name: string, file: string): { config: VmConfig } | { reason: SentenceData; id: string } {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return { id: name, reason: m('config.unreadable', { source: file }) };
    }
    try {
      return { config: parseConfigText(text, file) };
    } catch (err) {
      const reason = err instanceof GuesthouseError ? sentenceOf(err) : m('config.unreadable', { source: file });
      // The id stays what it was where the file or its backup still says it (a GUI keeps it selected).
      return { id: rawUuid(text) ?? readConfig(backupFile(dir))?.identity.uuid ?? name, reason };
    }
  }

  /** Every VM whose config reads; unreadable ones are reported through `onProblem`. */
  list(onProblem?: (dir: string, message: string) => void): LibraryEntry[] {
    const { entries, inaccessible } = this.scan();
    for (const i of inaccessible) onProblem?.(i.dir, i.reason.message);
    return entries;
  }

  /** Finds a VM by uuid or name (case-insensitively), readable or not. */
  lookup(ref: string): LibraryEntry | InaccessibleEntry {
    const { entries, inaccessible } = this.scan();
    const lower = nameKey(ref);
    const hit =
      entries.find((e) => e.config.identity.uuid === ref) ??
      entries.find((e) => e.config.identity.name === ref) ??
      inaccessible.find((e) => e.id === ref || e.name === ref) ??
      entries.find((e) => nameKey(e.config.identity.name) === lower) ??
      inaccessible.find((e) => nameKey(e.name) === lower);
    if (!hit) throw new GuesthouseError('not-found', m('vm.notFound', { ref }));
    return hit;
  }

  /** Finds a VM by name (case-insensitively) or uuid; one whose config cannot be read is refused with the reason. */
  find(ref: string): LibraryEntry {
    const hit = this.lookup(ref);
    if ('reason' in hit) throw new GuesthouseError('invalid-state', m('vm.inaccessible', { name: hit.name, reason: hit.reason }));
    return hit;
  }

  /**
   * Puts back the config a VM had before it was last written, for a VM whose vm.json cannot be
   * read. The unreadable file is kept beside it (vm.json.broken-<time>), never overwritten.
   * Throws a sentence saying what to do where there is no usable backup.
   */
  restoreBackup(entry: InaccessibleEntry): LibraryEntry {
    const backup = backupFile(entry.dir);
    const file = configFile(entry.dir);
    const config = fs.existsSync(backup) ? readConfig(backup) : null;
    if (!config) throw new GuesthouseError('invalid-state', m('vm.noBackup', { name: entry.name, path: file }));
    fs.copyFileSync(file, brokenConfigFile(entry.dir, new Date()));
    // A rename saves the old config (old name) as the backup; the name is the folder's.
    const restored = config.identity.name === entry.name ? config : { ...config, identity: { ...config.identity, name: entry.name } };
    try {
      writeFileAtomic(file, restored === config ? fs.readFileSync(backup) : JSON.stringify(restored, null, 2) + '\n');
    } catch (err) {
      if (isDiskFull(err)) throw new GuesthouseError('invalid-state', m('library.diskFull', { name: entry.name }));
      throw err;
    }
    return { config: restored, dir: entry.dir };
  }

  assertNameFree(name: string, exceptUuid?: string): void {
    const { entries, inaccessible } = this.scan();
    const lower = nameKey(name);
    const clash =
      entries.some((e) => nameKey(e.config.identity.name) === lower && e.config.identity.uuid !== exceptUuid) ||
      inaccessible.some((e) => nameKey(e.name) === lower);
    if (clash || (!exceptUuid && fs.existsSync(path.join(this.root, name)))) {
      throw new GuesthouseError('already-exists', m('vm.exists', { name }).about('name'));
    }
  }

  /** Makes the VM's folder and writes its config; the folder must not exist yet. */
  create(config: VmConfig): string {
    this.assertNameFree(config.identity.name);
    fs.mkdirSync(this.root, { recursive: true });
    const dir = path.join(this.root, config.identity.name);
    fs.mkdirSync(dir);
    fs.mkdirSync(logsDir(dir));
    try {
      this.writeConfig(dir, config);
    } catch (err) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    return dir;
  }

  /**
   * Writes the VM's config (its settings; the machine state is the engine's, see saveVm); the
   * one it replaces, if it reads, becomes the backup (vm.json.bak).
   */
  writeConfig(dir: string, config: VmConfig): void {
    const file = configFile(dir);
    try {
      if (fs.existsSync(file) && readConfig(file)) writeFileAtomic(backupFile(dir), fs.readFileSync(file));
      writeFileAtomic(file, JSON.stringify(config, null, 2) + '\n');
    } catch (err) {
      if (isDiskFull(err)) throw new GuesthouseError('invalid-state', m('library.diskFull', { name: config.identity.name }));
      throw err;
    }
  }

  /** Renames the VM's folder to its new name (its config is the caller's to write next); returns the new folder. */
  rename(dir: string, name: string): string {
    const target = path.join(this.root, name);
    if (target !== dir) fs.renameSync(dir, target);
    return target;
  }

  /**
   * Deletes a VM: its config, logs and saved state, and unless `keepDisks` the disks it has
   * in its folder. Anything else there (a disk taken off the VM, the user's own files) and
   * every file outside the folder stays; the folder goes once it is empty.
   */
  delete(entry: LibraryEntry | InaccessibleEntry, keepDisks: boolean): void {
    const { dir } = entry;
    // An inaccessible VM's disks are those its backup names; without one they stay.
    const config = 'config' in entry ? entry.config : readConfig(backupFile(dir));
    fs.rmSync(configFile(dir));
    const disks = new Set(keepDisks ? [] : (config?.disks ?? []).map((d) => path.relative(dir, path.resolve(dir, d.path))));
    for (const name of fs.readdirSync(dir)) {
      if (disks.has(name) || isGuesthouseFile(name)) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    }
    if (fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
  }

  /**
   * Takes the lock that stops two services from running this VM. A lock left by a
   * process that no longer exists is taken over. The returned function lets it go; after
   * a rename, say where the folder went.
   */
  lock(dir: string, name: string): (movedTo?: string) => void {
    const file = lockFile(dir);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
        return (movedTo?: string) => {
          const held = movedTo ? lockFile(movedTo) : file;
          try {
            if (fs.readFileSync(held, 'utf8') === String(process.pid)) fs.rmSync(held);
          } catch {
            // already gone
          }
        };
      } catch (err) {
        if (isDiskFull(err)) {
          // The lock file was made but its pid not written: take it away again.
          fs.rmSync(file, { force: true });
          throw new GuesthouseError('invalid-state', m('library.diskFull', { name }));
        }
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const owner = this.lockOwner(dir);
        if (owner && owner !== process.pid) throw new GuesthouseError('locked', m('vm.locked', { name, pid: owner }));
        fs.rmSync(file, { force: true });
      }
    }
    throw new GuesthouseError('locked', m('vm.lockFailed', { name }));
  }

  /**
   * Passes the VM's lock, which this process holds or which `pid` holds already, to `pid`: a
   * guest host that outlives this process (the headless service's), so that while no service
   * is there nobody else runs or changes its VM. The returned function lets it go.
   */
  handOver(dir: string, pid: number, write = true): () => void {
    const file = lockFile(dir);
    try {
      if (write) writeFileAtomic(file, String(pid));
    } catch {
      // A full disk: this process's lock stays, as with a guest that does not outlive it.
      return () => undefined;
    }
    return () => {
      try {
        if (fs.readFileSync(file, 'utf8') === String(pid)) fs.rmSync(file);
      } catch {
        // already gone
      }
    };
  }

  /** The live process, other than this one, whose lock is on the VM's folder (it runs the VM), if any. */
  lockOwner(dir: string): number | null {
    let owner: number;
    try {
      owner = Number(fs.readFileSync(lockFile(dir), 'utf8'));
    } catch {
      return null;
    }
    return owner && owner !== process.pid && processAlive(owner) ? owner : null;
  }

  /**
   * Holds the VM's lock while its files are changed or deleted, so that no process changes
   * a VM another one runs, and none starts it meanwhile. A lock this process holds already
   * (it runs the VM; the caller's state check refuses that) is left as it is.
   */
  guard(dir: string, name: string): (movedTo?: string) => void {
    const owner = this.lockOwner(dir);
    if (owner) throw new GuesthouseError('locked', m('vm.lockedElsewhere', { name, pid: owner }));
    if (fs.existsSync(lockFile(dir)) && Number(fs.readFileSync(lockFile(dir), 'utf8')) === process.pid) return () => undefined;
    try {
      return this.lock(dir, name);
    } catch (err) {
      // Another process took it between the look and the lock.
      const taker = this.lockOwner(dir);
      if (taker) throw new GuesthouseError('locked', m('vm.lockedElsewhere', { name, pid: taker }));
      throw err;
    }
  }
}
