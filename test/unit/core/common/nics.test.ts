// The list of network cards: what the schema refuses, each with one sentence, and the MACs.
import { describe, expect, it } from 'vitest';
import { parseOrThrow, vmConfigSchema } from '../../../../core/common/config';
import { attachedNics, macFromBytes, macFromSeed, MAX_NICS, natForwards, nicsSchema, QEMU_DEFAULT_MAC, type NicConfig } from '../../../../core/common/nics';
import { sampleConfig } from '../../../support/sampleConfig';

const card = (i: number, extra: Partial<NicConfig> = {}): NicConfig => ({
  id: `net${i}`,
  mac: macFromBytes([0x10, 0x20, i]),
  model: 'virtio',
  attachment: 'nat',
  forwards: [],
  ...extra,
});

/** The sentences a config with these cards is refused with. */
function refusal(nics: unknown): string {
  try {
    parseOrThrow(vmConfigSchema, { ...sampleConfig, nics }, 'VM');
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('accepted');
}

describe('network cards', () => {
  it('takes up to eight cards with their own ids and MACs, and writes a MAC in lower case', () => {
    const eight = Array.from({ length: MAX_NICS }, (_, i) => card(i));
    expect(nicsSchema.parse(eight)).toEqual(eight);
    expect(nicsSchema.parse([card(0, { mac: '52:54:00:AB:CD:EF' })])[0]!.mac).toBe('52:54:00:ab:cd:ef');
    expect(nicsSchema.parse([])).toEqual([]);
  });

  it('refuses a MAC that is not six hex pairs, with one sentence', () => {
    const sentence =
      "A network card's MAC address must be six pairs of hex digits such as 52:54:00:12:34:56, and not a multicast address (the first byte even).";
    for (const mac of ['52:54:00:12:34', '52-54-00-12-34-56', '52:54:00:12:34:5g', '', 'x52:54:00:12:34:56']) {
      expect(refusal([card(0, { mac })])).toBe(sentence);
    }
    expect(refusal([card(0, { mac: 7 as unknown as string })])).toBe(sentence);
  });

  it('refuses a multicast MAC (the lowest bit of the first byte set)', () => {
    expect(refusal([card(0, { mac: '01:00:5e:00:00:01' })])).toContain('not a multicast address');
    expect(refusal([card(0, { mac: 'ff:ff:ff:ff:ff:ff' })])).toContain('not a multicast address');
    expect(nicsSchema.safeParse([card(0, { mac: '02:00:00:00:00:01' })]).success).toBe(true);
  });

  it('refuses two cards with one id, or one MAC, each with its own sentence', () => {
    expect(refusal([card(0), card(1, { id: 'net0' })])).toBe('Two network cards have the id net0; each card needs its own.');
    const mac = card(0).mac;
    expect(refusal([card(0), card(1, { mac })])).toBe(`Two network cards have the MAC address ${mac}; each card needs its own.`);
    expect(refusal([card(0), card(1, { mac: mac.toUpperCase() })])).toBe(`Two network cards have the MAC address ${mac}; each card needs its own.`);
  });

  it('refuses a ninth card and an id outside net0 … net7', () => {
    expect(refusal(Array.from({ length: MAX_NICS + 1 }, (_, i) => card(i, { id: `net${i % MAX_NICS}` })))).toContain('A VM can have at most 8 network cards.');
    expect(refusal([card(0, { id: 'eth0' })])).toBe("A network card's id must be one of net0 to net7.");
    expect(refusal([card(0, { id: 'net8' })])).toBe("A network card's id must be one of net0 to net7.");
  });

  it('makes MACs in QEMU’s 52:54:00 range; a seed always gives the same one, never QEMU’s default', () => {
    expect(macFromBytes([0xab, 0x01, 0xff])).toBe('52:54:00:ab:01:ff');
    expect(macFromBytes(new Uint8Array([300, 0, 7]))).toBe('52:54:00:2c:00:07');
    expect(() => macFromBytes([1, 2])).toThrow();
    const seeds = Array.from({ length: 200 }, (_, i) => `vm-${i}`);
    const macs = seeds.map(macFromSeed);
    expect(seeds.map(macFromSeed)).toEqual(macs);
    expect(new Set(macs).size).toBe(seeds.length);
    for (const mac of macs) {
      expect(mac).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
      expect(mac).not.toBe(QEMU_DEFAULT_MAC);
    }
  });

  it('the guest gets the attached cards; only NAT cards forward ports', () => {
    const fwd = { protocol: 'tcp' as const, hostAddress: '127.0.0.1', hostPort: 2222, guestPort: 22 };
    const nics = [card(0, { forwards: [fwd] }), card(1, { attachment: 'none', forwards: [{ ...fwd, hostPort: 3333 }] })];
    expect(attachedNics(nics).map((n) => n.id)).toEqual(['net0']);
    expect(natForwards(nics)).toEqual([fwd]);
  });
});
