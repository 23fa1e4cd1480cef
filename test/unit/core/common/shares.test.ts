// Shared folders as data: tags, the default tag, a change's sentences, the mount command, the
// refusal of machine state, and config version 4 → 5 (no shares, in the config and each snapshot's settings).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText, vmConfigSchema } from '../../../../core/common/config';
import { applyShareChanges, defaultShareTag, mountCommand, sharesBlockMachineState, shareTagSchema } from '../../../../core/common/shares';
import { shareProblems } from '../../../../core/node/service/preflight';
import { sampleConfig } from '../../../support/sampleConfig';

const resolve = (p: string) => path.resolve('/base', p);

describe('shared folders', () => {
  it('a tag is 1 to 31 safe characters, beginning with a letter or digit', () => {
    for (const good of ['src', 'a', 'my-data_1.2', 'x'.repeat(31)]) expect(shareTagSchema.safeParse(good).success, good).toBe(true);
    for (const bad of ['', '-a', '.a', 'a b', 'a,b', 'a=b', 'a/b', 'x'.repeat(32), 'ü']) expect(shareTagSchema.safeParse(bad).success, bad).toBe(false);
  });

  it("a folder's default tag is its name with unsafe characters as _", () => {
    expect(defaultShareTag('/home/me/src')).toBe('src');
    expect(defaultShareTag('/home/me/My Files/')).toBe('My_Files');
    expect(defaultShareTag('/home/me/.config')).toBe('config');
    expect(defaultShareTag('/')).toBe('share');
    expect(defaultShareTag(`/x/${'a'.repeat(40)}`)).toHaveLength(31);
  });

  it('a change removes by tag, then adds; a tag twice, an unknown tag and a ninth share are each one sentence', () => {
    const one = applyShareChanges([], [{ path: 'src' }, { path: '/d', tag: 'docs', readOnly: true }], undefined, resolve);
    expect(one).toEqual({
      shares: [
        { tag: 'src', path: '/base/src', readOnly: false },
        { tag: 'docs', path: '/d', readOnly: true },
      ],
      problems: [],
    });
    expect(applyShareChanges(one.shares, [{ path: '/other/src' }], undefined, resolve).problems.map(String)).toEqual([
      'Two shared folders have the mount tag src; give one another tag (--share PATH,tag=T).',
    ]);
    expect(applyShareChanges(one.shares, [{ path: '/other/src' }], ['src'], resolve)).toEqual({
      shares: [one.shares[1], { tag: 'src', path: '/other/src', readOnly: false }],
      problems: [],
    });
    expect(applyShareChanges(one.shares, undefined, ['nope'], resolve).problems.map(String)).toEqual(['No shared folder has the mount tag nope.']);
    const nine = Array.from({ length: 9 }, (_, i) => ({ path: `/f${i}` }));
    expect(applyShareChanges([], nine, undefined, resolve).problems.map(String)).toEqual(['A VM can share at most 8 folders.']);
  });

  it('the config refuses a tag twice', () => {
    const twice = { ...sampleConfig, shares: [0, 1].map((i) => ({ tag: 't', path: `/f${i}`, readOnly: false })) };
    expect(vmConfigSchema.safeParse(twice).success).toBe(false);
  });

  it('says the mount command, and refuses machine state for a VM with a share, naming it', () => {
    expect(mountCommand('src')).toBe('mount -t 9p -o trans=virtio,version=9p2000.L src /mnt');
    expect(sharesBlockMachineState([], 'web', 'snapshot')).toBeNull();
    const said = sharesBlockMachineState([{ tag: 'src', path: '/home/me/src', readOnly: false }], 'web', 'snapshot')!;
    expect(said.key).toBe('share.noLiveSnapshot');
    expect(String(said)).toContain('"web" shares the folder /home/me/src (tag src)');
    expect(String(said)).toContain('offline snapshot');
    expect(sharesBlockMachineState([{ tag: 'src', path: '/s', readOnly: true }], 'web', 'save')!.key).toBe('share.noSave');
  });

  it('on the host: a missing folder and a file are one sentence each; Windows refuses any share', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-share-'));
    try {
      const file = path.join(dir, 'f.txt');
      fs.writeFileSync(file, 'x');
      const shares = [
        { tag: 'a', path: dir, readOnly: false },
        { tag: 'b', path: path.join(dir, 'missing'), readOnly: false },
        { tag: 'c', path: file, readOnly: false },
      ];
      expect(shareProblems({ shares }, 'linux').map(String)).toEqual([
        `The folder ${path.join(dir, 'missing')} to share does not exist.`,
        `The path ${file} to share is not a folder.`,
      ]);
      expect(shareProblems({ shares: [shares[0]!] }, 'win32').map((s) => s.key)).toEqual(['share.windows']);
      expect(shareProblems({ shares: [] }, 'win32')).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('config version 4 → 5: shared folders', () => {
  it('a version-4 file gets no shares, and so does each snapshot kept settings', () => {
    const { shares: _s, ...v4 } = sampleConfig;
    const { version: _v, identity: _i, snapshots: _t, ...settings } = v4;
    const node = {
      id: 'gh-a',
      name: 'a',
      description: '',
      createdAt: '2026-12-01T00:00:00.000Z',
      parentId: null,
      kind: 'live',
      disks: ['web.qcow2'],
      vmstateDisk: 'web.qcow2',
      settings,
    };
    const doc = {
      ...v4,
      version: 4,
      snapshots: { currentId: 'gh-a', currentChanged: false, nodes: [node, { ...node, id: 'gh-b', name: 'b', parentId: 'gh-a', settings: null }] },
    };
    const config = parseConfigText(JSON.stringify(doc), 'vm.json');
    expect(config.version).toBe(5);
    expect(config.shares).toEqual([]);
    expect(config.snapshots.nodes[0]!.settings).toEqual({ ...settings, shares: [], version: 5 });
    expect(config.snapshots.nodes[1]!.settings).toBeNull();
  });
});
