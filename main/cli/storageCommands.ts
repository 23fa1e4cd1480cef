/**
 * The commands for snapshots, clones, disks and the CD drive: entries of the one command table
 * (commands.ts spreads them in). Each checks its words and flags before anything connects, and
 * long operations show their progress on stderr.
 */
import path from 'node:path';
import type { IVmService, ProgressEvent } from '../../core/common/api';
import { diskFormats } from '../../core/common/config';
import { m } from '../../core/common/messages';
import { parseSize } from '../../core/common/size';
import type { ServiceClient } from '../../core/node/transport/serviceClient';
import { choices, UsageError, words } from './args';
import type { Command } from './command';
import { out, printDisks, printMedia, printSnapshots } from './print';

const json = { json: { type: 'boolean' } } as const;

/**
 * Shows a long operation's progress on stderr while `work` runs: on a terminal one line,
 * rewritten in place; otherwise a line per step.
 */
export async function withProgress<T>(client: IVmService, vm: string, work: () => Promise<T>): Promise<T> {
  const id = (await client.getVm(vm)).id;
  const tty = process.stderr.isTTY === true;
  let last = '';
  let open = false;
  const show = (e: ProgressEvent) => {
    // A failure's last event is not shown: the command says why itself.
    if (e.id !== id) return;
    if (e.done && e.step.key === 'progress.failed') {
      if (open) process.stderr.write('\r\x1b[K');
      open = false;
      return;
    }
    const text = `${e.step.message}${e.percent !== null && !e.done ? ` ${Math.floor(e.percent)}%` : ''}`;
    if (tty) {
      process.stderr.write(`\r${text}\x1b[K${e.done ? '\n' : ''}`);
      open = !e.done;
    } else if (e.step.message !== last) {
      process.stderr.write(`${text}\n`);
    }
    last = e.step.message;
  };
  const sub = client.onDidProgress(show);
  try {
    return await work();
  } finally {
    sub.dispose();
    if (open) process.stderr.write('\n');
  }
}

const print = (asJson: unknown, value: unknown, text: () => void) => (asJson ? out(JSON.stringify(value ?? {}, null, 2)) : text());

const snapshotOptions = { ...json, description: { type: 'string' }, 'take-current': { type: 'string' } } as const;
const diskOptions = { ...json, format: { type: 'string' } } as const;

export const storageCommands: Command[] = [
  {
    name: 'snapshot',
    usage: [
      ['snapshot NAME list [--json]', 'the snapshot tree, with the current state (* current state)'],
      ['snapshot NAME take SNAP [--description TEXT]', 'take a snapshot: live (memory too) while running or paused,\nthe disks while stopped'],
      [
        'snapshot NAME revert SNAP [--take-current NEW]',
        'go back to a snapshot (--take-current first keeps the current state\nas snapshot NEW); a live snapshot of a stopped VM starts it',
      ],
      ['snapshot NAME delete SNAP', 'delete a snapshot (its children keep their content; the current\nstate stays)'],
    ],
    options: snapshotOptions,
    positionals: (argv) => words(argv, snapshotOptions).length,
    service: true,
    prepare: ({ values: v, args }) => {
      const [vm, sub, snap, ...rest] = args;
      const wants = { list: 0, take: 1, revert: 1, delete: 1 } as const;
      if (!vm || !sub || !(sub in wants)) throw new UsageError(m('cli.snapshotWhat'));
      if ((snap === undefined ? 0 : 1) + rest.length !== wants[sub as keyof typeof wants])
        throw new UsageError(m(sub === 'list' ? 'cli.snapshotListAlone' : 'cli.snapshotWhich', { sub }));
      if (v.description !== undefined && sub !== 'take') throw new UsageError(m('cli.optionFor', { option: '--description', sub: 'take' }));
      if (v['take-current'] !== undefined && sub !== 'revert') throw new UsageError(m('cli.optionFor', { option: '--take-current', sub: 'revert' }));
      return async (client: ServiceClient) => {
        if (sub === 'list') {
          const list = await client.listSnapshots(vm);
          print(v.json, list, () => printSnapshots(vm, list));
        } else if (sub === 'take') {
          const taken = await withProgress(client, vm, () =>
            client.takeSnapshot(vm, { name: snap!, ...(typeof v.description === 'string' ? { description: v.description } : {}) }),
          );
          print(v.json, taken, () => out(m('cli.snapshotTaken', { name: vm, snapshot: taken.name, kind: taken.kind })));
        } else if (sub === 'revert') {
          const takeCurrentAs = typeof v['take-current'] === 'string' ? v['take-current'] : undefined;
          await withProgress(client, vm, () => client.revertSnapshot(vm, snap!, takeCurrentAs !== undefined ? { takeCurrentAs } : undefined));
          print(v.json, {}, () => out(m('cli.snapshotReverted', { name: vm, snapshot: snap! })));
        } else {
          await withProgress(client, vm, () => client.deleteSnapshot(vm, snap!));
          print(v.json, {}, () => out(m('cli.snapshotDeleted', { name: vm, snapshot: snap! })));
        }
        return 0;
      };
    },
  },
  {
    name: 'clone',
    usage: [
      [
        'clone NAME NEW [--linked --snapshot SNAP] [--keep-snapshots]',
        'a new VM from NAME: every disk copied (as at --snapshot SNAP, or now;\n--keep-snapshots keeps the tree), or --linked on snapshot SNAP',
      ],
    ],
    options: { ...json, linked: { type: 'boolean' }, snapshot: { type: 'string' }, 'keep-snapshots': { type: 'boolean' } },
    positionals: 2,
    service: true,
    prepare: ({ values: v, args: [vm, name] }) => {
      if (v.linked && typeof v.snapshot !== 'string') throw new UsageError(m('clone.linkedNeedsSnapshot'));
      return async (client: ServiceClient) => {
        const clone = await withProgress(client, vm!, () =>
          client.cloneVm(vm!, {
            name: name!,
            mode: v.linked ? 'linked' : 'full',
            ...(typeof v.snapshot === 'string' ? { snapshot: v.snapshot } : {}),
            ...(v['keep-snapshots'] ? { keepSnapshots: true } : {}),
          }),
        );
        print(v.json, clone, () => out(m('cli.cloned', { name: clone.name, from: vm!, folder: clone.folder })));
        return 0;
      };
    },
  },
  {
    name: 'disk',
    usage: [
      ['disk info NAME [--json]', "the VM's disks: format, size the guest sees, space on the host"],
      ['disk resize NAME DISK SIZE', 'grow a disk of a stopped VM to SIZE (e.g. 16G)'],
      [`disk convert NAME DISK [--format ${choices(diskFormats)}]`, 'convert a disk of a stopped VM into a new file (the old one stays)'],
      ['disk import NAME FILE', 'add a disk converted from FILE (raw, vmdk, vdi, vhdx, qcow2)'],
    ],
    options: diskOptions,
    positionals: (argv) => words(argv, diskOptions).length,
    service: true,
    prepare: ({ values: v, args }) => {
      const [sub, vm, ...rest] = args;
      const wants = { info: 0, resize: 2, convert: 1, import: 1 } as const;
      if (!sub || !vm || !(sub in wants)) throw new UsageError(m('cli.diskWhat'));
      if (rest.length !== wants[sub as keyof typeof wants]) throw new UsageError(m('cli.diskArgs', { sub }));
      if (v.format !== undefined && sub !== 'convert') throw new UsageError(m('cli.optionFor', { option: '--format', sub: 'convert' }));
      const format = v.format === undefined ? 'qcow2' : v.format;
      if (format !== 'qcow2' && format !== 'raw') throw new UsageError(m('config.diskFormat', { list: 'qcow2, raw' }));
      let size = 0;
      if (sub === 'resize') {
        try {
          size = parseSize(rest[1]!);
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
      }
      const file = sub === 'import' ? path.resolve(rest[0]!) : '';
      return async (client: ServiceClient) => {
        if (sub === 'info') {
          const disks = await client.listDisks(vm);
          print(v.json, disks, () => printDisks(disks));
        } else if (sub === 'resize') {
          const disk = await withProgress(client, vm, () => client.resizeDisk(vm, rest[0]!, size));
          print(v.json, disk, () => out(m('cli.diskResized', { path: disk.path, bytes: disk.virtualBytes })));
        } else if (sub === 'convert') {
          const disk = await withProgress(client, vm, () => client.convertDisk(vm, rest[0]!, format));
          print(v.json, disk, () => out(m('cli.diskConverted', { from: rest[0]!, path: disk.path, format: disk.format })));
        } else {
          const disk = await withProgress(client, vm, () => client.importDisk(vm, file));
          print(v.json, disk, () => out(m('cli.diskImported', { from: file, path: disk.path, name: vm })));
        }
        return 0;
      };
    },
  },
  {
    name: 'media',
    usage: [
      ['media NAME insert ISO | eject', 'put an ISO in the CD drive, or take it out (running or not)'],
      ['media detect FILE [--json]', 'what OS an installer ISO holds, its version, architecture,\nfirmware, and the preset a VM for it takes'],
    ],
    options: json,
    positionals: (argv) => words(argv, json).length,
    service: true,
    prepare: ({ values: v, args: [vm, sub, iso, ...rest] }) => {
      if (vm === 'detect' && sub !== undefined && sub !== 'insert' && sub !== 'eject' && iso === undefined) {
        const file = path.resolve(sub);
        return async (client: ServiceClient) => {
          const info = await client.detectMedia(file);
          print(v.json, info, () => printMedia(info));
          return 0;
        };
      }
      if (!vm || (sub !== 'insert' && sub !== 'eject') || rest.length || (sub === 'insert') !== (iso !== undefined)) throw new UsageError(m('cli.mediaWhat'));
      const file = iso === undefined ? null : path.resolve(iso);
      return async (client: ServiceClient) => {
        if (file) await client.insertMedia(vm, file);
        else await client.ejectMedia(vm);
        print(v.json, {}, () => out(file ? m('cli.mediaInserted', { name: vm, path: file }) : m('cli.mediaEjected', { name: vm })));
        return 0;
      };
    },
  },
];
