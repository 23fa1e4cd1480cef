// The guesthouse CLI end to end: a background service it starts itself, real guests,
// and bad input that must give one sentence and change nothing on disk.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyGuest, tinyVmArgs, type TestGuest } from '../support/guest';
import { realGuestsMissing, skipBecause } from '../support/require';
import { tempHome } from '../support/service';
import { CLI, cli, snapshot } from '../support/cli';
import { vncAuthResponse } from '../../core/node/transport/vncProxy';

const missing = realGuestsMissing();

/** A VNC viewer's handshake (RFB 3.8, VNC Authentication) up to ServerInit: the screen's size, or why it was refused. */
async function vncServerInit(port: number, password: string): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  let buf = Buffer.alloc(0);
  let wake = () => undefined as void;
  let closed = false;
  socket.on('data', (d: Buffer) => ((buf = Buffer.concat([buf, d])), wake()));
  socket.on('close', () => ((closed = true), wake()));
  socket.on('error', () => undefined);
  const read = async (n: number) => {
    while (buf.length < n) {
      if (closed) throw new Error('the VNC connection closed');
      await new Promise<void>((r) => (wake = r));
    }
    const out = buf.subarray(0, n);
    buf = buf.subarray(n);
    return out;
  };
  try {
    expect((await read(12)).toString()).toBe('RFB 003.008\n');
    socket.write('RFB 003.008\n');
    expect([...(await read(2))]).toEqual([1, 2]);
    socket.write(Buffer.from([2]));
    socket.write(vncAuthResponse(password, await read(16)));
    if ((await read(4)).readUInt32BE(0) !== 0) return `refused: ${(await read((await read(4)).readUInt32BE(0))).toString()}`;
    socket.write(Buffer.from([1])); // ClientInit, shared
    const init = await read(24);
    return `${init.readUInt16BE(0)}x${init.readUInt16BE(2)}`;
  } finally {
    socket.destroy();
  }
}

describe('guesthouse CLI', () => {
  if (skipBecause(missing)) return;
  let guest: TestGuest;
  let home: string;
  let boot: string[];

  beforeAll(async () => {
    guest = await tinyGuest('amd64');
    home = tempHome();
    boot = tinyVmArgs(guest);
  });
  afterAll(() => {
    if (home) cli(home, ['service', 'stop']);
  });

  it('creates, starts in the background, talks to and stops a guest', () => {
    expect(cli(home, ['create', 'web', ...boot, '--disk', '64M'])).toMatchObject({
      code: 0,
      stdout: `Created "web" in ${path.join(home, 'machines', 'web')}.\n`,
    });
    const disk = path.join(home, 'machines', 'web', 'web.qcow2');
    expect(fs.readFileSync(disk).subarray(0, 4).toString('latin1')).toBe('QFI\xfb');
    expect(cli(home, ['start', 'web'])).toMatchObject({ code: 0, stdout: 'Started "web".\n' });
    // The CLI has exited; the guest lives on in the service it started.
    const listed = JSON.parse(cli(home, ['list', '--json']).stdout);
    expect(listed).toMatchObject([{ name: 'web', state: 'running', memoryMib: 128, cpus: 1 }]);
    expect(cli(home, ['wait', 'web', '--for', guest.readyMarker, '--timeout-s', '90']).code).toBe(0);
    expect(cli(home, ['send', 'web', 'echo cli-$((7*6))\\n']).code).toBe(0);
    expect(cli(home, ['wait', 'web', '--for', 'cli-42', '--timeout-s', '30']).code).toBe(0);
    const miss = cli(home, ['wait', 'web', '--for', 'never-printed', '--timeout-s', '1']);
    expect(miss).toMatchObject({ code: 1, stderr: '"never-printed" did not appear on the console of "web" within 1 s.\n' });
    const shown = cli(home, ['show', 'web']);
    expect(shown.stdout).toMatch(/State: +running/);
    expect(shown.stdout).toMatch(/Processes: +guest host \d+, engine \d+/);
    expect(cli(home, ['log', 'web']).stdout).toContain('cli-42');
    expect(cli(home, ['pause', 'web']).code).toBe(0);
    expect(JSON.parse(cli(home, ['show', 'web', '--json']).stdout).state).toBe('paused');
    expect(cli(home, ['resume', 'web']).code).toBe(0);
    expect(cli(home, ['stop', 'web', '--timeout-s', '60'])).toMatchObject({
      code: 0,
      stdout: '"web" is stopped.\nThe guest shut down, asked through its guest agent.\n',
    });
    expect(JSON.parse(cli(home, ['show', 'web', '--json']).stdout)).toMatchObject({
      state: 'stopped',
      stateReason: { message: 'The guest shut down, asked through its guest agent.' },
    });
  });

  it('console attaches interactively and Ctrl-] detaches', async () => {
    expect(cli(home, ['start', 'web']).code).toBe(0);
    expect(cli(home, ['wait', 'web', '--for', guest.readyMarker, '--timeout-s', '90']).code).toBe(0);
    const child = spawn(process.execPath, [CLI, 'console', 'web'], { env: { ...process.env, GUESTHOUSE_HOME: home } });
    let out = '';
    const seen = (text: string) =>
      new Promise<void>((resolve) => {
        const check = () => out.includes(text) && resolve();
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString('latin1');
          check();
        });
        check();
      });
    await seen(guest.readyMarker); // the backlog from the ring buffer
    child.stdin.write('echo typed-$((8*8))\n');
    await seen('typed-64');
    child.stdin.write(Buffer.from([0x1d]));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(0);
    expect(JSON.parse(cli(home, ['show', 'web', '--json']).stdout).state).toBe('running');
    expect(cli(home, ['stop', 'web', '--force']).code).toBe(0);
    expect(JSON.parse(cli(home, ['show', 'web', '--json']).stdout)).toMatchObject({ state: 'stopped', stateReason: { message: 'Powered off.' } });
  });

  it('display shows the screen to a VNC viewer with a one-time password, until Ctrl-C', async () => {
    // The bzImage: booted through PVH (the vmlinux) Linux gets no vgacon, so no 720x400 text screen.
    const args = [
      '--os',
      'other-x64',
      '--memory',
      '128',
      '--kernel',
      guest.bzImage,
      '--initrd',
      guest.initrd,
      '--append',
      'console=tty0 console=ttyS0 quiet',
      '--network',
      'none',
      '--display',
      'vga',
    ];
    expect(cli(home, ['create', 'screen', ...args]).code).toBe(0);
    expect(cli(home, ['start', 'screen']).code).toBe(0);
    try {
      expect(cli(home, ['wait', 'screen', '--for', guest.readyMarker, '--timeout-s', '90']).code).toBe(0);
      // For scripts: the screen's text, keys, waiting on the screen, a PNG at the guest's resolution.
      expect(cli(home, ['wait', 'screen', '--screen', guest.readyMarker, '--timeout-s', '90']).code).toBe(0);
      expect(cli(home, ['screenshot', 'screen', '--text']).stdout).toContain(guest.readyMarker);
      expect(cli(home, ['keys', 'screen', '--type', 'echo keys-$((9*9))\\n']).code).toBe(0);
      expect(cli(home, ['wait', 'screen', '--screen', 'keys-81', '--timeout-s', '60']).code).toBe(0);
      expect(cli(home, ['keys', 'screen', 'ctrl-l']).code).toBe(0);
      expect(cli(home, ['keys', 'screen', 'ctrl-banana'])).toMatchObject({
        code: 1,
        stderr: '"ctrl-banana" is not a key chord Guesthouse knows; use names such as ctrl-alt-delete, ret, esc, f1 or a letter.\n',
      });
      const png = path.join(home, 'screen.png');
      expect(cli(home, ['screenshot', 'screen', png]).stdout).toBe(`Saved the screen of "screen" (720x400) to ${png}.\n`);
      expect(fs.readFileSync(png).readUInt32BE(16)).toBe(720);
      expect(cli(home, ['wait', 'screen', '--screen', 'never-shown', '--timeout-s', '1'])).toMatchObject({
        code: 1,
        stderr: '"never-shown" did not appear on the screen of "screen" within 1 s.\n',
      });
      const child = spawn(process.execPath, [CLI, 'display', 'screen', '--port', '0'], { env: { ...process.env, GUESTHOUSE_HOME: home } });
      const exited = new Promise<number | null>((r) => child.once('exit', r));
      let stdout = '';
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (d: Buffer) => ((stdout += d.toString()), stdout.includes('\n') && resolve()));
        child.once('exit', () => resolve());
      });
      const shown = /^The screen of "screen" is at 127\.0\.0\.1:(\d+) \(VNC\); password: (\S{8})\. Press Ctrl-C to stop\.\n$/.exec(stdout);
      expect(shown, stdout).not.toBeNull();
      const [port, password] = [Number(shown![1]), shown![2]!];
      expect(await vncServerInit(port, password)).toBe('720x400');
      expect(await vncServerInit(port, password === 'aaaaaaaa' ? 'bbbbbbbb' : 'aaaaaaaa')).toBe('refused: The VNC password is wrong.');
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      cli(home, ['stop', 'screen', '--force']);
      cli(home, ['delete', 'screen']);
    }
  });

  const huge = String(1024 * 1024 * 1024);
  it.each([
    [['create', 'bad', '--memory', '0'], 'Memory must be at least 16 MiB.'],
    [['create', 'bad', '--memory', '-5'], 'Memory must be at least 16 MiB.'],
    [['create', 'bad', '--memory', 'lots'], 'Memory must be a number of MiB.'],
    [['create', 'bad', '--memory', '4000000'], /^Memory of 4000000 MiB is more than this host has \(\d+ MiB\)\.$/],
    [['create', 'bad', '--memory', huge], `Memory must be at most ${4 * 1024 * 1024} MiB.`],
    [['create', 'bad', '--cpus', '0'], 'The CPU count must be a whole number of at least 1.'],
    [['create', 'bad', '--cpus', '300'], /^300 CPUs are more than this host has \(\d+\)\.$/],
    [['create', ''], 'The name must not be empty.'],
    [['create', 'a/b'], 'The name must not contain / or \\.'],
    [['create', '..'], 'The name must not contain "..".'],
    [['create', 'x'.repeat(65)], 'The name must be at most 64 characters long.'],
    [['create', 'bad', '--kernel', '/nonexistent/vmlinuz'], 'The kernel file /nonexistent/vmlinuz does not exist.'],
    [['create', 'bad', '--cdrom', '/nonexistent/x.iso'], 'The ISO file /nonexistent/x.iso does not exist.'],
    [['create', 'web'], 'A VM named "web" already exists; choose another name.'],
    [['create', 'bad', '--disk', 'lots'], '"lots" is not a size; write it like 512M or 8G.'],
    [['create', 'bad', '--engine', 'vmware'], 'The engine must be one of auto, qemu, v86.'],
    [['create', 'bad', '--colour', 'blue'], "Unknown option '--colour'."],
    [['modify', 'web', '--memory', '0'], 'Memory must be at least 16 MiB.'],
    [['modify', 'web', '--disk', '16M', '--memory', '0'], 'Memory must be at least 16 MiB.'], // and no disk file is made
    [['modify', 'web', '--detach-disk', 'nope.qcow2'], 'No disk nope.qcow2 is attached to this VM.'],
    [['modify', 'web', '--attach-disk', '/nonexistent/d.raw'], 'The disk file /nonexistent/d.raw does not exist.'],
    [['create', 'bad', '--detach-disk', 'x.raw'], '--detach-disk works with modify only: a new VM has no disks to take off.'],
    [['modify', 'web', '--name', 'a/b'], 'The name must not contain / or \\.'],
    [['modify', 'nosuch', '--memory', '256'], 'There is no VM named "nosuch".'],
    [['start', 'nosuch'], 'There is no VM named "nosuch".'],
    [['pause', 'web'], 'Cannot pause "web" because it is stopped.'],
    [['frobnicate'], '"frobnicate" is not a guesthouse command; see "guesthouse help".'],
    [['forward', 'web', 'add', 'tcp:0:22'], 'A port must be between 1 and 65535.'],
    [['forward', 'web', 'add', 'tcp:70000:22'], 'A port must be between 1 and 65535.'],
    [['forward', 'web', 'add', '2222:22'], '"2222:22" is not a port forward; write it like tcp:2222:22.'],
    [
      ['forward', 'web', 'add', '--name', 'no spaces', 'tcp:2222:22'],
      "A forward's name must be 1 to 40 letters, digits, dots, dashes or underscores, beginning with a letter or digit.",
    ],
    [['forward', 'web', 'add', 'tcp:2222:22'], '"web" has no network card on NAT or host-only, so it takes no port forwards; attach one with --net nat.'],
    [['forward', 'web', 'remove', 'nope'], '"web" has no forward named "nope" or on host port nope.'],
    [['forward', 'web'], 'Say "forward NAME add [--name N] tcp:HOSTPORT:GUESTPORT", "forward NAME remove NAME-OR-HOSTPORT" or "forward NAME list".'],
    [['modify', 'web', '--net', 'nat', '--net', 'nat', '--net', 'nat', '--net', 'nat', '--net', 'nat'], 'A VM can have at most 4 network cards.'],
    [['modify', 'web', '--net', 'bridged'], 'The network must be one of nat, host-only, none, private:NAME.'],
    [['modify', 'web', '--net', 'nat,speed=1'], '"nat,speed=1" is not a network card; write it like nat, host-only,model=e1000, private:lab or none.'],
  ] as [string[], string | RegExp][])('%j gives its sentence and changes nothing', (args, sentence) => {
    const before = snapshot(home);
    const r = cli(home, args);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    const line = r.stderr.replace(/\n$/, '');
    expect(line).not.toContain('\n');
    if (typeof sentence === 'string') expect(line).toBe(sentence);
    else expect(line).toMatch(sentence);
    expect(snapshot(home)).toEqual(before);
  });

  it('several problems give one sentence each, on one line', () => {
    const r = cli(home, ['create', 'bad', '--memory', '0', '--cpus', '0']);
    expect(r.stderr).toBe('The request has 2 problems: Memory must be at least 16 MiB. The CPU count must be a whole number of at least 1.\n');
  });

  it('modify adds, attaches and detaches disks; a detached disk stays, even when its VM is deleted', () => {
    const dir = path.join(home, 'machines', 'store');
    const outside = path.join(home, 'outside.raw');
    fs.writeFileSync(outside, Buffer.alloc(2 ** 20));
    const disks = () => JSON.parse(cli(home, ['show', 'store', '--json']).stdout).config.disks;
    expect(cli(home, ['create', 'store', ...boot]).code).toBe(0);
    expect(cli(home, ['modify', 'store', '--disk', '16M'])).toMatchObject({ code: 0, stdout: 'Saved "store".\n' });
    expect(cli(home, ['modify', 'store', '--disk', '8M', '--disk-format', 'raw']).code).toBe(0);
    // A relative path is the CLI's, not the background service's.
    expect(cli(home, ['modify', 'store', '--attach-disk', 'outside.raw'], { cwd: home }).code).toBe(0);
    expect(disks()).toEqual([
      { path: 'store.qcow2', format: 'qcow2', owned: true },
      { path: 'store.raw', format: 'raw', owned: true },
      { path: outside, format: 'raw', owned: false },
    ]);
    expect(fs.readFileSync(path.join(dir, 'store.qcow2')).subarray(0, 4).toString('latin1')).toBe('QFI\xfb');
    expect(fs.statSync(path.join(dir, 'store.raw')).size).toBe(8 * 2 ** 20);
    expect(cli(home, ['modify', 'store', '--attach-disk', outside]).stderr).toBe(`The disk ${outside} is already attached to this VM.\n`);
    const inside = path.join(dir, 'store.raw');
    expect(cli(home, ['modify', 'store', '--attach-disk', inside]).stderr).toBe(`The disk ${inside} is already attached to this VM.\n`);
    const before = snapshot(home);
    expect(cli(home, ['modify', 'store', '--detach-disk', path.join(dir, 'store.qcow2')]).code).toBe(0); // as shown, or as a full path
    expect(disks().map((d: { path: string }) => d.path)).toEqual(['store.raw', outside]);
    expect(snapshot(home)['machines/store/store.qcow2']).toBe(before['machines/store/store.qcow2']); // the file is left as it was
    const unchanged = snapshot(home);
    expect(cli(home, ['modify', 'store', '--disk', '4M', '--disk-format', 'raw', '--memory', '0']).code).not.toBe(0);
    expect(snapshot(home)).toEqual(unchanged); // no disk file made for a change that was refused
    // Deleting the VM and its disks takes its own disks and bookkeeping, not the detached disk, not files outside.
    expect(cli(home, ['delete', 'store']).code).toBe(0);
    expect(fs.readdirSync(dir)).toEqual(['store.qcow2']);
    expect(fs.existsSync(outside)).toBe(true);
  });

  it('delete keeps the disks when asked, and removes everything otherwise', () => {
    expect(cli(home, ['create', 'scratch', ...boot, '--disk', '16M']).code).toBe(0);
    expect(cli(home, ['delete', 'web', '--keep-disks'])).toMatchObject({ code: 0, stdout: 'Deleted "web"; its disks were kept.\n' });
    expect(fs.readdirSync(path.join(home, 'machines', 'web'))).toEqual(['web.qcow2']);
    expect(cli(home, ['delete', 'scratch']).code).toBe(0);
    expect(fs.existsSync(path.join(home, 'machines', 'scratch'))).toBe(false);
    expect(fs.existsSync(guest.kernel)).toBe(true); // files outside the VM folder are never touched
    expect(JSON.parse(cli(home, ['list', '--json']).stdout)).toEqual([]);
  });

  it('QEMU missing: a sentence that says how to install it', () => {
    const bare = tempHome();
    const emptyDir = fs.mkdtempSync(path.join(bare, 'noqemu-'));
    const env = { env: { GUESTHOUSE_QEMU_DIR: emptyDir } };
    try {
      expect(cli(bare, ['create', 'q', ...boot, '--engine', 'qemu'], env).code).toBe(0);
      const r = cli(bare, ['start', 'q'], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        'QEMU is not installed: install it with "sudo apt install qemu-system-x86 qemu-utils" (Debian/Ubuntu) or "sudo dnf install qemu-kvm qemu-img" (Fedora), or use the embedded v86 engine.\n',
      );
      const host = cli(bare, ['host'], env).stdout;
      expect(host).toMatch(/QEMU: +not found/);
      // Without QEMU, auto falls back to the embedded engine, with its limits said plainly.
      expect(host).toMatch(/Engine auto: +v86: QEMU was not found, so the embedded v86 engine runs VMs/);
      const wide = cli(bare, ['create', 'wide', '--os', 'linux-x64'], env);
      expect(wide.stderr).toBe('The v86 engine runs 32-bit x86 guests only; choose the OS type linux-x86 or other-x86, or use QEMU.\n');
      const disk = cli(bare, ['create', 'd', '--engine', 'qemu', '--disk', '1G'], env);
      expect(disk.stderr).toMatch(/^Creating a qcow2 disk needs qemu-img\. QEMU is not installed/);
      expect(cli(bare, ['create', 'raw86', '--os', 'other-x86', '--disk', '16M'], env).code).toBe(0);
      expect(fs.statSync(path.join(bare, 'machines', 'raw86', 'raw86.raw')).size).toBe(16 * 2 ** 20);
      expect(JSON.parse(cli(bare, ['show', 'q', '--json'], env).stdout).state).toBe('stopped');
    } finally {
      cli(bare, ['service', 'stop'], env);
    }
  });
});
