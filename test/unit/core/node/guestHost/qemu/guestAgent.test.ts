// The guest agent client's framing and resync against a fake qemu-ga on a unix socket (the real
// one needs a guest: test/integration/guestAgent.test.ts). The fake behaves as qemu-ga 7.2 was
// measured to: replies an earlier client never read come first, the 0xFF earns a parse error
// reply, then 0xFF and the sync id; replies may arrive split anywhere or several in one write.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentError, GuestAgentClient } from '../../../../../../core/node/guestHost/qemu/guestAgent';

interface Fake {
  socketPath: string;
  /** What each connection received, as text (0xFF shown as \xff). */
  received: string[];
  close(): void;
}

/** A fake agent: `stale` is written before anything else on the next connection; `answer` gives each command's reply line. */
function fakeAgent(options: {
  stale?: string;
  answer?: (cmd: { execute: string; arguments?: Record<string, unknown> }) => string | null;
  split?: boolean;
}): Promise<Fake> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ga-'));
  const socketPath = path.join(dir, 'ga.sock');
  const received: string[] = [];
  let stale = options.stale ?? '';
  const server = net.createServer((socket) => {
    const index = received.push('') - 1;
    let buf = Buffer.alloc(0);
    const send = (text: string | Buffer) => {
      const bytes = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
      // Split every reply into 3-byte pieces: the client must put lines back together.
      if (options.split) for (let i = 0; i < bytes.length; i += 3) socket.write(bytes.subarray(i, i + 3));
      else socket.write(bytes);
    };
    socket.on('data', (data: Buffer) => {
      received[index] += data.toString('latin1');
      buf = Buffer.concat([buf, data]);
      for (;;) {
        if (buf[0] === 0xff) {
          buf = buf.subarray(1);
          send(`${stale}{"error": {"class": "GenericError", "desc": "JSON parse error, stray '\\ufffd'"}}\n`);
          stale = '';
          continue;
        }
        const end = buf.indexOf(0x0a);
        if (end < 0) return;
        const cmd = JSON.parse(buf.subarray(0, end).toString()) as { execute: string; arguments?: Record<string, unknown> };
        buf = buf.subarray(end + 1);
        if (cmd.execute === 'guest-sync-delimited') send(Buffer.concat([Buffer.from([0xff]), Buffer.from(`{"return": ${String(cmd.arguments!.id)}}\n`)]));
        else {
          const reply = options.answer?.(cmd);
          if (reply !== null && reply !== undefined) send(`${reply}\n`);
        }
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(socketPath, () =>
      resolve({
        socketPath,
        received,
        close: () => {
          server.close();
          fs.rmSync(dir, { recursive: true, force: true });
        },
      }),
    ),
  );
}

/** The AgentError a call fails with. */
async function failure(call: Promise<unknown>): Promise<AgentError> {
  const err = await call.then(
    () => new Error('the call was expected to fail'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AgentError);
  return err as AgentError;
}

let fake: Fake | undefined;
afterEach(() => fake?.close());

describe('guest agent client', () => {
  it('resynchronises first: replies left by an earlier client, an old sync reply and the parse error are dropped', async () => {
    // A killed client's guest-exec reply and its own sync reply (0xFF, id 7) wait on the channel.
    fake = await fakeAgent({
      stale: '{"return": {"pid": 99}}\n\xff{"return": 7}\n',
      answer: (c) => (c.execute === 'guest-info' ? '{"return": {"version": "7.2"}}' : null),
    });
    const client = new GuestAgentClient(fake.socketPath);
    expect(await client.call('guest-info')).toEqual({ version: '7.2' });
    // The client sent 0xFF, then guest-sync-delimited with a fresh id, then the command.
    expect(fake.received[0]).toMatch(/^\xff\{"execute":"guest-sync-delimited","arguments":\{"id":\d+\}\}\n\{"execute":"guest-info"\}\n$/);
  });

  it('puts replies split into pieces back together, and runs sessions one after another on their own connections', async () => {
    let n = 0;
    fake = await fakeAgent({ split: true, answer: () => `{"return": ${++n}}` });
    const client = new GuestAgentClient(fake.socketPath);
    const results = await Promise.all([client.call('a'), client.call('b'), client.session(async (s) => [await s.call('c'), await s.call('d')])]);
    expect(results).toEqual([1, 2, [3, 4]]);
    expect(fake.received).toHaveLength(3);
  });

  it("says the agent's own errors with their class; a command that never answers times out; a session after it starts clean", async () => {
    fake = await fakeAgent({
      answer: (c) =>
        c.execute === 'bad'
          ? '{"error": {"class": "GenericError", "desc": "failed to open file \'/x\': No such file or directory"}}'
          : c.execute === 'ok'
            ? '{"return": {}}'
            : null,
    });
    const client = new GuestAgentClient(fake.socketPath, { callTimeoutMs: 200 });
    const bad = await failure(client.call('bad'));
    expect(bad).toBeInstanceOf(AgentError);
    expect([bad.kind, bad.errorClass, bad.message]).toEqual(['command', 'GenericError', "failed to open file '/x': No such file or directory"]);
    const silent = await failure(client.call('guest-shutdown'));
    expect(silent.kind).toBe('timeout');
    expect(await client.call('ok')).toEqual({});
  });

  it('a socket nobody listens on, and an agent that never echoes the sync id, fail within the sync timeout', async () => {
    const nobody = new GuestAgentClient(path.join(os.tmpdir(), 'no-such-agent.sock'), { syncTimeoutMs: 200 });
    expect((await failure(nobody.call('x'))).kind).toBe('closed');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ga-'));
    const mute = net.createServer(() => undefined);
    await new Promise<void>((resolve) => mute.listen(path.join(dir, 's'), resolve));
    try {
      const err = await failure(new GuestAgentClient(path.join(dir, 's'), { syncTimeoutMs: 200 }).call('x'));
      expect([err.kind, err.message]).toEqual(['timeout', 'the guest agent did not answer guest-sync-delimited in 200 ms']);
    } finally {
      mute.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
