// Start failures a user causes: each one gets its own sentence, never "internal error", and
// the library is as it was. Checked before QEMU starts where that can be done (ports, empty
// boot files, unreadable disk images, disks another VM runs); where QEMU itself refuses, the
// sentence is QEMU's own reason.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeHost } from '../../core/node/host/hostProbe';
import { tinyVm } from '../support/guest';
import { realGuestsMissing, skipBecause } from '../support/require';
import { guestService } from '../support/service';
import { snapshot as snapshotLibrary } from '../support/cli';
import { freePort } from '../support/ports';

const missing = realGuestsMissing();

const snapshot = (home: string) => snapshotLibrary(home, { skipLogs: true });

describe('start failures a user causes', () => {
  if (skipBecause(missing)) return;
  const t = guestService();
  let files: string;
  let qemuImg: string;
  let qemuBinary: string;
  const nat = (name: string, extra: Record<string, unknown> = {}) => ({ ...tinyVm(t.guest, name), network: 'nat' as const, ...extra });

  beforeAll(async () => {
    files = fs.mkdtempSync(path.join(t.home, 'files-'));
    const host = await probeHost({ libraryPath: path.join(t.home, 'machines'), home: t.home, env: process.env });
    qemuImg = host.qemu.img!.path;
    qemuBinary = host.qemu.binaries.find((b) => b.arch === 'x86_64')!.path;
  });

  /** Expects `action` to be refused with exactly `sentence`, with the library unchanged. */
  async function refused(action: () => Promise<unknown>, sentence: string | RegExp): Promise<void> {
    const before = snapshot(t.home);
    const err = (await action().then(
      () => null,
      (e: unknown) => e,
    )) as Error | null;
    expect(err, 'refused').toBeInstanceOf(Error);
    if (typeof sentence === 'string') expect(err!.message).toBe(sentence);
    else expect(err!.message).toMatch(sentence);
    expect(err!.message).not.toMatch(/internal error/i);
    // A guest host that QEMU failed under gives the VM's lock back as it exits, a moment later:
    // once the locks are those from before (a VM running meanwhile keeps its own), compare all.
    const locks = (files: Record<string, string>) => Object.keys(files).filter((f) => f.endsWith('.lock'));
    await expect.poll(() => locks(snapshot(t.home)), { timeout: 5000, message: 'the locks from before' }).toEqual(locks(before));
    expect(snapshot(t.home)).toEqual(before);
  }

  it('two forwards on one host port are refused at create and at modify', async () => {
    const port = await freePort();
    const forwards = [
      { protocol: 'tcp' as const, hostPort: port, guestPort: 22 },
      { protocol: 'tcp' as const, hostPort: port, guestPort: 80 },
    ];
    await refused(() => t.service.createVm(nat('twice', { forwards })), `Host port ${port} (tcp) is forwarded twice; each forward needs its own host port.`);
    await t.service.createVm(nat('twice'));
    await refused(() => t.service.modifyVm('twice', { forwards }), `Host port ${port} (tcp) is forwarded twice; each forward needs its own host port.`);
  });

  it('a host port another program holds is refused at start, naming the port', async () => {
    const port = await freePort();
    await t.service.createVm(nat('held', { forwards: [{ protocol: 'tcp', hostPort: port, guestPort: 22 }] }));
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(port, '127.0.0.1', r));
    try {
      await refused(() => t.service.startVm('held'), `Host port ${port} (tcp) on 127.0.0.1 is in use by another program; choose another host port.`);
      expect((await t.service.getVm('held')).state).toBe('stopped');
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });

  it('a host port a running VM forwards is refused at start, naming that VM', async () => {
    const port = await freePort();
    const forwards = [{ protocol: 'tcp' as const, hostPort: port, guestPort: 22 }];
    await t.service.createVm(nat('first', { forwards }));
    await t.service.createVm(nat('second', { forwards }));
    await t.service.startVm('first');
    try {
      await refused(() => t.service.startVm('second'), `Host port ${port} (tcp) is forwarded by "first", which is running; choose another host port.`);
    } finally {
      await t.service.powerOffVm('first');
    }
  });

  it('a forward host address that does not resolve is refused at start', async () => {
    await t.service.createVm(
      nat('nowhere', { forwards: [{ protocol: 'tcp', hostAddress: 'no-such-host.invalid', hostPort: await freePort(), guestPort: 22 }] }),
    );
    await refused(() => t.service.startVm('nowhere'), "The forward's host address no-such-host.invalid does not resolve to an address of this machine.");
  });

  it('a 0-byte kernel is refused at create and at start', async () => {
    const empty = path.join(files, 'empty-vmlinux');
    fs.writeFileSync(empty, '');
    await refused(() => t.service.createVm({ ...tinyVm(t.guest, 'nokernel'), kernelPath: empty }), `The kernel file ${empty} is empty.`);
    const kernel = path.join(files, 'vmlinux-later-empty');
    fs.copyFileSync(t.guest.kernel, kernel);
    await t.service.createVm({ ...tinyVm(t.guest, 'emptied'), kernelPath: kernel });
    fs.truncateSync(kernel, 0);
    await refused(() => t.service.startVm('emptied'), `The kernel file ${kernel} is empty.`);
  });

  it("a corrupt qcow2 is refused when attached, and in QEMU's words when it breaks later", async () => {
    const bad = path.join(files, 'garbage.qcow2');
    fs.writeFileSync(bad, crypto.randomBytes(65536));
    await refused(
      () => t.service.createVm({ ...tinyVm(t.guest, 'corrupt'), diskPath: bad }),
      `The disk ${bad} is not a usable qcow2 image: Image is not in qcow2 format.`,
    );
    await t.service.createVm(tinyVm(t.guest, 'corrupt'));
    await refused(() => t.service.modifyVm('corrupt', { diskPath: bad }), `The disk ${bad} is not a usable qcow2 image: Image is not in qcow2 format.`);

    const later = path.join(files, 'later.qcow2');
    spawnSyncOk(qemuImg, ['create', '-q', '-f', 'qcow2', later, '16M']);
    await t.service.modifyVm('corrupt', { diskPath: later });
    const fd = fs.openSync(later, 'r+');
    fs.writeSync(fd, Buffer.from('QFI\xfbXXXX', 'latin1'), 0, 8, 0); // version 0x58585858
    fs.closeSync(fd);
    await refused(() => t.service.startVm('corrupt'), /^QEMU could not start the VM: .*[Uu]nsupported qcow2 version \d+\.$/);
  });

  it('a disk another VM of this service runs is refused at start, naming that VM', async () => {
    const shared = path.join(files, 'shared.raw');
    fs.writeFileSync(shared, Buffer.alloc(1 << 20));
    await t.service.createVm({ ...tinyVm(t.guest, 'owner'), diskPath: shared, diskBus: 'sata' });
    await t.service.createVm({ ...tinyVm(t.guest, 'borrower'), diskPath: shared, diskBus: 'sata' });
    await t.service.startVm('owner');
    try {
      await refused(() => t.service.startVm('borrower'), `The disk ${shared} is in use by "owner", which is running; stop it or detach the disk first.`);
    } finally {
      await t.service.powerOffVm('owner');
    }
  });

  describe('a disk another QEMU has open', () => {
    let other: ChildProcess | undefined;
    afterAll(() => {
      other?.kill('SIGKILL');
    });

    it("is refused with a sentence naming the disk, from QEMU's lock error", async () => {
      const locked = path.join(files, 'locked.raw');
      fs.writeFileSync(locked, Buffer.alloc(1 << 20));
      // Another program (a QEMU this service does not know) holds the image's write lock.
      other = spawn(
        qemuBinary,
        ['-machine', 'pc', '-nodefaults', '-display', 'none', '-S', '-drive', `file=${locked},format=raw,if=ide`, '-monitor', 'stdio'],
        { stdio: ['pipe', 'pipe', 'ignore'] },
      );
      // QEMU opens and locks its drives before its main loop, where the monitor answers: once
      // "info block" names the image, QEMU holds it.
      let monitor = '';
      other.stdout!.on('data', (d: Buffer) => (monitor += d.toString()));
      other.stdin!.write('info block\n');
      await expect.poll(() => monitor, { timeout: 30_000, message: 'the other QEMU holding the disk' }).toContain(`: ${locked} (raw)`);
      await t.service.createVm({ ...tinyVm(t.guest, 'locked'), diskPath: locked, diskBus: 'sata' });
      try {
        await refused(
          () => t.service.startVm('locked'),
          `The disk ${locked} is in use by another program (another VM that is running?); stop that one or detach the disk, then start again.`,
        );
      } finally {
        await t.service.powerOffVm('locked').catch(() => undefined);
      }
    });
  });

  it('no raw schema paths or system codes: shutdown timeout, network, disk size, forward address', async () => {
    await refused(() => t.service.createVm({ ...tinyVm(t.guest, 'quick'), shutdownTimeoutMs: 500 }), 'The shutdown timeout must be from 1 to 3600 seconds.');
    await refused(
      () => t.service.createVm({ ...tinyVm(t.guest, 'net'), network: 'bridged' as 'nat' }),
      'The network must be one of nat, host-only, none, private:NAME.',
    );
    await refused(
      () => t.service.createVm({ ...tinyVm(t.guest, 'huge'), diskSizeBytes: 2 ** 50, diskFormat: 'raw' }),
      'A disk of 1048576 GiB does not fit the filesystem that holds the library (its files are smaller than that); choose a smaller disk.',
    );
    await refused(
      () => t.service.createVm({ ...nat('inject'), forwards: [{ protocol: 'tcp', hostAddress: '127.0.0.1,guestfwd=x', hostPort: 2222, guestPort: 22 }] }),
      "A forward's host address must be an IP address or a host name.",
    );
  });
});

function spawnSyncOk(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}
