// Faults and bad input at the console and around it, through the real CLI and a real
// service with the tiny guest: a crash ends a wait at once with its reason, a replayed
// backlog asks the terminal nothing, input is bounded per call and long input goes in parts.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BootSpec } from '../../core/common/protocol';
import { RunningGuest } from '../../core/node/service/runningGuest';
import { connectToService } from '../../core/node/transport/serviceClient';
import { forkSpawner, guestHostEntry, GuestHostPool } from '../../core/node/service/supervisor';
import { tinyGuest, type TestGuest, tinyVmArgs } from '../support/guest';
import { realGuestsMissing, skipBecause } from '../support/require';
import { tempHome } from '../support/service';
import { CLI, cli as run, snapshot } from '../support/cli';

const cli = (home: string, args: string[], input?: string | Buffer) => run(home, args, { encoding: 'latin1', ...(input !== undefined ? { input } : {}) });

/**
 * Starts `guesthouse wait NAME --for never-printed` and resolves once the service's log says
 * that wait watches the guest's output: what ends the guest now ends a wait under way.
 */
async function waitUnderWay(home: string, name: string) {
  const serviceLog = path.join(home, 'service.log');
  const from = fs.statSync(serviceLog).size;
  const child = spawn(process.execPath, [CLI, 'wait', name, '--for', 'never-printed', '--timeout-s', '120'], {
    env: { ...process.env, GUESTHOUSE_HOME: home },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // 'close', not 'exit': by then stderr has all the wait said.
  const exited = new Promise<number | null>((r) => child.once('close', r));
  const underWay = expect
    .poll(() => fs.readFileSync(serviceLog).subarray(from).toString(), { timeout: 30_000, message: 'the wait under way in the service log' })
    .toContain(`${name}: a wait for console text watches the output`);
  // A wait that ends before it is under way fails this at once, with what it said.
  const first = await Promise.race([underWay.then(() => 'under way'), exited.then((code) => `ended with ${code}: ${stderr}`)]);
  expect(first).toBe('under way');
  return { exited, stderr: () => stderr };
}

describe('CLI input with no guest', () => {
  let home: string;
  beforeAll(() => {
    home = tempHome();
  });
  afterAll(() => {
    if (home) cli(home, ['service', 'stop']);
  });

  it.each([[['service', 'foo']], [['service']], [['service', 'status', 'extra']]])('%j says how to use it and exits 2 at once', (args) => {
    const r = cli(home, args);
    expect(r).toMatchObject({ code: 2, stdout: '', stderr: 'Say "service status" or "service stop".\n' });
    expect(r.ms).toBeLessThan(5000);
  });

  it('names that differ only in Unicode normalization (NFC, NFD) are one name', () => {
    expect(cli(home, ['create', 'caf\u00e9', '--os', 'other-x64', '--network', 'none'])).toMatchObject({ code: 0 });
    const before = snapshot(home);
    for (const name of ['cafe\u0301', 'CAFE\u0301']) {
      const r = cli(home, ['create', name, '--os', 'other-x64']);
      expect(r.code).toBe(1);
      expect(Buffer.from(r.stderr, 'latin1').toString()).toBe(`A VM named "${name.normalize('NFC')}" already exists; choose another name.\n`);
    }
    expect(snapshot(home)).toEqual(before);
    // Either spelling finds the VM.
    expect(JSON.parse(Buffer.from(cli(home, ['show', 'cafe\u0301', '--json']).stdout, 'latin1').toString()).name).toBe('caf\u00e9');
  });
});

describe('a guest host that dies of an exception says which', () => {
  it('its last state is the exception, which the service shows instead of an exit code', async () => {
    if (!fs.existsSync(guestHostEntry)) throw new Error(`${guestHostEntry} is missing: run npm run build first`);
    const vmDir = fs.mkdtempSync(path.join(tempHome(), 'vm-'));
    fs.mkdirSync(path.join(vmDir, 'logs'));
    // A ring buffer of -1 bytes throws in the boot outside every try: a bug, as far as the guest host knows.
    const spec = {
      config: {},
      vmDir,
      runtimeDir: vmDir,
      engine: 'v86',
      stateFile: path.join(vmDir, 's'),
      restoreState: false,
      ringBytes: -1,
    } as unknown as BootSpec;
    const states: string[] = [];
    const guest = new RunningGuest('id', 'broken', spec, new GuestHostPool(forkSpawner).launch, {
      onState: (state, reason) => states.push(`${state}${reason ? `: ${reason.message}` : ''}`),
      onGone: () => undefined,
    });
    await expect(guest.started).rejects.toThrow('The v86 engine stopped: Invalid typed array length: -1');
    await guest.gone;
    expect(states.at(-1)).toBe('crashed: The v86 engine stopped: Invalid typed array length: -1');
    // The stack is in the guest host's log, for a bug report.
    await expect
      .poll(() => fs.readFileSync(path.join(vmDir, 'logs', 'guesthost.log'), 'utf8'), { timeout: 5000, message: "the stack in the guest host's log" })
      .toMatch(/RangeError: Invalid typed array length: -1\n +at /);
  });
});

describe('the console under faults and long input', () => {
  const missing = realGuestsMissing();
  if (skipBecause(missing)) return;
  let guest: TestGuest;
  let home: string;

  beforeAll(async () => {
    guest = await tinyGuest('amd64');
    home = tempHome();
    const boot = [...tinyVmArgs(guest), '--display', 'none'];
    expect(cli(home, ['create', 'tty', ...boot]).code).toBe(0);
    expect(cli(home, ['start', 'tty']).code).toBe(0);
    expect(cli(home, ['wait', 'tty', '--for', guest.readyMarker, '--timeout-s', '90']).code).toBe(0);
  });
  afterAll(() => {
    if (home) cli(home, ['service', 'stop']);
  });

  it('attaching replays the backlog without the terminal queries in it, so the terminal types nothing', async () => {
    // The guest asks for the cursor position while nobody is attached; the query stays in the backlog.
    expect(cli(home, ['send', 'tty', "printf 'ZZ\\\\033[6n-%s-ZZ\\\\n' $((3*4))\\n"]).code).toBe(0);
    expect(cli(home, ['wait', 'tty', '--for', '\x1b[6n-12-ZZ', '--timeout-s', '30']).code).toBe(0);
    const child = spawn(process.execPath, [CLI, 'console', 'tty'], { env: { ...process.env, GUESTHOUSE_HOME: home } });
    let out = '';
    let answers = 0;
    const seen = (text: string) =>
      new Promise<void>((resolve) => {
        const check = () => out.includes(text) && resolve();
        child.stdout.on('data', check);
        check();
      });
    let searched = 0;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('latin1');
      // As a terminal would: each cursor-position query it sees gets an answer, typed into stdin.
      for (let at = out.indexOf('\x1b[6n', searched); at >= 0; at = out.indexOf('\x1b[6n', at + 1)) {
        answers++;
        child.stdin.write('\x1b[24;1R');
      }
      searched = Math.max(0, out.length - 3);
    });
    await seen('-12-ZZ');
    // The replay: the printf's output without its query, so the terminal answered nothing.
    expect(out).toContain('ZZ-12-ZZ');
    expect(answers).toBe(0);
    // Live output is the terminal's to answer as usual (a shell may ask at its prompt).
    child.stdin.write('echo typed-$((8*8))\n');
    await seen('typed-64');
    child.stdin.write(Buffer.from([0x1d]));
    expect(await new Promise<number | null>((r) => child.once('exit', r))).toBe(0);
  });

  it('a 16 MiB console write is refused with a sentence, and the console still answers', async () => {
    const client = (await connectToService(home, false))!;
    try {
      const started = performance.now();
      await expect(client.writeConsole('tty', new Uint8Array(16 * 2 ** 20).fill(0x61))).rejects.toThrow(
        'One console write takes at most 64 KiB; send longer input in parts, as "guesthouse send NAME --file FILE" does.',
      );
      expect(performance.now() - started).toBeLessThan(10_000);
    } finally {
      client.close();
    }
    const long = cli(home, ['send', 'tty', 'x'.repeat(100 * 1024)]);
    expect(long).toMatchObject({
      code: 1,
      stderr: 'One console write takes at most 64 KiB; send longer input in parts, as "guesthouse send NAME --file FILE" does.\n',
    });
    expect(cli(home, ['send', 'tty', 'echo alive-$((5*5))\\n']).code).toBe(0);
    expect(cli(home, ['wait', 'tty', '--for', 'alive-25', '--timeout-s', '10']).code).toBe(0);
  });

  it('send --file types a 200 KiB file completely, in parts, and - reads stdin', () => {
    const line = (i: number) => `${String(i).padStart(6, '0')} ${'abcdefghij'.repeat(9)}\n`; // 98 bytes
    let text = '';
    for (let i = 0; text.length < 200 * 1024; i++) text += line(i);
    text = text.slice(0, 200 * 1024 - 1) + '\n';
    const file = path.join(home, 'big.txt');
    fs.writeFileSync(file, text);
    const sum = crypto.createHash('md5').update(text).digest('hex');
    expect(cli(home, ['send', 'tty', 'echo cat-$((1+2)); cat > /tmp/f; echo size-$(wc -c < /tmp/f)-$(md5sum < /tmp/f | cut -c1-32)\\n']).code).toBe(0);
    expect(cli(home, ['wait', 'tty', '--for', 'cat-3', '--timeout-s', '10']).code).toBe(0);
    const sent = cli(home, ['send', 'tty', '--file', file]);
    expect(sent).toMatchObject({ code: 0, stderr: '' });
    expect(cli(home, ['send', 'tty', '\\x04']).code).toBe(0); // Ctrl-D ends cat
    expect(cli(home, ['wait', 'tty', '--for', `size-${200 * 1024}-${sum}`, '--timeout-s', '60']).code).toBe(0);

    expect(cli(home, ['send', 'tty', 'cat > /tmp/g; echo stdin-$(wc -c < /tmp/g)\\n']).code).toBe(0);
    expect(cli(home, ['send', 'tty', '--file', '-'], 'one\ntwo\n').code).toBe(0);
    expect(cli(home, ['send', 'tty', '\\x04']).code).toBe(0);
    expect(cli(home, ['wait', 'tty', '--for', 'stdin-8', '--timeout-s', '30']).code).toBe(0);
    expect(cli(home, ['send', 'tty', '--file', path.join(home, 'nope.txt')])).toMatchObject({
      code: 2,
      stderr: `There is no file ${path.join(home, 'nope.txt')}.\n`,
    });
  });

  it('wait ends at once when the guest crashes, with the reason; on a VM not running it says so', async () => {
    // Under way, not just started: a crash before the wait's call would give the same sentence.
    const waiting = await waitUnderWay(home, 'tty');
    const { runtime } = JSON.parse(cli(home, ['show', 'tty', '--json']).stdout);
    const killedAt = performance.now();
    process.kill(runtime.enginePid, 'SIGKILL');
    expect(await waiting.exited).toBe(1);
    expect(performance.now() - killedAt).toBeLessThan(10_000);
    expect(waiting.stderr()).toBe('"tty" crashed: QEMU was killed by SIGKILL.\n');
    // Afterwards, the crash is still the answer, not the old log.
    expect(cli(home, ['wait', 'tty', '--for', guest.readyMarker, '--timeout-s', '5'])).toMatchObject({
      code: 1,
      stderr: '"tty" crashed: QEMU was killed by SIGKILL.\n',
    });
    // A VM stopped normally: the log of its last run holds the marker, but that run is over.
    expect(cli(home, ['start', 'tty']).code).toBe(0);
    expect(cli(home, ['wait', 'tty', '--for', guest.readyMarker, '--timeout-s', '90']).code).toBe(0);
    const stopping = await waitUnderWay(home, 'tty');
    expect(cli(home, ['stop', 'tty', '--force']).code).toBe(0);
    expect(await stopping.exited).toBe(1);
    expect(stopping.stderr()).toBe('"tty" stopped: Powered off.\n');
    expect(cli(home, ['wait', 'tty', '--for', guest.readyMarker, '--timeout-s', '5'])).toMatchObject({ code: 1, stderr: '"tty" is not running.\n' });
  });
});
