// The VM folder's layout: deleting a VM removes exactly what is Guesthouse's in its folder
// (named by vmFolder.ts) and the disks it has there, and leaves everything else.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { VmConfig } from '../../../../../core/common/config';
import { Library, type LibraryEntry } from '../../../../../core/node/library/library';
import { atomicTempFile, atomicTempTarget } from '../../../../../core/node/shared/atomicFile';
import {
  backupFile,
  brokenConfigFile,
  configFile,
  diskFileName,
  firstFreeDiskName,
  isGuesthouseFile,
  lockFile,
  logFile,
  stateFile,
  uefiVarsFile,
} from '../../../../../core/node/shared/vmFolder';

describe('a VM folder', () => {
  it('knows the temp files of its own atomic writes', () => {
    const file = configFile('/lib/machines/web');
    expect(atomicTempTarget(path.basename(atomicTempFile(file)))).toBe('vm.json');
    expect(isGuesthouseFile(path.basename(atomicTempFile(file)))).toBe(true);
    expect(isGuesthouseFile(path.basename(atomicTempFile(uefiVarsFile('/x'))))).toBe(true);
    // A temp-like name of a file that is not Guesthouse's stays the user's.
    expect(isGuesthouseFile('.notes.txt.12.tmp')).toBe(false);
    expect(isGuesthouseFile('.vm.json.x.tmp')).toBe(false);
    expect(isGuesthouseFile('vm.json.broken-')).toBe(false);
  });

  it("loses what is Guesthouse's on delete, and keeps the rest", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-folder-'));
    const dir = path.join(home, 'machines', 'web');
    fs.mkdirSync(path.dirname(logFile(dir, 'console')), { recursive: true });
    fs.mkdirSync(path.dirname(stateFile(dir, 'qemu')), { recursive: true });
    const ours = [
      configFile(dir),
      backupFile(dir),
      lockFile(dir),
      uefiVarsFile(dir),
      logFile(dir, 'console'),
      stateFile(dir, 'qemu'),
      brokenConfigFile(dir, new Date()),
      atomicTempFile(configFile(dir)),
      atomicTempFile(backupFile(dir)),
      path.join(dir, diskFileName('web', 'qcow2')),
    ];
    const theirs = ['notes.txt', '.notes.txt.12.tmp', diskFileName('web', 'qcow2', 2), 'detached.raw'];
    for (const f of ours) fs.writeFileSync(f, 'x');
    for (const f of theirs) fs.writeFileSync(path.join(dir, f), 'x');
    const config = { disks: [{ path: diskFileName('web', 'qcow2'), format: 'qcow2', owned: true }] } as unknown as VmConfig;
    const entry: LibraryEntry = { config, dir };

    new Library(home).delete(entry, false);

    expect(fs.readdirSync(dir).sort()).toEqual([...theirs].sort());
    expect(diskFileName('web', 'qcow2', 2)).toBe('web-2.qcow2');
  });

  it('names a new disk by the first number neither the config nor the folder has taken', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-disk-names-'));
    try {
      expect(firstFreeDiskName('web', 'qcow2', [])).toBe('web.qcow2');
      expect(firstFreeDiskName('web', 'qcow2', [{ path: 'web.qcow2' }, { path: 'web-2.qcow2' }])).toBe('web-3.qcow2');
      expect(firstFreeDiskName('web', 'raw', [{ path: 'web.qcow2' }])).toBe('web.raw');
      // A file already in the folder (a disk taken off the VM, the user's own) is not overwritten.
      fs.writeFileSync(path.join(dir, 'web.qcow2'), '');
      expect(firstFreeDiskName('web', 'qcow2', [], dir)).toBe('web-2.qcow2');
      // A disk the config names by its absolute path is taken too, before its file exists.
      expect(firstFreeDiskName('web', 'qcow2', [{ path: path.join(dir, 'web-2.qcow2') }], dir)).toBe('web-3.qcow2');
      expect(firstFreeDiskName('web', 'qcow2', [{ path: './web-2.qcow2' }], dir)).toBe('web-3.qcow2');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
