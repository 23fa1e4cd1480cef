// Network cards on a real QEMU with the tiny guest: the card QEMU runs has the VM's own MAC
// (and each VM its own, on NAT and on a private network alike, kept across restarts, a new one
// for a clone), sits in the PCI slot the `-nic` card had before config version 4, and its NAT
// attachment forwards the host port.
import fs from 'node:fs';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { tinyVm } from '../support/guest';
import { realGuestsMissing, skipBecause } from '../support/require';
import { guestService, runInGuest } from '../support/service';
import { freePort } from '../support/ports';

const missing = realGuestsMissing();

/** Whether something accepts a TCP connection on the host's port. */
const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

describe('network cards in QEMU', () => {
  if (skipBecause(missing)) return;
  const t = guestService();

  it('two VMs: each card its own MAC in the running QEMU, at PCI 00:02.0, with its forward live', async () => {
    const port = await freePort();
    const forwards = [{ protocol: 'tcp' as const, hostPort: port, guestPort: 22 }];
    const a = await t.service.createVm({ ...tinyVm(t.guest, 'nic-a'), network: 'nat', nicModel: 'virtio', forwards });
    const b = await t.service.createVm({ ...tinyVm(t.guest, 'nic-b'), network: 'nat', nicModel: 'e1000' });
    const [macA, macB] = [a.config.nics[0]!.mac, b.config.nics[0]!.mac];
    expect(macA).not.toBe(macB);
    await t.service.startVm('nic-a');
    await t.service.startVm('nic-b');
    try {
      for (const [vm, mac, device] of [
        ['nic-a', macA, '0x1000'], // virtio-net (transitional)
        ['nic-b', macB, '0x100e'], // Intel 82540EM (e1000)
      ] as const) {
        expect(await t.service.waitForConsole(vm, t.guest.netReadyMarker, 90_000)).toBe(true);
        const pid = (await t.service.getVm(vm)).runtime!.enginePid!;
        const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        expect(argv).toContain(`${device === '0x1000' ? 'virtio-net-pci' : 'e1000'},netdev=net0,mac=${mac}`);
        // The guest sees the card on the PCI bus where -nic put it (once its driver is in and the card up, so nothing it says interleaves with the commands).
        // (Two short commands: the console wraps a long one, which runInGuest would not find again.)
        await runInGuest(t.service, vm, 'cd /sys/bus/pci/devices/0000:00:02.0');
        const pci = await runInGuest(t.service, vm, 'cat class device');
        expect(pci.split(/\s+/)).toEqual(['0x020000', device]);
      }
      // QEMU's user network listens on the forward's host port.
      expect(await accepts(port)).toBe(true);
    } finally {
      await t.service.powerOffVm('nic-a');
      await t.service.powerOffVm('nic-b');
    }
  }, 240_000);
  it('two VMs on one private network: each its own MAC, the same after a restart; a clone gets a new one', async () => {
    await t.service.createNetwork('macs');
    const nets = [{ attachment: 'private:macs' as const }];
    await t.service.createVm({ ...tinyVm(t.guest, 'mac-a'), network: undefined, nets });
    await t.service.createVm({ ...tinyVm(t.guest, 'mac-b'), network: undefined, nets });
    /** The MAC the running QEMU gives the card, from its argv. */
    const running = async (vm: string): Promise<string> => {
      await t.service.startVm(vm);
      const pid = (await t.service.getVm(vm)).runtime!.enginePid!;
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      await t.service.powerOffVm(vm);
      return /mac=([0-9a-f:]{17})/.exec(argv.find((a) => a.includes('netdev=net0,mac=')) ?? '')![1]!;
    };
    const [a1, b1] = [await running('mac-a'), await running('mac-b')];
    expect(a1).not.toBe(b1);
    expect([await running('mac-a'), await running('mac-b')]).toEqual([a1, b1]);
    expect((await t.service.getVm('mac-a')).config.nics[0]!.mac).toBe(a1);
    const clone = await t.service.cloneVm('mac-a', { name: 'mac-c', mode: 'full' });
    expect(clone.config.nics[0]!.attachment).toBe('private:macs');
    expect([a1, b1]).not.toContain(clone.config.nics[0]!.mac);
    expect(await running('mac-c')).toBe(clone.config.nics[0]!.mac);
    // The network's switch ends with the network (it would otherwise wait 10 idle minutes).
    for (const vm of ['mac-a', 'mac-b', 'mac-c']) await t.service.deleteVm(vm);
    await t.service.deleteNetwork('macs');
  }, 240_000);
});
