// One thing at a time per VM for the operations that change its disks and its snapshot tree
// (snapshots, clones, disk tools) and for a start: each waits for the one before it, in the
// order asked, whether that one failed or not.

export class VmQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `work` once everything queued before it for VM `id` has finished. */
  run<T>(id: string, work: () => Promise<T>): Promise<T> {
    const before = this.tails.get(id) ?? Promise.resolve();
    const result = before.then(work, work);
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

  /** Resolves once what is queued for VM `id` now has finished. */
  async idle(id: string): Promise<void> {
    await this.tails.get(id);
  }
}
