import fs from 'node:fs';
import path from 'node:path';
import { GuesthouseError } from '../common/errors';
import { parseConfigText, type VmConfig } from '../common/config';
import { writeFileAtomic } from './atomicFile';
import { machinesDir } from './paths';
import { processAlive } from './processAlive';
import { m } from '../common/messages';
import { UEFI_VARS_FILE } from './qemu/uefi';

export { processAlive };

export const CONFIG_FILE = 'vm.json';
const LOCK_FILE = '.guesthouse.lock';

export interface LibraryEntry {
  config: VmConfig;
  dir: string;
}

/** The VM library on disk: one folder per VM holding vm.json, its disks and logs. */
export class Library {
  readonly root: string;

  constructor(readonly home: string) {
    this.root = machinesDir(home);
  }

  /** Every VM whose config reads; unreadable ones are reported through `onProblem`. */
  list(onProblem?: (dir: string, message: string) => void): LibraryEntry[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.root);
    } catch {
      return [];
    }
    const entries: LibraryEntry[] = [];
    for (const name of names.sort()) {
      const dir = path.join(this.root, name);
      const file = path.join(dir, CONFIG_FILE);
      if (!fs.existsSync(file)) continue;
      try {
        entries.push({ config: parseConfigText(fs.readFileSync(file, 'utf8'), file), dir });
      } catch (err) {
        onProblem?.(dir, err instanceof Error ? err.message : String(err));
      }
    }
    return entries;
  }

  /** Finds a VM by name (case-insensitively) or uuid. */
  find(ref: string): LibraryEntry {
    const all = this.list();
    const hit =
      all.find((e) => e.config.identity.uuid === ref) ??
      all.find((e) => e.config.identity.name === ref) ??
      all.find((e) => e.config.identity.name.toLowerCase() === ref.toLowerCase());
    if (!hit) throw new GuesthouseError('not-found', m('vm.notFound', { ref }));
    return hit;
  }

  assertNameFree(name: string, exceptUuid?: string): void {
    const clash = this.list().find((e) => e.config.identity.name.toLowerCase() === name.toLowerCase() && e.config.identity.uuid !== exceptUuid);
    if (clash || (!exceptUuid && fs.existsSync(path.join(this.root, name)))) {
      throw new GuesthouseError('already-exists', m('vm.exists', { name }));
    }
  }

  /** Makes the VM's folder and writes its config; the folder must not exist yet. */
  create(config: VmConfig): string {
    this.assertNameFree(config.identity.name);
    fs.mkdirSync(this.root, { recursive: true });
    const dir = path.join(this.root, config.identity.name);
    fs.mkdirSync(dir);
    fs.mkdirSync(path.join(dir, 'logs'));
    try {
      this.save(dir, config);
    } catch (err) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    return dir;
  }

  save(dir: string, config: VmConfig): void {
    writeFileAtomic(path.join(dir, CONFIG_FILE), JSON.stringify(config, null, 2) + '\n');
  }

  /** Renames the VM's folder along with its name; returns the new folder. */
  rename(dir: string, config: VmConfig): string {
    const target = path.join(this.root, config.identity.name);
    if (target !== dir) fs.renameSync(dir, target);
    this.save(target, config);
    return target;
  }

  /**
   * Deletes a VM: its config, logs and saved state, and unless `keepDisks` the disks it has
   * in its folder. Anything else there (a disk taken off the VM, the user's own files) and
   * every file outside the folder stays; the folder goes once it is empty.
   */
  delete(entry: LibraryEntry, keepDisks: boolean): void {
    const { dir, config } = entry;
    fs.rmSync(path.join(dir, CONFIG_FILE));
    const doomed = new Set(['logs', 'state', LOCK_FILE, UEFI_VARS_FILE]);
    if (!keepDisks) for (const d of config.disks) doomed.add(path.relative(dir, path.resolve(dir, d.path)));
    for (const name of fs.readdirSync(dir)) {
      // Leftover temp files of its atomic writes (.vm.json.<pid>.tmp) are Guesthouse's too.
      if (doomed.has(name) || /^\.(vm\.json|uefi-vars\.fd)\.\d+\.tmp$/.test(name)) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    }
    if (fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
  }

  /**
   * Takes the lock that stops two services from running this VM. A lock left by a
   * process that no longer exists is taken over.
   */
  lock(dir: string, name: string): () => void {
    const file = path.join(dir, LOCK_FILE);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
        return () => {
          try {
            if (fs.readFileSync(file, 'utf8') === String(process.pid)) fs.rmSync(file);
          } catch {
            // already gone
          }
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const owner = Number(fs.readFileSync(file, 'utf8'));
        if (owner && owner !== process.pid && processAlive(owner)) {
          throw new GuesthouseError('locked', m('vm.locked', { name, pid: owner }));
        }
        fs.rmSync(file, { force: true });
      }
    }
    throw new GuesthouseError('locked', m('vm.lockFailed', { name }));
  }
}
