// The accelerator probe and what a guest sees when its accelerator fails. This machine may
// have no /dev/kvm at all, so a broken KVM is made (test/hosts/simulatedHost.mjs: a fake
// qemu-system-x86_64 that runs the real QEMU without long mode, or aborts as KVM does, and a
// stand-in for /dev/kvm). Everything else is real: QEMU, the guest, the service.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LibraryService, StateChangeEvent } from '../../core/common/api';
import { probeHost } from '../../core/node/host/hostProbe';
import { probeAccelerator, runProbe } from '../../core/node/host/accelProbe';
import { QmpClient } from '../../core/node/guestHost/qemu/qmp';
import { VmService } from '../../core/node/service/vmService';
import { tinyGuest, tinyVm, type TestGuest } from '../support/guest';
import { realGuestsMissing, skipBecause } from '../support/require';
import { tempHome } from '../support/service';
import { brokenKvmEnv, fakeQemuDir, kvmRuns } from '../hosts/simulatedHost.mjs';

const missing = realGuestsMissing();
const which = (name: string) => execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();

/** The process runs (a zombie has ended: its parent is gone, and nobody may have reaped it yet). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Resolves with the first state event for `name` that `pred` accepts. */
function nextState(service: LibraryService, name: string, pred: (e: StateChangeEvent) => boolean): Promise<StateChangeEvent> {
  return new Promise((resolve) => {
    const sub = service.onDidChangeState((e) => {
      if (e.name === name && pred(e)) {
        sub.dispose();
        resolve(e);
      }
    });
  });
}

describe('the accelerator probe', () => {
  if (skipBecause(missing)) return;
  let root: string;
  beforeAll(() => {
    root = tempHome('acc');
  });

  it('runs 64-bit code under TCG (the probe firmware itself is right)', async () => {
    expect(await runProbe(which('qemu-system-x86_64'), 'tcg')).toEqual({ ok: true, detail: { message: '' } });
  });

  it('reports a KVM that hangs in 64-bit mode as unusable, with the reason, and auto picks TCG', async () => {
    const env = brokenKvmEnv('hang', path.join(root, 'h'));
    const host = await probeHost({ libraryPath: root, env });
    const kvm = host.accelerators.find((a) => a.kind === 'kvm')!;
    expect(kvm).toMatchObject({ usable: false, present: true });
    expect(kvm.detail.message).toMatch(/^KVM is present but could not run 64-bit code here: the probe did not finish within \d+ s\.$/);
    expect(host.acceleratorChoice).toMatchObject({ accelerator: 'tcg', source: 'probe' });
    expect(host.acceleratorChoice.reason.message).toBe(`Using TCG (software emulation): ${kvm.detail.message}`);
  });

  it('reports a KVM whose vCPU resets at the switch to 64-bit mode', async () => {
    const env = brokenKvmEnv('hang', path.join(root, 'r'));
    fs.writeFileSync(
      path.join(env.GUESTHOUSE_QEMU_DIR!, 'qemu-system-x86_64'),
      fs.readFileSync(path.join(env.GUESTHOUSE_QEMU_DIR!, 'qemu-system-x86_64'), 'utf8').replace(' -no-reboot) continue;;', ''),
    );
    const kvm = (await probeHost({ libraryPath: root, env })).accelerators.find((a) => a.kind === 'kvm')!;
    expect(kvm.detail.message).toBe('KVM is present but could not run 64-bit code here: its CPU reset before reaching 64-bit mode.');
  });

  it("reports a KVM that aborts with QEMU's own words", async () => {
    const env = brokenKvmEnv('abort', path.join(root, 'a'));
    const host = await probeHost({ libraryPath: root, env });
    const kvm = host.accelerators.find((a) => a.kind === 'kvm')!;
    expect(kvm.usable).toBe(false);
    expect(kvm.detail.message).toBe('KVM is present but could not run 64-bit code here: emulation failure.');
  });

  it('is cached per QEMU binary, and runs again when the binary changes', async () => {
    const env = brokenKvmEnv('abort', path.join(root, 'c'));
    await probeHost({ libraryPath: root, env });
    await probeHost({ libraryPath: root, env });
    expect(kvmRuns(env.calls).length).toBe(1);
    // A new QEMU (here: the same script, one byte longer) is probed again.
    fs.appendFileSync(path.join(env.GUESTHOUSE_QEMU_DIR!, 'qemu-system-x86_64'), '\n');
    await probeHost({ libraryPath: root, env });
    expect(kvmRuns(env.calls).length).toBe(2);
  });

  it('has callers that ask while it runs share the one run', async () => {
    const env = brokenKvmEnv('hang', path.join(root, 'shared'));
    const qemu = path.join(env.GUESTHOUSE_QEMU_DIR!, 'qemu-system-x86_64');
    const [a, b] = await Promise.all([probeAccelerator(qemu, 'kvm', env), probeAccelerator(qemu, 'kvm', env)]);
    expect(a).toEqual(b);
    expect(a.ok).toBe(false);
    expect(kvmRuns(env.calls)).toHaveLength(1);
  });

  it('dies with the process that started it: no QEMU spins on after its parent is killed mid-probe', async () => {
    const env = brokenKvmEnv('hang', path.join(root, 'orphan'));
    // The probe in a process of its own (the built module, as the service and the CLI run it).
    const built = path.resolve(__dirname, '..', '..', 'out', 'core', 'node', 'host', 'accelProbe.js');
    const script = `require(process.argv[1]).probeAccelerator(process.argv[2], 'kvm')`;
    const parent = spawn(process.execPath, ['-e', script, built, path.join(env.GUESTHOUSE_QEMU_DIR!, 'qemu-system-x86_64')], { env, stdio: 'ignore' });
    const gone = new Promise((resolve) => parent.once('exit', resolve));
    // The fake QEMU writes its pid as it starts (then execs the real QEMU, same pid).
    await expect.poll(() => kvmRuns(env.calls), { timeout: 10_000 }).toHaveLength(1);
    const pid = Number(kvmRuns(env.calls)[0]!.split(' ')[1]);
    expect(alive(pid)).toBe(true);
    parent.kill('SIGKILL');
    await gone;
    await expect.poll(() => alive(pid), { timeout: 2000, interval: 50 }).toBe(false);
  });

  it("GUESTHOUSE_ACCELERATOR and the host setting override the probe; the VM's own setting still wins", async () => {
    const env = brokenKvmEnv('abort', path.join(root, 'o'), { GUESTHOUSE_ACCELERATOR: 'kvm' });
    const host = await probeHost({ libraryPath: root, env });
    expect(host.acceleratorChoice).toMatchObject({
      accelerator: 'kvm',
      source: 'environment',
      reason: { message: 'Using KVM, as GUESTHOUSE_ACCELERATOR says.' },
    });
    const home = tempHome('acc-set');
    const service = new VmService({ home, env: { ...env, GUESTHOUSE_ACCELERATOR: '' } });
    const set = await service.setHostSettings({ accelerator: 'tcg' });
    expect(set.acceleratorChoice).toMatchObject({ accelerator: 'tcg', source: 'setting' });
    expect((await service.getHostInfo()).settings).toEqual({ accelerator: 'tcg' });
    await expect(service.setHostSettings({ accelerator: 'fast' } as never)).rejects.toThrow('The accelerator must be one of auto, kvm, hvf, whpx, tcg.');
    expect(JSON.parse(fs.readFileSync(path.join(home, 'settings.json'), 'utf8'))).toEqual({ version: 1, accelerator: 'tcg' });
  });
});

describe('guests on a host whose KVM is broken', () => {
  if (skipBecause(missing)) return;
  let guest: TestGuest;
  let root: string;
  const services: VmService[] = [];
  beforeAll(async () => {
    guest = await tinyGuest();
    root = tempHome('accg');
  });
  afterAll(async () => {
    delete process.env.GH_TEST_EXTRA_QMP;
    await Promise.all(services.map((s) => s.powerOffAll()));
  });
  const serviceWith = (env: NodeJS.ProcessEnv) => {
    const s = new VmService({ home: tempHome('accs'), env });
    services.push(s);
    return s;
  };

  it('auto boots the tiny guest under TCG when KVM hangs in 64-bit mode; only the start waits for the probe', async () => {
    const env = brokenKvmEnv('hang', path.join(root, 'h'));
    const service = serviceWith(env);
    // Creating, showing and changing a VM need no accelerator: no probe runs for them.
    await service.createVm(tinyVm(guest, 'auto'));
    await service.modifyVm('auto', { cpus: 1 });
    expect((await service.getVm('auto')).state).toBe('stopped');
    expect(kvmRuns(env.calls)).toHaveLength(0);
    // A start and the host panel asking at once share one probe.
    const [host] = await Promise.all([service.getHostInfo(), service.startVm('auto')]);
    expect(host.acceleratorChoice.accelerator).toBe('tcg');
    expect(kvmRuns(env.calls)).toHaveLength(1);
    expect((await service.getVm('auto')).runtime?.accelerator).toBe('tcg');
    expect(await service.waitForConsole('auto', guest.readyMarker, 60_000)).toBe(true);
    await service.powerOffVm('auto');
  });

  it('a guest that shows no sign of life under a forced KVM gets a warning in its details, and is not switched', async () => {
    // The screen counts too: the firmware's banner and the kernel's real-mode setup are drawn
    // (real-mode code runs), then it stands still. The bzImage's setup finds no 64-bit CPU and
    // halts for ever, as a guest stuck in a broken accelerator does (the PVH vmlinux would
    // triple-fault and reboot in a loop instead, redrawing the firmware's screen).
    const service = serviceWith(brokenKvmEnv('hang', path.join(root, 's'), { GUESTHOUSE_ACCELERATOR: 'kvm', GUESTHOUSE_SILENCE_S: '20' }));
    await service.createVm({ ...tinyVm(guest, 'silent'), kernelPath: guest.bzImage });
    const warned = new Promise<void>((resolve) => {
      const sub = service.onDidChangeVms(() => {
        void service.getVm('silent').then((vm) => {
          if (vm.runtime?.silentForS) {
            sub.dispose();
            resolve();
          }
        });
      });
    });
    await service.startVm('silent');
    await warned;
    const vm = await service.getVm('silent');
    expect(vm.state).toBe('running');
    expect(vm.runtime?.accelerator).toBe('kvm');
    // What stood still: the kernel's own words on the screen, and nothing after them.
    expect((await service.screenText('silent')).join('\n')).toMatch(/requires an x86-64 CPU/);
    expect(vm.engineNotes[0]?.message).toMatch(
      /^The guest has shown no console output and no screen change for 20 s under KVM: the hardware acceleration of this host may be broken\. Power off, set the accelerator to TCG/,
    );
    await service.powerOffVm('silent');
  });

  it("a stop nobody asked for shows paused with QEMU's reason; a refused resume leaves it paused", async () => {
    const socket = path.join(root, 'x.qmp');
    process.env.GH_TEST_EXTRA_QMP = socket;
    const service = serviceWith({ ...process.env, GUESTHOUSE_QEMU_DIR: fakeQemuDir('hang', path.join(root, 'q')).dir });
    await service.createVm(tinyVm(guest, 'outside'));
    await service.startVm('outside');
    delete process.env.GH_TEST_EXTRA_QMP;
    expect(await service.waitForConsole('outside', guest.readyMarker, 60_000)).toBe(true);
    // A second monitor, as another program (or QEMU itself after an accelerator failure) would act.
    const conn = net.connect(socket);
    await new Promise<void>((resolve, reject) => conn.once('connect', resolve).once('error', reject));
    const qmp = new QmpClient(conn);
    await qmp.handshake();

    let paused = nextState(service, 'outside', (e) => e.state === 'paused');
    await qmp.execute('stop');
    expect((await paused).reason?.message).toBe('QEMU paused the guest without being asked (its status is paused).');
    await service.resumeVm('outside');
    expect((await service.getVm('outside')).state).toBe('running');

    // A guest that powers off while QEMU is told to pause instead ends in a state QEMU
    // refuses to continue from without a reset, as after a KVM internal error.
    await qmp.execute('set-action', { shutdown: 'pause' });
    paused = nextState(service, 'outside', (e) => e.state === 'paused');
    await service.writeConsole('outside', Buffer.from('poweroff -f\n'));
    const event = await paused;
    expect(event.reason?.message).toBe('QEMU paused the guest without being asked (its status is shutdown).');
    await expect(service.resumeVm('outside')).rejects.toThrow(/QEMU refused cont: .*[Rr]eset/);
    const vm = await service.getVm('outside');
    expect(vm.state).toBe('paused');
    expect(vm.stateReason).toEqual(event.reason);
    qmp.close();
    await service.powerOffVm('outside');
  });
});
