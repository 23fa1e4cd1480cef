// One thing at a time per VM for the operations that change its disks, its snapshot tree or its
// forwards (snapshots, clones, disk tools, forwards) and for a start: each waits for the one
// before it, in the order asked, whether that one failed or not. Work already in a VM's turn
// that asks for the turn again (a revert that starts the VM) runs at once instead of waiting
// for itself.
import { AsyncLocalStorage } from 'node:async_hooks';

interface Turn {
  id: string;
  open: boolean;
}

export class VmQueue {
  private readonly tails = new Map<string, Promise<unknown>>();
  /** The turns the current async context is inside (a turn counts only until its work ends). */
  private readonly holding = new AsyncLocalStorage<readonly Turn[]>();

  /** Runs `work` once everything queued before it for VM `id` has finished. */
  run<T>(id: string, work: () => Promise<T>): Promise<T> {
    const held = this.holding.getStore() ?? [];
    if (this.holds(id)) return work();
    const turn: Turn = { id, open: true };
    const inTurn = () =>
      this.holding.run([...held, turn], work).finally(() => {
        turn.open = false;
      });
    const before = this.tails.get(id) ?? Promise.resolve();
    const result = before.then(inTurn, inTurn);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(id, tail);
    void tail.then(() => {
      if (this.tails.get(id) === tail) this.tails.delete(id);
    });
    return result;
  }

  private holds(id: string): boolean {
    return (this.holding.getStore() ?? []).some((t) => t.open && t.id === id);
  }

  /** Resolves once what is queued for VM `id` now has finished (at once inside its turn). */
  async idle(id: string): Promise<void> {
    if (this.holds(id)) return;
    await this.tails.get(id);
  }
}
