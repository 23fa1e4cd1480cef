// New MAC addresses for network cards: random (node:crypto) in QEMU's 52:54:00 range, for a
// new VM's card and for each card of a clone (two VMs with one MAC break a shared network).
import { randomBytes } from 'node:crypto';
import { macFromBytes, QEMU_DEFAULT_MAC, type NicConfig } from '../../common/nics';

/** A random MAC that is none of `taken` (nor QEMU's default, which older VMs all had). */
export function randomMac(taken: Iterable<string> = []): string {
  const avoid = new Set(taken);
  avoid.add(QEMU_DEFAULT_MAC);
  for (;;) {
    const mac = macFromBytes(randomBytes(3));
    if (!avoid.has(mac)) return mac;
  }
}

/**
 * The cards with a new MAC each (a clone's), distinct from one another and from `taken`, and
 * the old MAC → new MAC map, so that the settings a kept snapshot restores get the same ones.
 */
export function withNewMacs(nics: readonly NicConfig[], taken: Iterable<string> = []): { nics: NicConfig[]; renamed: Map<string, string> } {
  const used = new Set([...taken, ...nics.map((n) => n.mac)]);
  const renamed = new Map<string, string>();
  const out = nics.map((nic) => {
    const mac = renamed.get(nic.mac) ?? randomMac(used);
    used.add(mac);
    renamed.set(nic.mac, mac);
    return { ...nic, mac };
  });
  return { nics: out, renamed };
}
