import { describe, expect, it } from 'vitest';
import { createVmRequestSchema } from '../../../../core/common/apiSchemas';
import {
  CONFIG_VERSION,
  firmwareProblems,
  hostProblems,
  migrateConfig,
  parseConfigText,
  parseOrThrow,
  parseSize,
  vmConfigSchema,
} from '../../../../core/common/config';
import { engineLimitProblems } from '../../../../core/common/capabilities';
import { sampleConfig } from '../../../support/sampleConfig';
import { GuesthouseError } from '../../../../core/common/errors';

const problemsOf = (input: unknown): string[] => {
  try {
    parseOrThrow(createVmRequestSchema, input, 'new VM');
  } catch (err) {
    return (err as GuesthouseError).problems.map((p) => p.message);
  }
  return [];
};

describe('VM config validation', () => {
  it.each([
    [{ name: '' }, 'The name must not be empty.'],
    [{ name: 'x'.repeat(65) }, 'The name must be at most 64 characters long.'],
    [{ name: 'a/b' }, 'The name must not contain / or \\.'],
    [{ name: 'a\\b' }, 'The name must not contain / or \\.'],
    [{ name: '..' }, 'The name must not contain "..".'],
    [{ name: 'ok', memoryMib: 0 }, 'Memory must be at least 16 MiB.'],
    [{ name: 'ok', memoryMib: -5 }, 'Memory must be at least 16 MiB.'],
    [{ name: 'ok', memoryMib: Number.NaN }, 'Memory must be a number of MiB.'],
    [{ name: 'ok', memoryMib: 1.5 }, 'Memory must be a whole number of MiB.'],
    [{ name: 'ok', cpus: 0 }, 'The CPU count must be a whole number of at least 1.'],
    [{ name: 'ok', engine: 'vmware' }, 'The engine must be one of auto, qemu, v86.'],
    [{ name: 'ok', colour: 'blue' }, 'Unknown setting: colour.'],
    [{ name: 'ok', firmware: 'efi' }, 'The firmware must be one of bios, uefi.'],
  ])('refuses %j with one sentence', (input, sentence) => {
    expect(problemsOf(input)).toEqual([sentence]);
  });

  it('gives one sentence per problem', () => {
    expect(problemsOf({ name: '', memoryMib: 0, cpus: 0 })).toEqual([
      'The name must not be empty.',
      'Memory must be at least 16 MiB.',
      'The CPU count must be a whole number of at least 1.',
    ]);
  });

  it('UEFI needs memory, and v86 boots BIOS only', () => {
    expect(firmwareProblems({ firmware: 'uefi', memoryMib: 255 }).map(String)).toEqual(['UEFI firmware needs at least 256 MiB of memory.']);
    expect(firmwareProblems({ firmware: 'uefi', memoryMib: 256 })).toEqual([]);
    expect(firmwareProblems({ firmware: 'bios', memoryMib: 16 })).toEqual([]);
    const x86 = { ...sampleConfig, identity: { ...sampleConfig.identity, osType: 'linux-x86' as const }, cpus: 1, disks: [] };
    expect(engineLimitProblems('v86', x86)).toEqual([]);
    expect(engineLimitProblems('v86', { ...x86, firmware: 'uefi' }).map(String)).toEqual([
      'The v86 engine boots with BIOS only; set the firmware to bios, or use QEMU.',
    ]);
    // One network card at most; cards attached to nothing do not count.
    const second = { ...sampleConfig.nics[0]!, id: 'net1', mac: '52:54:00:00:00:02' };
    expect(engineLimitProblems('v86', { ...x86, nics: [...x86.nics, { ...second, attachment: 'none' }] })).toEqual([]);
    expect(engineLimitProblems('v86', { ...x86, nics: [...x86.nics, second] }).map(String)).toEqual([
      'The v86 engine gives the guest at most one network card; attach the others to nothing, or use QEMU.',
    ]);
  });

  it('checks memory and CPUs against the host', () => {
    const host = { logicalCpus: 2, memoryTotalMib: 4096 };
    expect(hostProblems({ memoryMib: 4096, cpus: 2 }, host)).toEqual([]);
    expect(hostProblems({ memoryMib: 4097, cpus: 3 }, host).map(String)).toEqual([
      'Memory of 4097 MiB is more than this host has (4096 MiB).',
      '3 CPUs are more than this host has (2).',
    ]);
  });

  it('reads its own files back', () => {
    expect(parseConfigText(JSON.stringify(sampleConfig), 'vm.json')).toEqual(sampleConfig);
    expect(vmConfigSchema.safeParse(sampleConfig).success).toBe(true);
  });

  it('refuses files from a newer Guesthouse, and broken files, with a sentence', () => {
    expect(() => parseConfigText(JSON.stringify({ ...sampleConfig, version: CONFIG_VERSION + 1 }), 'vm.json')).toThrow(
      `vm.json was written by a newer Guesthouse (config version ${CONFIG_VERSION + 1}; this one reads up to ${CONFIG_VERSION}); update Guesthouse to open it.`,
    );
    expect(() => parseConfigText('{"version": 1,', 'vm.json')).toThrow('vm.json is not valid JSON.');
    expect(() => parseConfigText('[]', 'vm.json')).toThrow('vm.json does not hold a VM configuration.');
  });

  it('IDE holds three disks beside the CD-ROM drive; SATA more', () => {
    const disks = ['a', 'b', 'c', 'd'].map((n) => ({ path: `${n}.raw`, format: 'raw' as const, owned: true }));
    expect(firmwareProblems({ ...sampleConfig, diskBus: 'ide', disks }).map(String)).toEqual([
      'With the IDE disk bus a VM can have at most 3 hard disks (the CD-ROM drive takes the fourth place); choose SATA for more.',
    ]);
    expect(firmwareProblems({ ...sampleConfig, diskBus: 'sata', disks })).toEqual([]);
  });

  it('version 1 (no screen, virtio everything) becomes 2 with a VGA screen and a tablet, and keeps its virtio devices', () => {
    const { display, input, diskBus, nics, snapshots: _none, ...v1 } = sampleConfig;
    const text = JSON.stringify({ ...v1, version: 1, network: { mode: nics[0]!.attachment, forwards: nics[0]!.forwards } });
    const config = parseConfigText(text, 'vm.json');
    expect(config.version).toBe(CONFIG_VERSION);
    expect(config.display).toEqual({ adapter: 'vga' });
    expect(config.input).toEqual({ pointer: 'tablet' });
    expect(config.diskBus).toBe('virtio');
    // Then on to version 4: the one network card, still virtio, with a MAC of its own.
    expect(config.nics).toEqual([{ id: 'net0', mac: expect.stringMatching(/^52:54:00:/), model: 'virtio', attachment: 'nat', forwards: [] }]);
    expect({ display, input, diskBus }).toEqual({ display: { adapter: 'vga' }, input: { pointer: 'tablet' }, diskBus: 'virtio' });
  });

  it('version 2 becomes 3 with an empty snapshot tree; a broken tree is refused with its own sentence', () => {
    const { snapshots: _none, nics, ...rest } = sampleConfig;
    const nic = nics[0]!;
    const v2 = { ...rest, network: { mode: nic.attachment, model: nic.model, forwards: nic.forwards } };
    const config = parseConfigText(JSON.stringify({ ...v2, version: 2 }), 'vm.json');
    // (and 4, whose card gets a MAC of its own: what it is, configMigrations.test.ts says)
    expect(config).toEqual({ ...sampleConfig, nics: [{ ...nic, mac: config.nics[0]!.mac }] });
    expect(config.snapshots).toEqual({ currentId: null, currentChanged: false, nodes: [] });
    const broken = { ...sampleConfig, snapshots: { currentId: 'gh-nowhere', currentChanged: false, nodes: [] } };
    expect(() => parseConfigText(JSON.stringify(broken), 'vm.json')).toThrow('The current state hangs below a snapshot that is not in the list.');
  });

  it('migrates older versions step by step', () => {
    const table = {
      1: (old: Record<string, unknown>) => ({ ...old, memoryMib: old.memory, memory: undefined }),
      2: (old: Record<string, unknown>) => ({ ...old, cpus: old.cpus ?? 1 }),
    };
    expect(migrateConfig({ version: 1, memory: 256 }, 'vm.json', table, 3)).toEqual({ version: 3, memoryMib: 256, memory: undefined, cpus: 1 });
    expect(() => migrateConfig({ version: 1 }, 'vm.json', {}, 2)).toThrow('vm.json has config version 1, which this Guesthouse cannot upgrade.');
  });

  it('parses disk sizes', () => {
    expect(parseSize('8G')).toBe(8 * 2 ** 30);
    expect(parseSize('512M')).toBe(512 * 2 ** 20);
    expect(parseSize('1.5GiB')).toBe(1.5 * 2 ** 30);
    expect(() => parseSize('lots')).toThrow('"lots" is not a size; write it like 512M or 8G.');
    expect(() => parseSize('10K')).toThrow('A disk must be at least 1M (got 10K).');
  });
});
