import { describe, expect, it } from 'vitest';
import { VmQueue } from '../../../../../core/node/service/vmQueue';

describe('one operation at a time per VM', () => {
  it('runs a VM’s work in the order asked, a failure not blocking what follows; other VMs do not wait', async () => {
    const q = new VmQueue();
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = q.run('a', async () => {
      await gate;
      order.push('a1');
      throw new Error('a1 failed');
    });
    const second = q.run('a', async () => {
      order.push('a2');
      return 2;
    });
    const other = q.run('b', async () => {
      order.push('b1');
      return 'b';
    });
    expect(await other).toBe('b');
    expect(order).toEqual(['b1']);
    let idle = false;
    const waited = q.idle('a').then(() => (idle = true));
    release();
    await expect(first).rejects.toThrow('a1 failed');
    expect(await second).toBe(2);
    await waited;
    expect(idle).toBe(true);
    expect(order).toEqual(['b1', 'a1', 'a2']);
  });

  it('work in a VM’s turn that asks for the turn again runs at once (a revert that starts the VM); others still wait for it', async () => {
    const q = new VmQueue();
    const order: string[] = [];
    const after = q.run('a', async () => void order.push('queued after'));
    let late: Promise<void> | undefined;
    const outer = q.run('a', async () => {
      order.push('outer');
      await q.idle('a'); // inside the turn: does not wait for itself
      await q.run('a', async () => {
        await Promise.resolve();
        order.push('nested');
      });
      // Started in the turn, asking after it ended: it waits like anyone else.
      late = new Promise<void>((r) => setTimeout(r, 0)).then(() => q.run('a', async () => void order.push('late')));
      order.push('outer done');
    });
    const last = q.run('a', async () => void order.push('queued last'));
    await outer;
    await Promise.all([after, last]);
    await late;
    expect(order).toEqual(['queued after', 'outer', 'nested', 'outer done', 'queued last', 'late']);
  });
});
