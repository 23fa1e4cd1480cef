// Private networks on real QEMU tiny guests (static addresses from the kernel command line):
// two guests on one network ping and nc each other, a third on another network reaches
// neither; a frame sent to the switch from a local socket it does not know is dropped (the
// same frame from a member's port is taken); bad names and unknown networks are one sentence
// each with nothing changed. The switch's outliving a kill -9 of the service: networkDeath.test.ts.
import dgram from 'node:dgram';
import { afterAll, describe, expect, it } from 'vitest';
import { askSwitch } from '../../core/node/service/privateNetworks';
import { switchFiles } from '../../core/node/netSwitch/switch';
import { runtimeDir } from '../../core/node/shared/paths';
import { tinyVm, type TestGuest } from '../support/guest';
import { realGuestsMissing, skipBecause } from '../support/require';
import { guestService, runInGuest } from '../support/service';

const missing = realGuestsMissing();

/** A tiny guest whose first card is on `attachment` with a static address. */
export const onNetwork = (guest: TestGuest, name: string, attachment: string, address: string) => ({
  ...tinyVm(guest, name, `${guest.append} guesthouse.ip.eth0=${address}/24`),
  network: undefined,
  nets: [{ attachment: attachment as 'none', model: 'virtio' as const }],
});

/** An ARP request "who has `target`? tell `sender` at `mac`": a Linux guest owning `target` keeps `sender` in its ARP table. */
function arpRequest(mac: string, sender: string, target: string): Buffer {
  const hw = Buffer.from(mac.replace(/:/g, ''), 'hex');
  const ip = (a: string) => Buffer.from(a.split('.').map(Number));
  const head = Buffer.from('ffffffffffff', 'hex');
  return Buffer.concat([head, hw, Buffer.from('08060001080006040001', 'hex'), hw, ip(sender), Buffer.alloc(6), ip(target)]);
}

const udpSocket = () =>
  new Promise<dgram.Socket>((resolve) => {
    const s = dgram.createSocket('udp4');
    s.bind(0, '127.0.0.1', () => resolve(s));
  });

describe('private networks', () => {
  if (skipBecause(missing)) return;
  const t = guestService();
  afterAll(async () => {
    await t.service?.powerOffAll();
    for (const n of ['lab', 'other']) await askSwitch(switchFiles(runtimeDir(t.home), n).control, { op: 'quit' }).catch(() => undefined);
  });

  it('bad names, a taken name and unknown networks: one sentence each, nothing changed', async () => {
    await expect(t.service.createNetwork('')).rejects.toThrow(
      "A network's name must be 1 to 32 letters, digits, dashes or underscores, beginning with a letter or digit.",
    );
    await expect(t.service.createNetwork('no/slash')).rejects.toThrow("A network's name must be");
    expect(await t.service.listNetworks()).toEqual([]);
    expect(await t.service.createNetwork('lab')).toMatchObject({ name: 'lab', members: [], switchPort: null });
    await expect(t.service.createNetwork('LAB')).rejects.toThrow('A network named "LAB" already exists.');
    expect((await t.service.listNetworks()).map((n) => n.name)).toEqual(['lab']);

    const unknown = 'There is no private network "nowhere"; make it first with "guesthouse network create nowhere".';
    await expect(t.service.createVm(onNetwork(t.guest, 'lost', 'private:nowhere', '192.168.77.9'))).rejects.toThrow(unknown);
    expect((await t.service.listVms()).map((v) => v.name)).toEqual([]);
    await t.service.createVm(onNetwork(t.guest, 'a', 'private:lab', '192.168.77.2'));
    const before = (await t.service.getVm('a')).config;
    await expect(t.service.modifyVm('a', { nets: [{ attachment: 'private:nowhere' }] })).rejects.toThrow(unknown);
    expect((await t.service.getVm('a')).config).toEqual(before);
    await expect(t.service.deleteNetwork('lab')).rejects.toThrow(
      'The network "lab" is in use by "a"; attach their cards elsewhere (or to none) before deleting it.',
    );
    await expect(t.service.deleteNetwork('nowhere')).rejects.toThrow(unknown);
    expect(await t.service.listNetworks()).toMatchObject([{ name: 'lab', members: ['a'] }]);
  });

  it('guests on one network reach each other, not one on another; a foreign datagram is dropped', async () => {
    await t.service.createNetwork('other');
    await t.service.createVm(onNetwork(t.guest, 'b', 'private:lab', '192.168.77.3'));
    await t.service.createVm(onNetwork(t.guest, 'c', 'private:other', '192.168.77.4'));
    for (const vm of ['a', 'b', 'c']) await t.service.startVm(vm);
    for (const [vm, ip] of [
      ['a', '192.168.77.2'],
      ['b', '192.168.77.3'],
      ['c', '192.168.77.4'],
    ] as const) {
      expect(await t.service.waitForConsole(vm, `${t.guest.netReadyMarker} eth0=${ip}`, 120_000)).toBe(true);
    }
    const macs = await Promise.all(['a', 'b', 'c'].map(async (vm) => (await t.service.getVm(vm)).config.nics[0]!.mac));
    expect(new Set(macs).size).toBe(3);

    expect(await runInGuest(t.service, 'a', 'ping -c 2 -W 3 192.168.77.3', 60_000)).toMatch(/2 packets received/);
    expect(await runInGuest(t.service, 'b', 'ping -c 1 -W 3 192.168.77.2', 60_000)).toMatch(/1 packets received/);
    // A TCP stream: nc listening in b, a connects and sends a line.
    await runInGuest(t.service, 'b', '(nc -l -p 5000 >/tmp/got &)');
    await runInGuest(t.service, 'a', '(echo hello-over-lab | nc 192.168.77.3 5000 &)');
    await expect.poll(() => runInGuest(t.service, 'b', 'cat /tmp/got'), { timeout: 30_000, interval: 500 }).toContain('hello-over-lab');
    // c, on another network with an address on the same subnet, reaches neither (and they not it).
    expect(await runInGuest(t.service, 'c', 'ping -c 1 -W 2 192.168.77.2', 60_000)).toMatch(/0 packets received/);
    expect(await runInGuest(t.service, 'a', 'ping -c 1 -W 2 192.168.77.4', 60_000)).toMatch(/0 packets received/);

    // A foreign local socket sends b an ARP request from 192.168.77.99: the switch drops it.
    const lab = switchFiles(runtimeDir(t.home), 'lab').control;
    const { port, dropped } = await askSwitch(lab, { op: 'stats' });
    expect((await t.service.listNetworks()).find((n) => n.name === 'lab')).toMatchObject({ members: ['a', 'b'], switchPort: port });
    const foreign = await udpSocket();
    foreign.send(arpRequest('52:54:00:99:99:99', '192.168.77.99', '192.168.77.3'), port, '127.0.0.1');
    await expect.poll(async () => (await askSwitch(lab, { op: 'stats' })).dropped, { timeout: 10_000, interval: 50 }).toBe(dropped + 1);
    // The same request from a port the switch has been told of reaches b, which learns its sender.
    const member = await udpSocket();
    await askSwitch(lab, { op: 'add', key: 'test/member', port: member.address().port });
    member.send(arpRequest('52:54:00:98:98:98', '192.168.77.98', '192.168.77.3'), port, '127.0.0.1');
    await expect.poll(() => runInGuest(t.service, 'b', 'cat /proc/net/arp'), { timeout: 30_000, interval: 500 }).toContain('192.168.77.98');
    expect(await runInGuest(t.service, 'b', 'cat /proc/net/arp')).not.toContain('192.168.77.99');
    await askSwitch(lab, { op: 'remove', key: 'test/member' });
    foreign.close();
    member.close();
    // A guest that ends leaves its switch at once (not when the switch finds its port free, a minute or so later).
    const aKey = `${(await t.service.getVm('a')).config.identity.uuid}/net0`;
    expect(Object.keys((await askSwitch(lab, { op: 'stats' })).members)).toContain(aKey);
    await t.service.powerOffVm('a');
    await expect.poll(async () => Object.keys((await askSwitch(lab, { op: 'stats' })).members), { timeout: 5_000, interval: 50 }).not.toContain(aKey);
  }, 300_000);
});
