// The snapshot operations refuse what the VM's engine cannot do with the sentence its
// capabilities record names (core/common/capabilities.ts), before any disk is touched.
import { describe, expect, it, vi } from 'vitest';
import type { HostInfo, VmSummary } from '../../../../../core/common/api';
import { capabilitiesOf, whyNot } from '../../../../../core/common/capabilities';
import type { VmConfig } from '../../../../../core/common/config';
import { GuesthouseError } from '../../../../../core/common/errors';
import type { Library, LibraryEntry } from '../../../../../core/node/library/library';
import { snapshotsUnsupported } from '../../../../../core/node/service/engineChoice';
import type { RunningGuest } from '../../../../../core/node/service/runningGuest';
import type { ServiceEvents } from '../../../../../core/node/service/serviceEvents';
import { Snapshots } from '../../../../../core/node/service/snapshots';
import type { StateMirror } from '../../../../../core/node/service/stateMirror';
import type { VmQueue } from '../../../../../core/node/service/vmQueue';
import { sampleConfig } from '../../../../support/sampleConfig';

const v86Config: VmConfig = {
  ...sampleConfig,
  identity: { ...sampleConfig.identity, name: 'tiny', osType: 'other-x86' },
  engine: 'v86',
  cpus: 1,
  disks: [{ path: 'tiny.img', format: 'raw', owned: true }],
};

/** A host where both engines are there (v86's firmware found, QEMU installed). */
const host = {
  qemu: { binaries: [{ arch: 'x86_64', path: '/usr/bin/qemu-system-x86_64', version: '9.0' }], img: { path: '/usr/bin/qemu-img' } },
  v86: { available: true, detail: { message: 'SeaBIOS' } },
  autoEngine: { engine: 'qemu', reason: { message: 'QEMU' } },
} as unknown as HostInfo;

/** Snapshots over one VM in `state`, with a guest on `engine` while it runs; nothing else is real. */
function snapshotsOf(config: VmConfig, state: VmSummary['state'], engine?: 'qemu' | 'v86') {
  const entry: LibraryEntry = { config, dir: '/nowhere/tiny' };
  const guest = engine ? ({ state, runtime: { engine, accelerator: null } } as unknown as RunningGuest) : undefined;
  const snapshots = new Snapshots({
    library: { find: () => entry, list: () => [entry] } as unknown as Library,
    host: () => Promise.resolve(host),
    mirror: { summary: () => ({ state }), guest: () => guest } as unknown as StateMirror,
    events: { emitProgress: vi.fn(), emitVms: vi.fn() } as unknown as ServiceEvents,
    queue: { run: <T>(_id: string, work: () => Promise<T>) => work() } as unknown as VmQueue,
    start: () => Promise.reject(new Error('not here')),
  });
  return { snapshots };
}

const refusal = async (work: Promise<unknown>) => {
  const err = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GuesthouseError);
  return err as GuesthouseError;
};

describe('snapshots refuse what the engine cannot do, in its record’s words', () => {
  const offline = whyNot(capabilitiesOf('v86').snapshots, { name: 'tiny' })!;
  const live = whyNot(capabilitiesOf('v86').liveSnapshots, { name: 'tiny' })!;

  it('an offline snapshot of a stopped v86 VM', async () => {
    const { snapshots } = snapshotsOf(v86Config, 'stopped');
    const err = await refusal(snapshots.take('tiny', { name: 'first' }));
    expect(err.code).toBe('invalid-state');
    expect(err.message).toBe(offline.message);
    expect(err.key).toBe(offline.key);
  });

  it('a live snapshot of a running v86 VM', async () => {
    const { snapshots } = snapshotsOf(v86Config, 'running', 'v86');
    const err = await refusal(snapshots.take('tiny', { name: 'first' }));
    expect(err.code).toBe('invalid-state');
    expect(err.message).toBe(live.message);
    expect(err.key).toBe(live.key);
  });

  it('the list says why, for the GUI to show on its disabled button', async () => {
    expect((await snapshotsOf(v86Config, 'stopped').snapshots.list('tiny')).unsupported).toMatchObject({ key: offline.key, message: offline.message });
    expect((await snapshotsOf(v86Config, 'running', 'v86').snapshots.list('tiny')).unsupported).toMatchObject({ message: live.message });
  });

  it('a QEMU VM is refused only for its disks, not its engine', () => {
    const qemuRaw = { config: { ...v86Config, engine: 'qemu' as const }, dir: '/vms/tiny' };
    expect(snapshotsUnsupported(qemuRaw, host)?.key).toBe('disk.notQcow2');
    expect(snapshotsUnsupported({ config: sampleConfig, dir: '/vms/web' }, host)).toBeNull();
    expect(snapshotsUnsupported({ config: sampleConfig, dir: '/vms/web' }, host, 'qemu', true)).toBeNull();
    expect(snapshotsUnsupported({ config: sampleConfig, dir: '/vms/web' }, host, 'v86', true)?.message).toBe(
      whyNot(capabilitiesOf('v86').liveSnapshots, { name: 'web' })!.message,
    );
  });
});
