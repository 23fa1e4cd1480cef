import fs from 'node:fs';

/**
 * A disk image for v86 read from its file on demand and, unless read-only, written
 * straight back to it: the guest host keeps no copy of the disk in memory. v86 takes
 * any object with load/get/set as an image (the shape of its own SyncBuffer).
 */
export class FileDisk {
  readonly byteLength: number;
  onload: ((e: object) => void) | undefined;
  onprogress: ((e: object) => void) | undefined;
  private readonly fd: number;

  constructor(
    readonly file: string,
    private readonly readOnly: boolean,
  ) {
    this.fd = fs.openSync(file, readOnly ? 'r' : 'r+');
    this.byteLength = fs.fstatSync(this.fd).size;
  }

  load(): void {
    this.onload?.({});
  }

  get_from_cache(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    fs.readSync(this.fd, out, 0, length, offset);
    return out;
  }

  get(offset: number, length: number, done: (data: Uint8Array) => void): void {
    done(this.get_from_cache(offset, length));
  }

  get_and_cache(offset: number, length: number, done: (data: Uint8Array) => void): void {
    this.get(offset, length, done);
  }

  set(offset: number, data: Uint8Array, done: () => void): void {
    if (!this.readOnly) fs.writeSync(this.fd, data, 0, data.length, offset);
    done();
  }

  get_buffer(done: (buffer: ArrayBuffer | undefined) => void): void {
    done(undefined);
  }

  /** The disk is its file: a saved machine state does not carry the disk's content. */
  get_state(): unknown[] {
    return [this.byteLength];
  }

  set_state(): void {}

  close(): void {
    fs.closeSync(this.fd);
  }
}
