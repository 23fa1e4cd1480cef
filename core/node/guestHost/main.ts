/**
 * Entry of a guest host: one process per running guest. The same file runs under
 * Electron's utilityProcess (process.parentPort) and Node's child_process.fork
 * (process.send); it detects which parent channel it has.
 */
import type { ConsolePort, FromConsolePort, FromGuestHost, ToConsolePort, ToGuestHost } from '../../common/protocol';
import { GuestHost, type ParentChannel } from './guestHost';
import { survivableChannel } from './controlChannel';
import { m } from '../../common/messages';

/** The parts of Electron's MessagePortMain the guest host uses. */
interface MessagePortMain {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  on(event: 'close', listener: () => void): void;
  start(): void;
  close(): void;
}

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown; ports: MessagePortMain[] }) => void): void;
}

function consolePort(port: MessagePortMain): ConsolePort {
  return {
    post: (m: ToConsolePort) => port.postMessage(m),
    onMessage: (handler) => {
      port.on('message', (e) => handler(e.data as FromConsolePort));
      port.start();
    },
    onClose: (handler) => port.on('close', handler),
    close: () => port.close(),
  };
}

function electronChannel(port: ParentPort): ParentChannel {
  return {
    send: (m: FromGuestHost) => port.postMessage(m),
    flush: () => new Promise((resolve) => setImmediate(resolve)),
    onMessage: (handler) => port.on('message', (e) => handler(e.data as ToGuestHost, e.ports?.[0] ? consolePort(e.ports[0]) : undefined)),
    // utilityProcess children are killed with their parent; nothing to watch.
    onDisconnect: () => undefined,
  };
}

function nodeChannel(): ParentChannel {
  let last: Promise<void> = Promise.resolve();
  return {
    send: (m: FromGuestHost) => {
      if (!process.connected) return;
      last = new Promise((resolve) => process.send!(m, undefined, {}, () => resolve()));
    },
    flush: () => last,
    onMessage: (handler) => process.on('message', (m) => handler(m as ToGuestHost)),
    onDisconnect: (handler) => process.on('disconnect', handler),
  };
}

const port = (process as unknown as { parentPort?: ParentPort }).parentPort;
let channel: ParentChannel;
if (port) channel = electronChannel(port);
// --survivable (the headless service's): the guest outlives the service; see controlChannel.ts.
else if (process.send) channel = process.argv.includes('--survivable') ? survivableChannel() : nodeChannel();
else {
  process.stderr.write(`${m('host.byHand')}\n`);
  process.exit(2);
}

process.title = 'guesthouse-guest';
const host = new GuestHost(channel, (code) => process.exit(code));
// An exception nobody caught would end this process with only an exit code for the parent to
// show: the stack goes to guesthost.log, the reason to the parent as the guest's last state.
const crash = (err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  host.crash(err);
};
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);
