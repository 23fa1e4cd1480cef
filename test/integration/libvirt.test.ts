// libvirt hosts for real: Debian's libvirtd on this machine, reached as qemu:///system and
// over SSH (a second sshd on 127.0.0.1, ssh2 in this process), through IVmService as every front
// end gets it (HostedService over the library's VmService). The tiny test guest boots under TCG
// in a domain Guesthouse defined, and its ready marker is read from libvirt's serial log.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IVmService, StateChangeEvent } from '../../core/common/api';
import { HostedService } from '../../core/node/libvirt/hostedService';
import { connectSsh } from '../../core/node/libvirt/ssh';
import { VmService } from '../../core/node/service/vmService';
import { tinyGuest, type TestGuest } from '../support/guest';
import { libvirtMissing, startLibvirt, type LibvirtFixture } from '../support/libvirtHost';
import { freePort } from '../support/ports';
import { realGuestsMissing, skipBecause } from '../support/require';
import { tempHome } from '../support/service';

const missing = realGuestsMissing() ?? libvirtMissing();
const PREFIX = `gh-test-${process.pid}-`;

describe('libvirt hosts', () => {
  if (skipBecause(missing)) return;
  let fx: LibvirtFixture;
  let guest: TestGuest;
  let home: string;
  let library: VmService;
  let hosted: HostedService;
  let api: IVmService;
  const events: StateChangeEvent[] = [];

  beforeAll(async () => {
    guest = await tinyGuest();
    home = tempHome('libvirt');
    fx = await startLibvirt(path.join(home, 'fixture'), await freePort());
    library = new VmService({ home });
    hosted = new HostedService(library, { home });
    api = hosted.service;
    api.onDidChangeState((e) => events.push(e));
    await api.addHost({ name: 'here', uri: fx.localUri });
    await api.addHost({ name: 'loop', uri: fx.sshUri, keyFile: fx.keyFile, acceptHostKey: fx.hostKeyFingerprint });
  });

  afterAll(async () => {
    hosted?.close();
    for (const name of fx?.virsh('list', '--all', '--name').stdout.split('\n') ?? []) {
      if (!name.startsWith(PREFIX)) continue;
      fx.virsh('destroy', name);
      fx.virsh('undefine', name);
    }
    await library?.close();
    await fx?.stop();
  });

  const tiny = (name: string, host: string) => ({
    name,
    host,
    osType: 'other-x64' as const,
    memoryMib: 128,
    kernelPath: fx.readable(guest.kernel),
    initrdPath: fx.readable(guest.initrd),
    append: guest.append,
    display: 'none' as const,
  });

  for (const host of ['here', 'loop']) {
    it(`${host}: create → start → marker on the console → stop → delete`, async () => {
      const name = `${PREFIX}${host}`;
      const created = await api.createVm(tiny(name, host));
      expect(created.host).toBe(host);
      expect(created.state).toBe('stopped');
      expect(created.config.directBoot?.append).toBe(guest.append);
      expect((await api.listVms()).filter((v) => v.host === host).map((v) => v.name)).toContain(name);
      const ref = `${host}:${name}`;
      await api.startVm(ref);
      expect((await api.getVm(ref)).state).toBe('running');
      expect(await api.waitForConsole(ref, guest.readyMarker, 60_000)).toBe(true);
      expect(await api.readLog(ref)).toContain(guest.readyMarker);
      await api.pauseVm(ref);
      expect((await api.getVm(ref)).state).toBe('paused');
      await api.resumeVm(ref);
      // The tiny guest does not listen for ACPI: the timeout's destroy ends it.
      await api.shutdownVm(ref, { timeoutMs: 1000 });
      expect((await api.getVm(ref)).state).toBe('stopped');
      const states = events.filter((e) => e.host === host && e.name === name).map((e) => e.state);
      expect(states).toEqual(expect.arrayContaining(['running', 'paused', 'stopped']));
      await api.deleteVm(ref);
      expect((await api.listVms()).map((v) => v.name)).not.toContain(name);
      await expect(api.getVm(ref)).rejects.toThrow(`There is no VM "${name}" on the host ${host}.`);
    });
  }

  it('names with quotes, $( ), ; and non-ASCII reach libvirt as data over SSH', async () => {
    // Relative: a name cannot hold a /. A shell that ran it would make it in root's home (sshd's cwd).
    const canary = `gh-pwned-${process.pid}`;
    const made = () => fs.existsSync(path.join(os.homedir(), canary)) || fs.existsSync(canary);
    const name = `${PREFIX}it's $(touch ${canary}); ünï 한`;
    const vm = await api.createVm(tiny(name, 'loop'));
    expect(vm.name).toBe(name);
    expect(fx.virsh('domuuid', name).stdout.trim()).toBe(vm.id.slice('loop:'.length));
    expect(made()).toBe(false);
    // A newline cannot be in a VM name: a domain description carries one there and back.
    const ssh = await connectSsh({ host: 'loop', uri: fx.sshUri, keyFile: fx.keyFile, hostKey: fx.hostKeyFingerprint });
    try {
      const text = `line one\nit's "two"; $(touch ${canary}) \`id\` ünï`;
      await ssh.ok(['desc', name, '--config', '--new-desc', text]);
      expect((await ssh.ok(['desc', name, '--config'])).replace(/\n$/, '')).toBe(text);
    } finally {
      ssh.close();
    }
    expect(made()).toBe(false);
    await api.deleteVm(`loop:${name}`);
  });

  it('a domain started by virsh outside Guesthouse shows running within a second', async () => {
    const name = `${PREFIX}outside`;
    await api.createVm(tiny(name, 'loop'));
    const seen = new Promise<number>((resolve) => {
      const d = api.onDidChangeState((e) => {
        if (e.host === 'loop' && e.name === name && e.state === 'running') {
          d.dispose();
          resolve(performance.now());
        }
      });
    });
    const started = fx.virsh('start', name);
    const after = performance.now();
    expect(started.status).toBe(0);
    expect((await seen) - after).toBeLessThan(1000);
    expect((await api.listVms()).find((v) => v.host === 'loop' && v.name === name)?.state).toBe('running');
    await api.deleteVm(`loop:${name}`);
  });

  /** Resolves once the host's status is `status` (hosts' changes come as onDidChangeVms). */
  const hostBecomes = (name: string, status: string) =>
    new Promise<void>((resolve) => {
      const check = async () => {
        if ((await api.listHosts()).find((h) => h.name === name)?.status !== status) return;
        d.dispose();
        resolve();
      };
      const d = api.onDidChangeVms(() => void check());
      void check();
    });

  it('libvirtd stopped and started again: the host goes unreachable and comes back, its VM still running', async (ctx) => {
    if (!fx.ownsLibvirtd) return ctx.skip("a libvirtd this test did not start (the system's) is not restarted");
    const name = `${PREFIX}survivor`;
    await api.createVm(tiny(name, 'loop'));
    await api.startVm(`loop:${name}`);
    await fx.restartLibvirtd(async () => {
      await hostBecomes('loop', 'unreachable');
      const loop = (await api.listHosts()).find((h) => h.name === 'loop')!;
      expect(loop.reason?.message).toMatch(/loop/);
      await expect(api.startVm(`loop:${name}`)).rejects.toThrow(/loop/);
    });
    await hostBecomes('loop', 'connected');
    expect((await api.listVms()).find((v) => v.host === 'loop' && v.name === name)?.state).toBe('running');
    await api.deleteVm(`loop:${name}`);
  });

  it('an unknown host key, a changed one, a wrong key and a bad URI: one sentence each', async () => {
    const add = (extra: object) => api.addHost({ name: 'bad', uri: fx.sshUri, keyFile: fx.keyFile, ...extra });
    await expect(add({})).rejects.toThrow(
      `The SSH host key of 127.0.0.1:${fx.sshPort} is not known yet: its fingerprint is ${fx.hostKeyFingerprint}. If that is the host's key, add it with --accept-host-key ${fx.hostKeyFingerprint}.`,
    );
    const other = `SHA256:${'A'.repeat(43)}`;
    await expect(add({ acceptHostKey: other })).rejects.toThrow(
      `The SSH host key of 127.0.0.1:${fx.sshPort} has changed (accepted ${other}, offered now ${fx.hostKeyFingerprint})`,
    );
    await expect(add({ acceptHostKey: fx.hostKeyFingerprint, keyFile: fx.wrongKeyFile })).rejects.toThrow(
      `The SSH server at 127.0.0.1:${fx.sshPort} did not let root in with the key ${fx.wrongKeyFile}.`,
    );
    const closedPort = await freePort();
    await expect(api.addHost({ name: 'bad', uri: `qemu+ssh://root@127.0.0.1:${closedPort}/system`, keyFile: fx.keyFile })).rejects.toThrow(
      `Cannot reach 127.0.0.1:${closedPort}: ECONNREFUSED`,
    );
    await expect(api.addHost({ name: 'bad', uri: 'xen://nowhere/' })).rejects.toThrow('The URI must be');
    // Nothing was kept.
    expect((await api.listHosts()).map((h) => h.name).sort()).toEqual(['here', 'loop']);
    expect((await api.listHosts()).every((h) => h.status === 'connected')).toBe(true);
  });
});
