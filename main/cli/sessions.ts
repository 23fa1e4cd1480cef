/** The CLI's long-lived conversations with a guest: the console, long input, and the screen for a VNC viewer. */
import { GuesthouseError } from '../../core/common/errors';
import { m, type Sentence, type SentenceData } from '../../core/common/messages';
import { hasEnded, stateWord, type VmState } from '../../core/common/state';
import { stripTerminalQueries } from '../../core/common/terminalQueries';
import { openDisplayStream } from '../../core/node/transport/displayStream';
import { startVncProxy } from '../../core/node/transport/vncProxy';
import type { ServiceClient } from '../../core/node/transport/serviceClient';
import { out } from './print';

/** What the CLI says when the VM it talks to has stopped, crashed or saved its state. */
function ended(name: string, state: VmState, reason: SentenceData | undefined): Sentence {
  return reason ? m('cli.endedWhy', { name, state: stateWord(state), reason }) : m('cli.ended', { name, state: stateWord(state) });
}

export async function consoleSession(client: ServiceClient, name: string): Promise<number> {
  const stdin = process.stdin;
  let finish!: (code: number) => void;
  const done = new Promise<number>((r) => (finish = r));
  // Acknowledge what the terminal has taken, so a flood pauses the guest instead of growing memory.
  const attachment: { ack(n: number): void } & Awaited<ReturnType<ServiceClient['attachConsole']>> = await client.attachConsole(
    name,
    (data) => process.stdout.write(data, () => attachment?.ack(data.length)),
    { flowControl: true },
  );
  process.stderr.write(`${m('cli.connected', { name })}\r\n`);
  // Replayed output must not make the terminal type answers (cursor position…) into the guest.
  process.stdout.write(stripTerminalQueries(attachment.backlog));
  const sub = client.onDidChangeState((e): void => {
    if (e.name === name && hasEnded(e.state)) {
      process.stderr.write(`\r\n${ended(name, e.state, e.reason)}\r\n`);
      finish(0);
    }
  });
  if (stdin.isTTY) stdin.setRawMode(true);
  stdin.on('data', (chunk: Buffer) => {
    const at = chunk.indexOf(0x1d);
    const data = at >= 0 ? chunk.subarray(0, at) : chunk;
    if (data.length) void client.writeConsole(name, data).catch(() => undefined);
    if (at >= 0) finish(0);
  });
  stdin.on('end', () => finish(0));
  const code = await done;
  if (stdin.isTTY) stdin.setRawMode(false);
  stdin.pause();
  sub.dispose();
  attachment.dispose();
  return code;
}

/** Everything on stdin, for send --file -. */
export async function readStdin(): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of process.stdin) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/** A part of long input: well under one write's limit, and no more than a tty's line buffer. */
const SEND_PART_BYTES = 4096;
/** A guest that does not echo (stty -echo, a raw reader) gets the next part after this much quiet. */
const SEND_QUIET_MS = 500;

/**
 * Long input, in parts: each part is sent once the guest has echoed about as many bytes as
 * the last one had (it has taken them), or has been quiet for a moment, so the input never
 * piles up ahead of the guest and the console stays responsive.
 */
export async function sendInParts(client: ServiceClient, name: string, data: Uint8Array): Promise<void> {
  let echoed = 0;
  let wake = () => undefined as void;
  const attachment = await client.attachConsole(name, (d) => {
    echoed += d.length;
    wake();
  });
  const sub = client.onDidChangeState((e): void => {
    if (e.name === name && hasEnded(e.state)) wake();
  });
  try {
    for (let at = 0; at < data.length; at += SEND_PART_BYTES) {
      const part = data.subarray(at, at + SEND_PART_BYTES);
      echoed = 0;
      await client.writeConsole(name, part);
      while (echoed < part.length) {
        const before = echoed;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, SEND_QUIET_MS);
          wake = () => (clearTimeout(timer), resolve());
        });
        if (echoed === before) break; // quiet: the guest is not echoing, or has stopped
      }
    }
  } finally {
    sub.dispose();
    attachment.dispose();
  }
}

/** The VM's screen for a native VNC viewer on a loopback port, until Ctrl-C or the VM stops. */
export async function displaySession(client: ServiceClient, name: string, port: number): Promise<number> {
  let finish!: (code: number) => void;
  const done = new Promise<number>((r) => (finish = r));
  let id: string | undefined;
  // Listen first, so a stop while the port opens is not missed.
  const sub = client.onDidChangeState((e): void => {
    if ((e.id === id || e.name === name) && hasEnded(e.state)) {
      process.stderr.write(`${ended(e.name, e.state, e.reason)}\n`);
      finish(0);
    }
  });
  const stop = () => finish(0);
  try {
    const vm = await client.getVm(name);
    id = vm.id;
    if (!vm.runtime) throw new GuesthouseError('invalid-state', m('vm.notRunning', { name: vm.name }));
    if (vm.config.display.adapter === 'none') throw new GuesthouseError('invalid-state', m('display.none', { name: vm.name }));
    const proxy = await startVncProxy({
      // Each viewer gets its own stream of the screen from the service (the CLI may be on another machine than the guest host).
      upstream: () => openDisplayStream(client, vm.id),
      port,
      onViewer: (e) => {
        if (e.kind === 'refused' || e.kind === 'failed') process.stderr.write(`${m('cli.viewerRefused', { remote: e.remote, reason: e.reason })}\n`);
      },
    });
    out(m('cli.displayAt', { name: vm.name, host: proxy.host, port: proxy.port, password: proxy.password }));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const code = await done;
    await proxy.close();
    return code;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    sub.dispose();
  }
}
