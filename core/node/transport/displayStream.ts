import { Duplex } from 'node:stream';
import type { DisplayStream, LibraryService } from '../../common/api';

/**
 * A guest's screen (IVmService.openDisplay, with flow control) as a Node stream of RFB bytes,
 * for code that pipes (the CLI's VNC proxy, tests): what the stream's reader has taken is
 * acknowledged, so a reader that falls behind holds the screen back instead of growing memory.
 * The stream ends when the guest's end does; destroying it closes the guest's end.
 */
export async function openDisplayStream(service: LibraryService, ref: string): Promise<Duplex> {
  let display: DisplayStream | undefined;
  /** Bytes not yet acknowledged: pushed before the stream was open, or while the reader was full. */
  let owed = 0;
  const settle = () => {
    if (!display || !owed) return;
    const n = owed;
    owed = 0;
    display.ack(n);
  };
  const duplex = new Duplex({
    allowHalfOpen: false,
    read: settle,
    write: (chunk: Buffer, _encoding, done) => {
      display?.write(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
      done();
    },
    destroy: (err, done) => {
      display?.dispose();
      done(err);
    },
  });
  display = await service.openDisplay(
    ref,
    (data) => {
      if (duplex.destroyed) return;
      const taken = duplex.push(Buffer.from(data.buffer, data.byteOffset, data.length));
      owed += data.length;
      if (taken) settle();
    },
    { flowControl: true, onClose: () => duplex.destroyed || duplex.push(null) },
  );
  if (duplex.destroyed) display.dispose();
  settle();
  return duplex;
}
