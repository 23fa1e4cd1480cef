// A private network through the CLI and the headless service: bad names and unknown networks
// are one sentence each with nothing changed; two guests on a network reach each other; after
// kill -9 of the service their switch (a process of its own) runs on, and they reach each
// other again once the next service is up; after the switch is killed too, the next service
// starts it again on the same port.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSwitchState, switchFiles } from '../../core/node/netSwitch/switch';
import { askSwitch } from '../../core/node/service/privateNetworks';
import { runtimeDir } from '../../core/node/shared/paths';
import { processAlive } from '../../core/node/shared/processAlive';
import { tinyGuest, type TestGuest } from '../support/guest';
import { realGuestsMissing, skipBecause } from '../support/require';
import { snapshot } from '../support/cli';
import { cli } from '../support/cli';
import { tempHome } from '../support/service';

const missing = realGuestsMissing();

describe('a private network outlives the service', () => {
  if (skipBecause(missing)) return;
  let guest: TestGuest;
  let home: string;
  const servicePid = () => Number(fs.readFileSync(path.join(runtimeDir(home), 'service.pid'), 'utf8'));
  const args = (address: string, net: string) => [
    ...['--os', 'other-x64', '--memory', '128', '--kernel', guest.kernel, '--initrd', guest.initrd],
    ...['--append', `${guest.append} guesthouse.ip.eth0=${address}/24`, '--net', `${net},model=virtio`],
  ];
  /** Whether `from` reaches `address` (one ping), said by a marker only the guest's shell can print. */
  const reaches = (from: string, address: string, tag: number) => {
    expect(cli(home, ['send', from, `ping -c 1 -W 3 ${address} >/dev/null && echo REACHED-$((${tag}+1))\\n`]).code).toBe(0);
    return cli(home, ['wait', from, '--for', `REACHED-${tag + 1}`, '--timeout-s', '60']).code === 0;
  };

  beforeAll(async () => {
    guest = await tinyGuest('amd64');
    home = tempHome();
  });
  afterAll(async () => {
    if (!home) return;
    cli(home, ['service', 'stop']);
    await askSwitch(switchFiles(runtimeDir(home), 'lab').control, { op: 'quit' }).catch(() => undefined);
  });

  it('bad names and unknown networks: one sentence each, nothing changed', () => {
    const badName = "A network's name must be 1 to 32 letters, digits, dashes or underscores, beginning with a letter or digit.";
    expect(cli(home, ['network', 'create', ''])).toMatchObject({ code: 1, stderr: expect.stringContaining(badName) });
    expect(cli(home, ['network', 'create', 'lab'])).toMatchObject({ code: 0, stdout: 'Made the private network "lab".\n' });
    expect(cli(home, ['network', 'create', 'lab'])).toMatchObject({ code: 1, stderr: expect.stringContaining('A network named "lab" already exists.') });
    const before = snapshot(home);
    const r = cli(home, ['create', 'lost', ...args('192.168.77.9', 'private:nowhere')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('There is no private network "nowhere"; make it first with "guesthouse network create nowhere".');
    expect(snapshot(home)).toEqual(before);
    expect(cli(home, ['network', 'list']).stdout).toBe('lab\tno VMs\n');
  });

  it('after kill -9 of the service, the guests on a network reach each other again', async () => {
    for (const [name, address] of [
      ['one', '192.168.77.2'],
      ['two', '192.168.77.3'],
    ]) {
      expect(cli(home, ['create', name!, ...args(address!, 'private:lab')]).code).toBe(0);
      expect(cli(home, ['start', name!]).code).toBe(0);
    }
    for (const name of ['one', 'two']) expect(cli(home, ['wait', name, '--for', guest.netReadyMarker, '--timeout-s', '120']).code).toBe(0);
    expect(cli(home, ['network', 'list']).stdout).toBe('lab\tone, two\n');
    const deleting = cli(home, ['network', 'delete', 'lab']);
    expect(deleting.code).toBe(1);
    expect(deleting.stderr).toContain('The network "lab" is in use by "one", "two"; attach their cards elsewhere (or to none) before deleting it.');
    expect(reaches('one', '192.168.77.3', 10)).toBe(true);

    const sw = readSwitchState(switchFiles(runtimeDir(home), 'lab').state)!;
    const old = servicePid();
    process.kill(old, 'SIGKILL');
    await expect.poll(() => processAlive(old), { timeout: 5000 }).toBe(false);
    // The switch is no child of the service's: it runs on, on the same port.
    expect(processAlive(sw.pid)).toBe(true);
    // The next CLI call starts a service, which takes the guests over.
    expect(JSON.parse(cli(home, ['list', '--json']).stdout)).toMatchObject([
      { name: 'one', state: 'running' },
      { name: 'two', state: 'running' },
    ]);
    expect(servicePid()).not.toBe(old);
    expect(reaches('two', '192.168.77.2', 20)).toBe(true);
    expect(reaches('one', '192.168.77.3', 30)).toBe(true);
    expect(readSwitchState(switchFiles(runtimeDir(home), 'lab').state)).toMatchObject({ pid: sw.pid, port: sw.port });

    // Worse: the service and the switch both killed, its state file lost. The next service, taking
    // the guests over, starts the switch again on the port their QEMUs send to, with both as members.
    const second = servicePid();
    process.kill(second, 'SIGKILL');
    process.kill(sw.pid, 'SIGKILL');
    await expect.poll(() => [processAlive(second), processAlive(sw.pid)], { timeout: 5000 }).toEqual([false, false]);
    fs.rmSync(switchFiles(runtimeDir(home), 'lab').state);
    expect(cli(home, ['list']).code).toBe(0);
    const back = readSwitchState(switchFiles(runtimeDir(home), 'lab').state)!;
    expect(back.pid).not.toBe(sw.pid);
    expect(back.port).toBe(sw.port);
    expect(Object.keys(back.members)).toHaveLength(2);
    expect(reaches('one', '192.168.77.3', 40)).toBe(true);
    for (const name of ['one', 'two']) expect(cli(home, ['stop', name, '--force']).code).toBe(0);
  }, 300_000);
});
