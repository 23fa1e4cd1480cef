import { describe, expect, it } from 'vitest';
import { guestInfoShape, withCards, type GuestInfo } from '../../../../core/common/guestAgent';
import { m } from '../../../../core/common/messages';

const info: GuestInfo = {
  agent: true,
  checkedAt: '2026-12-07T20:00:00.000Z',
  os: { name: 'Debian GNU/Linux 12 (bookworm)', version: '12' },
  nics: [
    { name: 'lo', mac: '00:00:00:00:00:00', addresses: ['127.0.0.1/8'] },
    { name: 'eth0', mac: '52:54:00:6a:1b:2c', addresses: ['10.0.2.15/24'] },
    { name: 'eth1', mac: '52:54:00:00:00:99', addresses: [] },
  ],
};

describe('guest facts', () => {
  it("match the guest's interfaces to the VM's cards by MAC, whatever its case", () => {
    const cards = [
      { id: 'net0', mac: '52:54:00:6A:1B:2C' },
      { id: 'net1', mac: '52:54:00:00:00:01' },
    ];
    expect(withCards(info, cards).nics.map((n) => n.card)).toEqual([undefined, 'net0', undefined]);
  });

  it('fit their wire shape, and a wrong field is said', () => {
    expect(guestInfoShape.problems({ ...info, clockNote: m('agent.clockNote', { detail: 'x' }) }, 'info')).toEqual([]);
    expect(guestInfoShape.problems({ ...info, nics: [{ name: 'eth0' }] }, 'info').length).toBeGreaterThan(0);
    expect(guestInfoShape.problems({ ...info, extra: 1 }, 'info').length).toBeGreaterThan(0);
  });
});
