// A guest flooding its console while a viewer does not keep up: the guest's output is
// paused (memory stays bounded), and it goes on once the viewer acknowledges.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FLOW_HIGH_BYTES } from '../../core/common/presets';
import { tinyVm } from '../support/guest';
import { realGuestsMissing, skipBecause } from '../support/require';
import { guestService } from '../support/service';

const missing = realGuestsMissing();

describe('console flow control with a real guest', () => {
  if (skipBecause(missing)) return;
  const t = guestService();

  beforeAll(async () => {
    await t.service.createVm(tinyVm(t.guest, 'flood'));
    await t.service.startVm('flood');
    expect(await t.service.waitForConsole('flood', t.guest.readyMarker, 60_000)).toBe(true);
  });

  it('a viewer that does not acknowledge pauses the flood; acknowledging lets it finish', async () => {
    let received = 0;
    let text = '';
    let reachedHigh!: () => void;
    const high = new Promise<void>((r) => (reachedHigh = r));
    const viewer = await t.service.attachConsole(
      'flood',
      (d) => {
        received += d.length;
        text = (text + Buffer.from(d).toString('latin1')).slice(-64);
        if (received > FLOW_HIGH_BYTES) reachedHigh();
      },
      { flowControl: true },
    );
    await t.service.writeConsole('flood', Buffer.from("head -c 3000000 /dev/zero | tr '\\0' x; echo; echo __F_$((1+1))__\n"));
    await high;
    // Paused: over a while, at most what was already in flight arrives, far from 3 MB.
    expect(await t.service.waitForConsole('flood', '__F_2__', 1500)).toBe(false);
    const stalled = received;
    expect(stalled).toBeLessThan(FLOW_HIGH_BYTES + 256 * 1024);
    // The guest itself is held back, not just this viewer: its console log stops growing
    // (unthrottled, this guest prints ~170 KiB in half a second).
    const log = path.join((await t.service.getVm('flood')).folder, 'logs', 'console.log');
    const before = fs.statSync(log).size;
    expect(await t.service.waitForConsole('flood', '__F_2__', 500)).toBe(false);
    expect(fs.statSync(log).size - before).toBeLessThan(16 * 1024);
    // Acknowledge as it comes from now on: the rest arrives and the command finishes.
    viewer.ack(received);
    const done = new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        viewer.ack(received);
        if (text.includes('__F_2__')) {
          clearInterval(timer);
          resolve();
        }
      }, 20);
    });
    await done;
    expect(received).toBeGreaterThan(3_000_000);
    viewer.dispose();
  });
});
