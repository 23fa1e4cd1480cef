/**
 * A real libvirt host for the tests: Debian's libvirtd (with virtlogd) on this machine, and a
 * second sshd on 127.0.0.1 at a high port that lets root in with a key made for the test, so
 * the same libvirtd is reached as `qemu:///system` and as `qemu+ssh://root@127.0.0.1:PORT/system`.
 * Daemons this fixture starts are stopped by pid at the end (domains destroyed first: QEMU
 * outlives libvirtd); a libvirtd that already answered is used and left running.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { missingComponent } from './require';

const LIBVIRTD = '/usr/sbin/libvirtd';
const VIRTLOGD = '/usr/sbin/virtlogd';
const SSHD = '/usr/sbin/sshd';

export interface LibvirtFixture {
  localUri: string;
  sshUri: string;
  sshPort: number;
  /** The private key root's authorized_keys accepts. */
  keyFile: string;
  /** A key the sshd does not accept. */
  wrongKeyFile: string;
  /** The sshd's host key fingerprint as OpenSSH prints it (SHA256:…). */
  hostKeyFingerprint: string;
  /**
   * Copies of a file (the test guest's kernel, initrd) where QEMU, run by libvirt as
   * libvirt-qemu, can read them: the guest cache may be under root's 0700 home.
   */
  readable(file: string): string;
  /** Runs virsh on qemu:///system by hand (as a user outside Guesthouse would). */
  virsh(...args: string[]): { status: number | null; stdout: string; stderr: string };
  /** Whether this fixture started libvirtd (and so may stop and restart it). */
  ownsLibvirtd: boolean;
  /** Stops libvirtd by pid (its domains' QEMUs go on running), runs `between`, starts it again. */
  restartLibvirtd(between: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

/** Why the libvirt tests cannot run here (skipped with it; a failure under GUESTHOUSE_REQUIRE=all), or null. */
export function libvirtMissing(): string | null {
  const present = [LIBVIRTD, VIRTLOGD, SSHD, '/usr/bin/virsh', '/usr/bin/ssh-keygen'].every((f) => fs.existsSync(f));
  const reason = missingComponent('libvirt and sshd', present, 'apt-get install libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients openssh-server');
  if (reason) return reason;
  if (process.getuid?.() !== 0) return missingComponent('root (to run libvirtd and a second sshd)', false, 'the libvirt tests start system daemons');
  return null;
}

function run(cmd: string, args: string[], input?: string) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...(input !== undefined ? { input } : {}) });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

const virsh = (...args: string[]) => run('virsh', ['-c', 'qemu:///system', ...args]);

/** The `SHA256:…` fingerprint of an OpenSSH public key file. */
export function fingerprintOf(pubFile: string): string {
  const blob = Buffer.from(fs.readFileSync(pubFile, 'utf8').trim().split(/\s+/)[1]!, 'base64');
  return `SHA256:${crypto.createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** What Debian's libvirtd needs on a machine without systemd (see issue 20). */
function prepareSystem(): void {
  if (run('getent', ['group', 'kvm']).status !== 0) run('groupadd', ['--system', 'kvm']);
  if (run('getent', ['group', 'libvirt-qemu']).status !== 0) run('groupadd', ['--system', 'libvirt-qemu']);
  if (run('id', ['libvirt-qemu']).status !== 0) run('useradd', ['--system', '-g', 'kvm', 'libvirt-qemu']);
  fs.mkdirSync('/var/log/libvirt/qemu', { recursive: true });
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const qemuConf = '/etc/libvirt/qemu.conf';
  const conf = fs.existsSync(qemuConf) ? fs.readFileSync(qemuConf, 'utf8') : '';
  // No AppArmor or SELinux here: without this the QEMU driver refuses to start domains.
  if (!/^\s*security_driver\s*=/m.test(conf)) fs.appendFileSync(qemuConf, '\nsecurity_driver = "none"\n');
}

async function until(what: string, timeoutMs: number, ok: () => boolean): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`${what} did not come up within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function readPid(file: string): number | null {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    return n > 0 ? n : null;
  } catch {
    return null;
  }
}

function killPid(pid: number | null): Promise<void> {
  if (!pid) return Promise.resolve();
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return Promise.resolve();
  }
  return until(`exit of ${pid}`, 10_000, () => {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  }).catch(() => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  });
}

/** Starts (or finds) libvirtd and a second sshd; `dir` holds keys, configs and pid files. */
export async function startLibvirt(dir: string, sshPort: number): Promise<LibvirtFixture> {
  fs.mkdirSync(dir, { recursive: true });
  prepareSystem();
  const started: string[] = [];
  const logdPid = path.join(dir, 'virtlogd.pid');
  const libvirtdPid = path.join(dir, 'libvirtd.pid');
  if (virsh('version').status !== 0) {
    // Both daemonize (-d) and write their pid; both exit at once without /var/log/libvirt.
    if (run(VIRTLOGD, ['-d', '-p', logdPid]).status !== 0) throw new Error('virtlogd did not start');
    started.push(logdPid);
    if (run(LIBVIRTD, ['-d', '-p', libvirtdPid]).status !== 0) throw new Error('libvirtd did not start');
    started.push(libvirtdPid);
    // The first call after a start can block for seconds: poll until it answers.
    await until('libvirtd', 30_000, () => virsh('version').status === 0);
  }

  const ssh = path.join(dir, 'ssh');
  fs.mkdirSync(ssh, { recursive: true, mode: 0o700 });
  for (const name of ['hostkey', 'client', 'wrong']) {
    if (!fs.existsSync(path.join(ssh, name))) run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `guesthouse-test-${name}`, '-f', path.join(ssh, name)]);
  }
  fs.copyFileSync(path.join(ssh, 'client.pub'), path.join(ssh, 'authorized_keys'));
  const config = path.join(ssh, 'sshd_config');
  fs.writeFileSync(
    config,
    [
      `Port ${sshPort}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${path.join(ssh, 'hostkey')}`,
      `PidFile ${path.join(ssh, 'sshd.pid')}`,
      `AuthorizedKeysFile ${path.join(ssh, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'StrictModes no',
      'UsePAM no',
      '',
    ].join('\n'),
  );
  // -D: not detached, so it is our child and dies by its pid.
  const sshd: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let sshdErr = '';
  sshd.stderr!.on('data', (d: Buffer) => (sshdErr += d.toString()));
  await until(`sshd on port ${sshPort} (${sshdErr.trim()})`, 10_000, () => sshd.exitCode === null && fs.existsSync(path.join(ssh, 'sshd.pid')));

  return {
    localUri: 'qemu:///system',
    sshUri: `qemu+ssh://root@127.0.0.1:${sshPort}/system`,
    sshPort,
    keyFile: path.join(ssh, 'client'),
    wrongKeyFile: path.join(ssh, 'wrong'),
    hostKeyFingerprint: fingerprintOf(path.join(ssh, 'hostkey.pub')),
    virsh,
    ownsLibvirtd: started.includes(libvirtdPid),
    async restartLibvirtd(between) {
      await killPid(readPid(libvirtdPid));
      await between();
      if (run(LIBVIRTD, ['-d', '-p', libvirtdPid]).status !== 0) throw new Error('libvirtd did not start again');
      await until('libvirtd', 30_000, () => virsh('version').status === 0);
    },
    readable(file: string) {
      const shared = path.join(dir, 'shared');
      fs.mkdirSync(shared, { recursive: true });
      for (let d = shared; d !== path.dirname(d); d = path.dirname(d)) if (d.startsWith(os.tmpdir() + path.sep)) fs.chmodSync(d, 0o755);
      const copy = path.join(shared, path.basename(file));
      if (!fs.existsSync(copy)) fs.copyFileSync(file, copy);
      fs.chmodSync(copy, 0o644);
      return copy;
    },
    async stop() {
      await killPid(sshd.pid ?? null);
      if (started.length === 0) return;
      // QEMU outlives libvirtd: destroy every domain of the daemon we started first.
      for (const name of virsh('list', '--name').stdout.split('\n').filter(Boolean)) virsh('destroy', name);
      for (const file of started.reverse()) await killPid(readPid(file));
    },
  };
}
