// openDisplay through the RPC (core/common/rpc.ts ↔ rpcServer.ts) over an in-memory channel:
// bytes both ways, acks and dispose reach the service's stream, a long write goes in parts
// within the bound, the service's end and a lost connection end the client's stream, and a
// message whose input is not bytes (or too long) is refused with its sentence.
import { describe, expect, it } from 'vitest';
import type { DisplayOptions, DisplayStream, IVmService } from '../../../../core/common/api';
import { DISPLAY_WRITE_MAX_BYTES } from '../../../../core/common/api';
import { connectService, type ClientMessage, type ServerMessage, type Transport } from '../../../../core/common/rpc';
import { serveConnection } from '../../../../core/common/rpcServer';

/** A service whose only screen echoes what it is sent, and records what its viewer did. */
function fakeScreen() {
  const seen = { written: [] as number[], acked: 0, disposed: 0, refs: [] as string[] };
  let end: (() => void) | undefined;
  let push: ((data: Uint8Array) => void) | undefined;
  const service = {
    async openDisplay(ref: string, onData: (data: Uint8Array) => void, options?: DisplayOptions): Promise<DisplayStream> {
      seen.refs.push(ref);
      push = onData;
      end = options?.onClose;
      return {
        write: (data) => {
          seen.written.push(data.length);
          onData(data);
        },
        ack: (bytes) => void (seen.acked += bytes),
        dispose: () => void seen.disposed++,
      };
    },
  } as unknown as IVmService;
  return { service, seen, end: () => end?.(), push: (d: Uint8Array) => push?.(d) };
}

/** Two ends of a channel; messages cross in a microtask, as over a socket. */
function pair() {
  const toServer: ((m: unknown) => void)[] = [];
  const toClient: ((m: ServerMessage) => void)[] = [];
  const closers: (() => void)[] = [];
  const server: Transport<unknown, ServerMessage> = {
    send: (m) => queueMicrotask(() => toClient.forEach((h) => h(m))),
    onMessage: (h) => void toServer.push(h),
    onClose: (h) => void closers.push(h),
    close: () => undefined,
  };
  const client: Transport<ServerMessage, ClientMessage> = {
    send: (m) => queueMicrotask(() => toServer.forEach((h) => h(m))),
    onMessage: (h) => void toClient.push(h),
    onClose: (h) => void closers.push(h),
    close: () => closers.forEach((c) => c()),
  };
  return { server, client, raw: (m: unknown) => toServer.forEach((h) => h(m)), replies: (h: (m: ServerMessage) => void) => toClient.push(h) };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('openDisplay over the RPC', () => {
  it('carries bytes both ways, in parts within the bound; acks and dispose reach the stream', async () => {
    const screen = fakeScreen();
    const channel = pair();
    serveConnection(screen.service, channel.server);
    const client = connectService(channel.client);
    const got: number[] = [];
    const display = await client.openDisplay('tiny', (d) => got.push(d.length), { flowControl: true });
    expect(screen.seen.refs).toEqual(['tiny']);
    display.write(new Uint8Array(DISPLAY_WRITE_MAX_BYTES * 2 + 10));
    await tick();
    expect(screen.seen.written).toEqual([DISPLAY_WRITE_MAX_BYTES, DISPLAY_WRITE_MAX_BYTES, 10]);
    expect(got).toEqual([DISPLAY_WRITE_MAX_BYTES, DISPLAY_WRITE_MAX_BYTES, 10]);
    display.ack(1234);
    display.dispose();
    await tick();
    expect(screen.seen.acked).toBe(1234);
    expect(screen.seen.disposed).toBe(1);
  });

  it("ends the client's stream when the service's ends, and when the connection is lost", async () => {
    const screen = fakeScreen();
    const channel = pair();
    serveConnection(screen.service, channel.server);
    const client = connectService(channel.client);
    let closed = 0;
    const first = await client.openDisplay('tiny', () => undefined, { onClose: () => closed++ });
    screen.end();
    await tick();
    expect(closed).toBe(1);
    first.write(new Uint8Array(4)); // after the end: not sent
    await tick();
    expect(screen.seen.written).toEqual([]);
    await client.openDisplay('tiny', () => undefined, { onClose: () => closed++ });
    channel.client.close();
    expect(closed).toBe(2);
    expect(screen.seen.disposed).toBe(1); // the service's side of the second stream went with the connection
  });

  it('refuses input that is not bytes, or longer than one message may carry, with its sentence', async () => {
    const screen = fakeScreen();
    const channel = pair();
    serveConnection(screen.service, channel.server);
    const errors: string[] = [];
    channel.replies((m) => void (m.type === 'error' && errors.push(m.error.message)));
    channel.raw({ type: 'input', id: 7, data: 'RFB' });
    channel.raw({ type: 'input', id: 8, data: new Uint8Array(DISPLAY_WRITE_MAX_BYTES + 1) });
    channel.raw({ type: 'display', id: 9, ref: '' });
    await tick();
    expect(errors[0]).toContain('Screen data must be bytes.');
    expect(errors[1]).toContain(`One write to a screen takes at most ${DISPLAY_WRITE_MAX_BYTES / 1024} KiB.`);
    expect(errors[2]).toContain('Name the VM.');
    expect(screen.seen.refs).toEqual([]);
  });
});
