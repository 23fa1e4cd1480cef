/** Keeps the most recent `capacity` bytes of a stream, for late viewers of a console. */
export class RingBuffer {
  private readonly buf: Uint8Array;
  private start = 0;
  private length = 0;

  constructor(readonly capacity: number) {
    this.buf = new Uint8Array(capacity);
  }

  push(data: Uint8Array): void {
    if (data.length >= this.capacity) {
      this.buf.set(data.subarray(data.length - this.capacity));
      this.start = 0;
      this.length = this.capacity;
      return;
    }
    const end = (this.start + this.length) % this.capacity;
    const first = Math.min(data.length, this.capacity - end);
    this.buf.set(data.subarray(0, first), end);
    this.buf.set(data.subarray(first), 0);
    const overflow = Math.max(0, this.length + data.length - this.capacity);
    this.start = (this.start + overflow) % this.capacity;
    this.length = Math.min(this.capacity, this.length + data.length);
  }

  /** A copy of the buffered bytes, oldest first. */
  read(): Uint8Array {
    const out = new Uint8Array(this.length);
    const first = Math.min(this.length, this.capacity - this.start);
    out.set(this.buf.subarray(this.start, this.start + first));
    out.set(this.buf.subarray(0, this.length - first), first);
    return out;
  }
}
