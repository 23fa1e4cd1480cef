// Network cards on a real QEMU with the tiny guest: the card QEMU runs has the VM's own MAC
// (and each VM its own), sits in the PCI slot the `-nic` card had before config version 4,
// and its NAT attachment forwards the host port.
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
        expect(await t.service.waitForConsole(vm, t.guest.readyMarker, 90_000)).toBe(true);
        const pid = (await t.service.getVm(vm)).runtime!.enginePid!;
        const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        expect(argv).toContain(`${device === '0x1000' ? 'virtio-net-pci' : 'e1000'},netdev=net0,mac=${mac}`);
        // The guest (which has no NIC driver) sees the card on the PCI bus where -nic put it.
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
});
