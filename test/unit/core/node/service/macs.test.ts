// New MACs: random bytes from node:crypto, skipping what is taken and QEMU's default; a
// clone's cards each get a new one, and the old → new map its kept snapshots use.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const queue: number[][] = [];
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  // The bytes queued by a test, then the real random ones.
  return { ...real, randomBytes: (n: number) => (queue.length ? Buffer.from(queue.shift()!) : real.randomBytes(n)) };
});

const { randomMac, withNewMacs } = await import('../../../../../core/node/service/macs');
const { QEMU_DEFAULT_MAC } = await import('../../../../../core/common/nics');

const card = (id: string, mac: string) => ({ id, mac, model: 'virtio' as const, attachment: 'nat' as const, forwards: [] });

describe('new MAC addresses', () => {
  beforeEach(() => void (queue.length = 0));

  it('come from crypto random bytes, in 52:54:00', () => {
    queue.push([0xde, 0xad, 0x01]);
    expect(randomMac()).toBe('52:54:00:de:ad:01');
    expect(randomMac()).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
  });

  it('draw again for a MAC that is taken, or QEMU’s default', () => {
    queue.push([0x12, 0x34, 0x56], [0xaa, 0xbb, 0xcc], [0x00, 0x00, 0x07]);
    expect(QEMU_DEFAULT_MAC).toBe('52:54:00:12:34:56');
    expect(randomMac(['52:54:00:aa:bb:cc'])).toBe('52:54:00:00:00:07');
    expect(queue).toEqual([]);
  });

  it("a clone's cards each get a new MAC, none the source's or the library's, and the map from old to new", () => {
    const source = [card('net0', '52:54:00:00:00:01'), card('net1', '52:54:00:00:00:02')];
    // The first draw is the source's own MAC, the second another VM's, the third one of the new ones.
    queue.push([0, 0, 1], [0, 0, 9], [1, 1, 1], [1, 1, 1], [2, 2, 2]);
    const { nics, renamed } = withNewMacs(source, ['52:54:00:00:00:09']);
    expect(nics).toEqual([card('net0', '52:54:00:01:01:01'), card('net1', '52:54:00:02:02:02')]);
    expect([...renamed]).toEqual([
      ['52:54:00:00:00:01', '52:54:00:01:01:01'],
      ['52:54:00:00:00:02', '52:54:00:02:02:02'],
    ]);
    expect(source[0]!.mac).toBe('52:54:00:00:00:01'); // the source's cards are left alone
    // With real random bytes: still new ones.
    const again = withNewMacs(source).nics.map((n) => n.mac);
    expect(again.some((m) => source.some((s) => s.mac === m))).toBe(false);
    expect(new Set(again).size).toBe(2);
  });
});
