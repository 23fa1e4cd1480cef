// The `guesthouse` CLI with libvirt hosts, end to end: host add (refused until the host key is
// accepted), host list, create/start/wait/list/stop/delete with --host over SSH to the real
// libvirtd that test/support/libvirtHost.ts starts, bad input as one sentence. Needs `npm run build`.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli';
import { tinyGuest, type TestGuest } from '../support/guest';
import { libvirtMissing, startLibvirt, type LibvirtFixture } from '../support/libvirtHost';
import { freePort } from '../support/ports';
import { realGuestsMissing, skipBecause } from '../support/require';
import { tempHome } from '../support/service';

const missing = realGuestsMissing() ?? libvirtMissing();

describe('guesthouse host and --host', () => {
  if (skipBecause(missing)) return;
  let fx: LibvirtFixture;
  let guest: TestGuest;
  let home: string;
  const vm = `gh-cli-${process.pid}`;

  beforeAll(async () => {
    guest = await tinyGuest();
    home = tempHome('lvcli');
    fx = await startLibvirt(path.join(home, 'fixture'), await freePort());
  });

  afterAll(async () => {
    if (home) cli(home, ['service', 'stop']);
    fx?.virsh('destroy', vm);
    fx?.virsh('undefine', vm);
    await fx?.stop();
  });

  it('adds a host over SSH once its key is accepted, and runs a VM there', () => {
    const add = ['host', 'add', 'lab', fx.sshUri, '--key', fx.keyFile];
    const first = cli(home, add);
    expect(first.code).toBe(1);
    expect(first.stderr.trim().split('\n')).toEqual([
      `The SSH host key of 127.0.0.1:${fx.sshPort} is not known yet: its fingerprint is ${fx.hostKeyFingerprint}. If that is the host's key, add it with --accept-host-key ${fx.hostKeyFingerprint}.`,
    ]);
    expect(cli(home, ['host', 'list', '--json']).stdout.trim()).toBe('[]');
    const added = cli(home, [...add, '--accept-host-key', fx.hostKeyFingerprint]);
    expect(added.stderr).toBe('');
    expect(added.stdout.trim()).toBe(`Added the host lab (${fx.sshUri}).`);
    const listed = cli(home, ['host', 'list']);
    expect(listed.stdout).toMatch(/lab\s+qemu\+ssh:\S+\s+connected/);

    const boot = [
      '--os',
      'other-x64',
      '--memory',
      '128',
      '--kernel',
      fx.readable(guest.kernel),
      '--initrd',
      fx.readable(guest.initrd),
      '--append',
      guest.append,
    ];
    expect(cli(home, ['create', vm, '--host', 'lab', ...boot]).code).toBe(0);
    expect(fx.virsh('domstate', vm).stdout.trim()).toBe('shut off');
    expect(cli(home, ['start', vm, '--host', 'lab']).code).toBe(0);
    const waited = cli(home, ['wait', vm, '--host', 'lab', '--for', guest.readyMarker, '--timeout-s', '90']);
    expect(waited.stderr).toBe('');
    expect(waited.code).toBe(0);
    const onHost = JSON.parse(cli(home, ['list', '--host', 'lab', '--json']).stdout) as { name: string; state: string; host: string }[];
    expect(onHost).toEqual([expect.objectContaining({ name: vm, state: 'running', host: 'lab' })]);
    // Without --host: the local library, which has no VMs.
    expect(JSON.parse(cli(home, ['list', '--json']).stdout)).toEqual([]);
    expect(cli(home, ['stop', vm, '--host', 'lab', '--timeout-s', '1']).code).toBe(0);
    expect(fx.virsh('domstate', vm).stdout.trim()).toBe('shut off');
    expect(cli(home, ['delete', vm, '--host', 'lab']).code).toBe(0);
    expect(fx.virsh('domstate', vm).status).not.toBe(0);
    const removed = cli(home, ['host', 'remove', 'lab']);
    expect(removed.stdout.trim()).toBe('Removed the host lab; its VMs go on running there.');
  });

  it('bad input: one sentence, nothing kept', () => {
    const badUri = cli(home, ['host', 'add', 'x', 'http://example.org/']);
    expect(badUri.code).toBe(1);
    expect(badUri.stderr.trim().split('\n')).toHaveLength(1);
    expect(badUri.stderr).toContain('The URI must be');
    const badName = cli(home, ['list', '--host', 'no such!']);
    expect(badName.code).toBe(2);
    expect(badName.stderr.trim()).toBe('A host name must be 1 to 32 letters, digits, - or _, starting with a letter or digit.');
    const unknown = cli(home, ['start', 'x', '--host', 'nowhere']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe('There is no host named "nowhere" (guesthouse host list shows them).');
    expect(cli(home, ['host', 'list', '--json']).stdout.trim()).toBe('[]');
  });
});
