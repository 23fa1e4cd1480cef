// A viewer's stream of a running guest's screen (IVmService.openDisplay): the service opens
// its guest host's display socket (RFB, a unix socket in the VM's private runtime folder) and
// hands the bytes on, so no front end touches that socket and a viewer on another machine
// sees the same stream. With flow control the socket is read no further while the viewer is
// DISPLAY_HIGH_BYTES behind; closing either end closes the other, and so does the guest's end.
import net from 'node:net';
import { DISPLAY_HIGH_BYTES, DISPLAY_LOW_BYTES, type DisplayOptions, type DisplayStream } from '../../common/api';
import { GuesthouseError } from '../../common/errors';
import { m } from '../../common/messages';
import type { LibraryEntry } from '../library/library';
import { screenGuest } from './guestScreen';
import { ended, waitEnded, type StateMirror } from './stateMirror';

export async function openDisplay(
  mirror: StateMirror,
  entry: LibraryEntry,
  onData: (data: Uint8Array) => void,
  options: DisplayOptions = {},
): Promise<DisplayStream> {
  const { name } = entry.config.identity;
  const guest = screenGuest(mirror, entry);
  // A guest still starting says where its screen is once its guest host is up.
  if (!guest.displaySocket && guest.state === 'starting') await guest.started.catch(() => undefined);
  if (ended(guest)) throw waitEnded(guest);
  if (!guest.displaySocket) throw new GuesthouseError('invalid-state', m('display.notReady', { name }));
  const socket = net.connect(guest.displaySocket);
  try {
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  } catch (err) {
    socket.destroy();
    if (ended(guest)) throw waitEnded(guest);
    throw new GuesthouseError('invalid-state', m('display.unreachable', { name, detail: (err as Error).message }));
  }
  let open = true;
  let unacked = 0;
  const end = (tell: boolean) => {
    if (!open) return;
    open = false;
    socket.destroy();
    if (tell) options.onClose?.();
  };
  socket.on('data', (data: Buffer) => {
    if (!open) return;
    onData(new Uint8Array(data.buffer, data.byteOffset, data.length));
    if (options.flowControl && (unacked += data.length) > DISPLAY_HIGH_BYTES) socket.pause();
  });
  socket.on('error', () => end(true));
  socket.once('close', () => end(true));
  void guest.gone.then(() => end(true));
  return {
    write: (data) => {
      if (!open) return;
      socket.write(data);
      // A guest host that takes no more of the viewer's events: this viewer is done with it.
      if (socket.writableLength > DISPLAY_HIGH_BYTES) end(true);
    },
    ack: (bytes) => {
      unacked = Math.max(0, unacked - bytes);
      if (open && socket.isPaused() && unacked <= DISPLAY_LOW_BYTES) socket.resume();
    },
    dispose: () => end(false),
  };
}
