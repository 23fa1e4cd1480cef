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
});
