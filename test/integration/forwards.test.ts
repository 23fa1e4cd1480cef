// Port forwards as rules on a real QEMU with the tiny guest (which brings its card up and
// runs busybox httpd): a forward added while the guest runs answers at once, a removed one
// closes, one asked for while the guest starts goes live after the start, the saved ones work after a restart, a held, a doubled and a named-twice port are
// refused with their sentences and the config unchanged; a host-only card reaches nothing
// outside while its forwards still reach in, and the same guest on NAT reaches the host.
import dns from 'node:dns';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import type { VmConfig } from '../../core/common/config';
import { tinyVm } from '../support/guest';
import { realGuestsMissing, skipBecause } from '../support/require';
import { guestService, runInGuest } from '../support/service';
import { freePort } from '../support/ports';

const missing = realGuestsMissing();

/** What the guest's web server answers through the host's port, or the error's code. */
async function get(port: number): Promise<string> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(10_000) });
    return (await res.text()).trim();
  } catch (err) {
    return `failed: ${String((err as { cause?: { code?: string } }).cause?.code ?? err)}`;
  }
}

/** A host server on 127.0.0.1 that greets whoever connects (what a guest on NAT reaches as 10.0.2.2). */
async function greeter(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer((s) => s.end('hello-from-host\n'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, close: () => new Promise((r) => server.close(() => r())) };
}

describe('port forwards as rules', () => {
  if (skipBecause(missing)) return;
  const t = guestService();

  /** Boots `vm`, waits for its card to have an address, and starts the web server. */
  async function bootWithWeb(vm: string): Promise<void> {
    await t.service.startVm(vm);
    expect(await t.service.waitForConsole(vm, t.guest.netReadyMarker, 90_000)).toBe(true);
    await runInGuest(t.service, vm, 'mkdir -p /www && echo hello-from-guest >/www/index.html && httpd -p 80 -h /www');
  }

  const configOf = async (vm: string): Promise<VmConfig> => (await t.service.getVm(vm)).config;

  it('added while running answers at once; removed, the port closes; refusals change nothing; kept across a restart', async () => {
    await t.service.createVm({ ...tinyVm(t.guest, 'fw'), network: 'nat', nicModel: 'virtio' });
    await bootWithWeb('fw');
    try {
      const port = await freePort();
      const added = await t.service.addForward('fw', { name: 'web', protocol: 'tcp', hostPort: port, guestPort: 80 });
      expect(added).toMatchObject({ name: 'web', nic: 'net0', hostAddress: '127.0.0.1', hostPort: port, guestPort: 80 });
      expect(await get(port)).toBe('hello-from-guest');

      const before = await configOf('fw');
      // A port another program holds: refused before QEMU is asked.
      const held = net.createServer();
      await new Promise<void>((r) => held.listen(0, '127.0.0.1', r));
      const heldPort = (held.address() as net.AddressInfo).port;
      try {
        await expect(t.service.addForward('fw', { protocol: 'tcp', hostPort: heldPort, guestPort: 81 })).rejects.toThrow(
          `Host port ${heldPort} (tcp) on 127.0.0.1 is in use by another program; choose another host port.`,
        );
      } finally {
        await new Promise((r) => held.close(r));
      }
      // The same host port twice, and a name twice.
      await expect(t.service.addForward('fw', { protocol: 'tcp', hostPort: port, guestPort: 22 })).rejects.toThrow(
        `Host port ${port} (tcp) is forwarded twice; each forward needs its own host port.`,
      );
      await expect(t.service.addForward('fw', { name: 'web', protocol: 'tcp', hostPort: await freePort(), guestPort: 22 })).rejects.toThrow(
        '"fw" already has a forward named "web"; choose another name.',
      );
      await expect(t.service.removeForward('fw', 'nope')).rejects.toThrow('"fw" has no forward named "nope" or on host port nope.');
      expect(await configOf('fw')).toEqual(before);

      await t.service.removeForward('fw', 'web');
      expect(await get(port)).toMatch(/^failed: ECONNREFUSED/);
      expect((await configOf('fw')).nics[0]!.forwards).toEqual([]);

      // Added again (by its host port this time for the removal below), it is in the config the next start uses.
      await t.service.addForward('fw', { protocol: 'tcp', hostPort: port, guestPort: 80 });
      await t.service.powerOffVm('fw');
      await bootWithWeb('fw');
      expect(await get(port)).toBe('hello-from-guest');
      await t.service.removeForward('fw', String(port));
      expect(await get(port)).toMatch(/^failed: ECONNREFUSED/);
    } finally {
      await t.service.powerOffVm('fw');
    }
  }, 300_000);

  it('a forward asked for while the VM starts waits for the start, then goes live in its QEMU', async () => {
    await t.service.createVm({ ...tinyVm(t.guest, 'racy'), network: 'nat', nicModel: 'virtio' });
    const port = await freePort();
    // Both asked at once: the forward takes its turn after the start, so the running QEMU gets it.
    const starting = t.service.startVm('racy');
    const adding = t.service.addForward('racy', { name: 'web', protocol: 'tcp', hostPort: port, guestPort: 80 });
    try {
      await starting;
      expect(await adding).toMatchObject({ name: 'web', hostPort: port });
      expect(await t.service.waitForConsole('racy', t.guest.netReadyMarker, 90_000)).toBe(true);
      await runInGuest(t.service, 'racy', 'mkdir -p /www && echo hello-from-guest >/www/index.html && httpd -p 80 -h /www');
      expect(await get(port)).toBe('hello-from-guest');
      expect((await configOf('racy')).nics[0]!.forwards).toMatchObject([{ name: 'web', hostPort: port, guestPort: 80 }]);
    } finally {
      await t.service.powerOffVm('racy');
    }
  }, 300_000);

  it('a stopped VM changes its config only; a VM without a NAT or host-only card is refused', async () => {
    await t.service.createVm({ ...tinyVm(t.guest, 'fw-off'), network: 'nat' });
    const port = await freePort();
    await t.service.addForward('fw-off', { protocol: 'tcp', hostPort: port, guestPort: 22 });
    expect((await configOf('fw-off')).nics[0]!.forwards).toEqual([
      { name: `tcp-${port}`, protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: port, guestPort: 22 },
    ]);
    await t.service.createVm(tinyVm(t.guest, 'fw-none'));
    await expect(t.service.addForward('fw-none', { protocol: 'tcp', hostPort: port, guestPort: 22 })).rejects.toThrow(
      '"fw-none" has no network card on NAT or host-only, so it takes no port forwards; attach one with --net nat.',
    );
  });

  it('a forward kept on a card attached to nothing leaves the config alone while the guest runs; a host name is refused', async () => {
    const port = await freePort();
    await t.service.createVm({ ...tinyVm(t.guest, 'fw-kept'), network: 'nat', forwards: [{ protocol: 'tcp', hostPort: port, guestPort: 22 }] });
    // The first card on nothing (it keeps its forward, unused), a second on NAT.
    await t.service.modifyVm('fw-kept', { nets: [{ attachment: 'none' }, { attachment: 'nat' }] });
    await expect(t.service.addForward('fw-kept', { protocol: 'tcp', hostAddress: 'localhost', hostPort: await freePort(), guestPort: 80 })).rejects.toThrow(
      /^QEMU forwards only from an IPv4 address; give one \(such as 127\.0\.0\.1\) instead of localhost for host port \d+\.$/,
    );
    await t.service.startVm('fw-kept');
    try {
      await t.service.removeForward('fw-kept', `tcp-${port}`);
      expect((await configOf('fw-kept')).nics.map((n) => n.forwards)).toEqual([[], []]);
    } finally {
      await t.service.powerOffVm('fw-kept');
    }
  });

  it('host-only: forwards reach in, the guest reaches nothing outside (nor resolves a name); the same guest on NAT reaches the host', async () => {
    const host = await greeter();
    const hostResolves = await dns.promises.lookup('deb.debian.org').then(
      () => true,
      () => false,
    );
    try {
      for (const attachment of ['host-only', 'nat'] as const) {
        const vm = `net-${attachment}`;
        const port = await freePort();
        await t.service.createVm({ ...tinyVm(t.guest, vm), network: undefined, nets: [{ attachment, model: 'e1000' }] });
        await bootWithWeb(vm);
        try {
          await t.service.addForward(vm, { protocol: 'tcp', hostPort: port, guestPort: 80 });
          expect(await get(port)).toBe('hello-from-guest');
          const reply = await runInGuest(t.service, vm, `nc -w 3 10.0.2.2 ${host.port} </dev/null; echo rc=$?`);
          if (attachment === 'nat') expect(reply).toContain('hello-from-host');
          else expect(reply).not.toContain('hello-from-host');
          // A name outside, through QEMU's DNS: host-only resolves nothing; NAT does where the host itself can.
          const resolved = await runInGuest(t.service, vm, 'nslookup deb.debian.org 10.0.2.3 >/dev/null 2>&1; echo dns=$?', 60_000);
          if (attachment === 'host-only') expect(resolved).not.toContain('dns=0');
          else if (hostResolves) expect(resolved).toContain('dns=0');
        } finally {
          await t.service.powerOffVm(vm);
        }
      }
    } finally {
      await host.close();
    }
  }, 300_000);
});
