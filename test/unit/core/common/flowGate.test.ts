import { describe, expect, it } from 'vitest';
import { FlowGate } from '../../../../core/common/flowGate';
import { FLOW_HIGH_BYTES, FLOW_LOW_BYTES } from '../../../../core/common/presets';

describe('console flow control', () => {
  it('pauses above the high watermark, resumes below the low one (hysteresis)', () => {
    const changes: boolean[] = [];
    const gate = new FlowGate((p) => changes.push(p));
    const v = gate.add();
    gate.sent(v, FLOW_HIGH_BYTES);
    expect(changes).toEqual([]);
    gate.sent(v, 1);
    expect(changes).toEqual([true]);
    gate.acked(v, FLOW_HIGH_BYTES + 1 - FLOW_LOW_BYTES - 1); // just above low: still paused
    expect(changes).toEqual([true]);
    gate.acked(v, 2);
    expect(changes).toEqual([true, false]);
  });

  it('the slowest viewer rules; removing it releases the producer; hold keeps it paused', () => {
    const changes: boolean[] = [];
    const gate = new FlowGate((p) => changes.push(p));
    const fast = gate.add();
    const slow = gate.add();
    gate.sent(fast, 10);
    gate.sent(slow, FLOW_HIGH_BYTES + 10);
    gate.acked(fast, 10);
    expect(changes).toEqual([true]);
    gate.remove(slow);
    expect(changes).toEqual([true, false]);
    gate.hold(true);
    gate.hold(false);
    expect(changes).toEqual([true, false, true, false]);
  });
});
