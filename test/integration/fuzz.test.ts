// 10,000 random and mutated requests to a real service, half over its unix socket and half
// over the web host's WebSocket: valid method names with garbage arguments, unknown methods,
// wrong types, huge strings, deep nesting, lines that are not JSON, binary. The service must
// live through all of it, answer each invalid request once with a sentence, and leave the
// library as it was. The RNG is seeded (GUESTHOUSE_FUZZ_SEED to replay a run); the seed is printed.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { serviceMethods } from '../../core/common/api';
import { decodeJson, encodeJson } from '../../core/common/wire';
import { serviceSocketPath } from '../../core/node/shared/paths';
import { connectToService, type ServiceClient } from '../../core/node/transport/serviceClient';
import { startWebServer, type WebServer } from '../../main/server/web';
import { tempHome } from '../support/service';
import { snapshot as snapshotLibrary } from '../support/cli';

const ROOT = path.resolve(__dirname, '..', '..');
const SERVICE = path.join(ROOT, 'out', 'main', 'server', 'main.js');
const TOTAL = 10_000;
const SEED = Number(process.env.GUESTHOUSE_FUZZ_SEED ?? crypto.randomInt(2 ** 31));

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}
type Rng = ReturnType<typeof rng>;

const snapshot = (home: string) => snapshotLibrary(home, { skipLogs: true });

const READ_ONLY = new Set([
  'getHostInfo',
  'listVms',
  'listNetworks',
  'getVm',
  'readLog',
  'browseFiles',
  'screenshot',
  'screenText',
  'waitForConsole',
  'waitForScreen',
]);
const ZERO_ARGS = new Set(['getHostInfo', 'listVms', 'listNetworks']);

function randomString(r: Rng, max = 40): string {
  const alphabets = ['abcdefghijklmnopqrstuvwxyz0123456789-_', '../\\%$:"\'{}[]<>|*?\u0000\n\t ', 'é한글😀\u0301\u202e\uffff\ud800', 'keep'];
  const n = r.int(max);
  let s = '';
  for (let i = 0; i < n; i++) s += r.pick([...r.pick(alphabets)]);
  return s;
}

/** A JSON value of any shape; `depth` bounds the nesting. */
function garbage(r: Rng, depth = 3): unknown {
  switch (r.int(depth > 0 ? 12 : 9)) {
    case 0:
      return null;
    case 1:
      return r.next() < 0.5;
    case 2:
      return r.pick([0, -1, 1, 1.5, -0.0, 2 ** 31, 2 ** 53 + 2, 1e308, -1e308, 65536, 16, 1000]);
    case 3:
      return r.int(1e6) - 5e5;
    case 4:
    case 5:
      return randomString(r);
    case 6:
      return r.pick(['', ' ', 'keep', 'nat', 'qcow2', 'tcp', 'auto', 'ctrl-alt-delete', '/', '..', '/etc/passwd', '%00', '__proto__', 'constructor']);
    case 7:
      return { $b64: r.pick(['', 'AAAA', '!!!notbase64', randomString(r)]) };
    case 8:
      return {};
    case 9:
      return Array.from({ length: r.int(4) }, () => garbage(r, depth - 1));
    default: {
      const o: Record<string, unknown> = {};
      const keys = [
        'name',
        'memoryMib',
        'cpus',
        'network',
        'forwards',
        'diskSizeBytes',
        'diskPath',
        'force',
        'timeoutMs',
        'keepDisks',
        'chord',
        'text',
        'accelerator',
        '__proto__',
        'constructor',
        randomString(r, 10),
      ];
      for (let i = r.int(4); i > 0; i--) o[r.pick(keys)] = garbage(r, depth - 1);
      return o;
    }
  }
}

/** Values no schema accepts for each field of a create request: one of them makes a request invalid. */
const badFields: Record<string, unknown[]> = {
  name: ['', ' lead', 'a/b', '..', 'x'.repeat(65), 12, null, ['keep'], 'c:<d>'],
  memoryMib: [0, -1, 1.5, '128', null, 1e15, 15],
  cpus: [0, -2, 0.5, '2', 513],
  network: ['bridged', '', 1, null, ['nat'], 'private:', 'private:a/b', 'private:-x'],
  diskSizeBytes: [1, -1, 2 ** 51, 1.5, 'huge'],
  diskFormat: ['vmdk', 2],
  forwards: [
    [{ protocol: 'sctp', hostPort: 1, guestPort: 1 }],
    [{ protocol: 'tcp', hostPort: 0, guestPort: 22 }],
    [{ protocol: 'tcp', hostPort: 2222, guestPort: 22, hostAddress: '1.2.3.4,guestfwd=x' }],
    'tcp:1:2',
    Array(33).fill({ protocol: 'tcp', hostPort: 1, guestPort: 1 }),
  ],
  nets: [
    [],
    [{ attachment: 'bridged' }],
    [{ attachment: 'nat', model: 'ne2k' }],
    Array(9).fill({ attachment: 'none' }),
    'nat',
    [{ attachment: 'nat', mac: 'x' }],
  ],
  shares: [
    [{ path: '' }],
    [{ path: '/tmp', tag: 'a,b' }],
    [{ path: '/tmp', tag: 'x', readOnly: 'yes' }],
    [{ path: '/no/such/folder/gh' }],
    Array(9).fill({ path: '/tmp' }),
    '/tmp',
  ],
  shutdownTimeoutMs: [0, 999, 1.5, 4e6, '30'],
  osType: ['windows-95', 1],
  engine: ['bochs'],
  kernelPath: ['', 7],
  append: ['x'.repeat(5000), 5],
  unknownSetting: [1, 'x', null],
};

/** A valid create (or modify) request with at least one field made invalid. */
function mutatedRequest(r: Rng): Record<string, unknown> {
  const req: Record<string, unknown> = { name: `fuzz-${r.int(1000)}`, osType: 'other-x64', memoryMib: 64, network: 'none' };
  const fields = Object.keys(badFields);
  for (let i = 1 + r.int(3); i > 0; i--) {
    const f = r.pick(fields);
    req[f] = r.pick(badFields[f]!);
  }
  return req;
}

/** One message to send: a JSON value, or raw text/bytes that is not JSON. */
type Outgoing = { json: unknown; id: number | null } | { raw: string | Buffer; id: number | null; deep?: true };

/**
 * The next fuzz message. Mutating calls are always invalid by construction (an invalid
 * field, or a VM that does not exist), so the library must stay as it was.
 */
function nextMessage(r: Rng, id: number, keep: { name: string; id: string }): Outgoing {
  const methods = serviceMethods as readonly string[];
  switch (r.int(10)) {
    case 0: // an unknown method
      return {
        json: {
          type: 'call',
          id,
          method: r.pick([randomString(r), 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'close', 'powerOffAll', 'library', 'bootSpec']),
          params: [],
        },
        id,
      };
    case 1:
    case 2: {
      // a real method with garbage arguments
      const method = r.pick(methods);
      const params = Array.from({ length: (ZERO_ARGS.has(method) ? 1 : 0) + r.int(4) }, () => garbage(r));
      if (!READ_ONLY.has(method) && typeof params[0] === 'string') params[0] = `no-such-${params[0]}`;
      if (!READ_ONLY.has(method) && params.length <= 1 && method !== 'createVm' && method !== 'setHostSettings') params[0] = `no-such-vm-${r.int(100)}`;
      if (method === 'setHostSettings') params[0] = { accelerator: r.pick(['fast', '', 3, null]) };
      if (method === 'createVm') params[0] = mutatedRequest(r);
      // Never a name createNetwork takes: the library stays as it was.
      if (method === 'createNetwork') params[0] = r.pick(['', '-lead', 'a/b', 'x'.repeat(33), 'é', 5, null]);
      return { json: { type: 'call', id, method, params }, id };
    }
    case 3: {
      // a mutated valid request
      const which = r.int(6);
      if (which === 5) {
        // A forward that no schema takes, or one the kept VM (which has no NAT card) refuses; a removal of what is not there.
        if (r.int(2))
          return {
            json: { type: 'call', id, method: 'removeForward', params: [r.pick([keep.name, keep.id]), r.pick(['', 5, null, 'x'.repeat(65), 'web'])] },
            id,
          };
        const forward = { protocol: r.pick(['tcp', 'udp', 'sctp']), hostPort: r.pick([0, 70000, 'x', -1, 2222]), guestPort: r.pick([22, 0, 1.5]) };
        return {
          json: { type: 'call', id, method: 'addForward', params: [r.pick([keep.name, keep.id]), r.pick([forward, { ...forward, name: 'a b' }, null])] },
          id,
        };
      }
      if (which === 0) return { json: { type: 'call', id, method: 'createVm', params: [mutatedRequest(r)] }, id };
      if (which === 1) {
        const change = mutatedRequest(r);
        delete change.name;
        if (Object.keys(change).every((k) => ['osType', 'memoryMib', 'network'].includes(k))) change.cpus = 0;
        return { json: { type: 'call', id, method: 'modifyVm', params: [r.pick([keep.name, keep.id]), change] }, id };
      }
      if (which === 2)
        return {
          json: {
            type: 'call',
            id,
            method: r.pick(['shutdownVm', 'deleteVm']),
            params: [keep.name, { force: r.pick(['yes', 1, null]), keepDisks: r.pick(['no', 0]), [randomString(r, 6) || 'x']: 1 }],
          },
          id,
        };
      if (which === 3)
        return { json: { type: 'call', id, method: 'writeConsole', params: [keep.name, r.pick(['text', [1, 2, 3], { $b64: 'AAAA' }, null, 5])] }, id };
      return {
        json: {
          type: 'call',
          id,
          method: r.pick(['waitForConsole', 'waitForScreen']),
          params: [keep.name, r.pick(['', 5, null]), r.pick([-1, 'x', 1.5, 1e12])],
        },
        id,
      };
    }
    case 4: {
      // a wrong envelope: the message kind, the id, extra keys, not an object
      const envelope = r.pick<unknown>([
        { type: 'call', id, method: 'listVms' },
        { type: 'call', id, method: 'listVms', params: {} },
        { type: 'call', id, method: 7, params: [] },
        { type: 'call', id, method: 'listVms', params: [], extra: 1 },
        { type: 'attach', id, ref: r.pick([keep.name, randomString(r)]) },
        { type: 'attach', id, ref: 5 },
        { type: 'ack', id, bytes: -1 },
        { type: 'ack', id, bytes: 'x' },
        { type: 'detach', id, extra: true },
        { type: 'subscribe', id },
        { type: 'hack', id },
        { id },
      ]);
      return { json: envelope, id };
    }
    case 5: {
      // no usable id: the reply goes to id -1
      const envelope = r.pick<unknown>([
        null,
        0,
        'call',
        [],
        [1, 2],
        true,
        { type: 'call', id: 'one', method: 'listVms', params: [] },
        { type: 'call', id: null },
        { type: 'call', id: Infinity },
        { method: 'listVms' },
        { type: 'subscribe', x: 1 },
      ]);
      return { json: envelope, id: null };
    }
    case 6: {
      // huge strings (up to 2 MiB)
      const size = r.pick([1024, 65_536, 1 << 20, 2 << 20]);
      const big = 'A'.repeat(size);
      const method = r.pick(['getVm', 'createVm', 'waitForConsole', 'browseFiles', 'sendKeys', 'modifyVm']);
      const params =
        method === 'createVm'
          ? [{ name: big }]
          : method === 'sendKeys'
            ? [keep.name, { text: big }]
            : method === 'modifyVm'
              ? [keep.name, { append: big }]
              : method === 'waitForConsole'
                ? [keep.name, big, 10]
                : [big];
      return { json: { type: 'call', id, method, params }, id };
    }
    case 7: {
      // deep nesting, as text (JSON.stringify would itself run out of stack)
      const depth = r.pick([100, 1000, 10_000, 100_000]);
      const open = r.next() < 0.5 ? '[' : '{"a":';
      const close = open === '[' ? ']' : '}';
      // Parsed, it is answered at its id; too deep for the parser, it is a line that is not JSON (id -1).
      return {
        raw: `{"type":"call","id":${id},"method":"${r.pick(['createVm', 'getVm', 'listVms'])}","params":[${open.repeat(depth)}1${close.repeat(depth)}]}`,
        id,
        deep: true,
      };
    }
    case 8: {
      // not JSON
      const text = r.pick([
        '{',
        '}',
        '{"type":"call"',
        'call listVms',
        '[1,2',
        '{"type":"call","id":1,}',
        "{'type':'call'}",
        'NaN',
        'undefined',
        randomString(r, 200),
      ]);
      // One line: a newline inside would make it two messages on the socket.
      const line = text.replace(/[\r\n]/g, ' ');
      return { raw: line.trim() ? line : `x${line}`, id: null };
    }
    default: {
      // binary
      const bytes = crypto.randomBytes(1 + r.int(512));
      for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x20 || bytes[i] === 0x09) bytes[i] = 0xff;
      bytes[0] = 0xff;
      return { raw: bytes, id: null };
    }
  }
}

interface Reply {
  type: string;
  id: number;
  error?: { code: string; message: string; problems?: { message: string }[] };
}

/** What a user may be shown: a sentence, with no stack, no raw zod text, no "undefined". */
function sentenceProblems(message: unknown): string | null {
  if (typeof message !== 'string' || !message.trim()) return 'no message';
  if (message.includes('    at ')) return 'a stack trace';
  if (/^\w*Error:/.test(message) || /\bError: /.test(message)) return 'an "Error:" prefix';
  if (/undefined/.test(message)) return '"undefined"';
  if (/internal error/i.test(message)) return 'an internal error';
  if (/Invalid (input|option)|Too (small|big)|expected \w+, received|^\d+\.\w/.test(message)) return 'raw schema text';
  if (!/[.!?)"]$/.test(message.trim())) return 'no full stop';
  return null;
}

/** A connection the fuzzer speaks over: send one message, collect every reply. */
interface Channel {
  send(out: Outgoing): void;
  replies: Reply[];
  close(): void;
}

function socketChannel(socketPath: string): Promise<Channel> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    const replies: Reply[] = [];
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.trim()) replies.push(decodeJson(line) as Reply);
      }
    });
    socket.once('error', reject);
    socket.once('connect', () =>
      resolve({
        replies,
        send: (out) => {
          if ('raw' in out) {
            socket.write(out.raw);
            socket.write('\n');
          } else socket.write(encodeJson(out.json) + '\n');
        },
        close: () => socket.destroy(),
      }),
    );
  });
}

function wsChannel(url: string, token: string): Promise<Channel> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { cookie: `guesthouse_token=${token}` } });
    const replies: Reply[] = [];
    ws.on('message', (data) => replies.push(decodeJson(data.toString()) as Reply));
    ws.once('error', reject);
    ws.once('open', () =>
      resolve({
        replies,
        send: (out) => {
          if ('raw' in out) ws.send(out.raw, { binary: Buffer.isBuffer(out.raw) });
          else ws.send(encodeJson(out.json));
        },
        close: () => ws.close(),
      }),
    );
  });
}

/** Sends `count` messages in batches, waits for every answer, and checks each one. */
async function fuzz(
  channel: Channel,
  r: Rng,
  count: number,
  firstId: number,
  keep: { name: string; id: string },
  seen: { errors: number; results: Map<string, number> },
): Promise<void> {
  const BATCH = 100;
  for (let done = 0; done < count; done += BATCH) {
    const expectIds = new Map<number, string>();
    const deepIds = new Set<number>();
    let anonymous = 0;
    channel.replies.length = 0;
    for (let i = 0; i < Math.min(BATCH, count - done); i++) {
      const id = firstId + done + i;
      const out = nextMessage(r, id, keep);
      if (out.id === null) anonymous++;
      else expectIds.set(out.id, 'json' in out ? JSON.stringify(out.json).slice(0, 300) : String(out.raw).slice(0, 300));
      if ('deep' in out && out.id !== null) deepIds.add(out.id);
      channel.send(out);
    }
    const want = expectIds.size + anonymous;
    const deadline = Date.now() + 30_000;
    while (channel.replies.length < want && Date.now() < deadline) await new Promise((res) => setTimeout(res, 5));
    // A late extra reply would be a second answer to something: give it a moment to show up.
    await new Promise((res) => setTimeout(res, 20));
    const byId = new Map<number, Reply[]>();
    for (const reply of channel.replies) byId.set(reply.id, [...(byId.get(reply.id) ?? []), reply]);
    const extra = channel.replies.filter((x) => x.id !== -1 && !expectIds.has(x.id)).map((x) => JSON.stringify(x).slice(0, 200));
    expect(channel.replies.length, `replies to batch at ${done} (seed ${SEED}); unexpected: ${extra.join(' | ')}`).toBe(want);
    const deepUnparsed = [...deepIds].filter((id) => !byId.has(id)).length;
    expect(byId.get(-1)?.length ?? 0, `replies without an id (seed ${SEED})`).toBe(anonymous + deepUnparsed);
    for (const [id, sent] of expectIds) {
      const replies = byId.get(id) ?? [];
      expect(replies.length, `one reply to ${sent} (seed ${SEED})`).toBe(deepIds.has(id) ? Math.min(1, replies.length) : 1);
    }
    for (const reply of channel.replies) {
      if (reply.type === 'error') {
        seen.errors++;
        const sent = expectIds.get(reply.id) ?? '(no id)';
        expect(sentenceProblems(reply.error?.message), `${reply.error?.message} — for ${sent} (seed ${SEED})`).toBeNull();
        for (const p of reply.error?.problems ?? []) expect(sentenceProblems(p.message), `${p.message} — for ${sent} (seed ${SEED})`).toBeNull();
      } else {
        const method = /"method":"(\w+)"/.exec(expectIds.get(reply.id) ?? '')?.[1] ?? '?';
        // Only read-only calls can succeed; anything else succeeding changed the library.
        expect(READ_ONLY.has(method) || (reply.type === 'result' && method === 'listVms'), `${reply.type} for ${expectIds.get(reply.id)} (seed ${SEED})`).toBe(
          true,
        );
        seen.results.set(method, (seen.results.get(method) ?? 0) + 1);
      }
    }
  }
}

describe('fuzzing the service over its socket and the web host', () => {
  let home: string;
  let child: ChildProcess;
  let client: ServiceClient;
  let web: WebServer;
  let keep: { name: string; id: string };
  let before: Record<string, string>;

  beforeAll(async () => {
    process.stdout.write(`fuzz seed ${SEED} (replay with GUESTHOUSE_FUZZ_SEED=${SEED})\n`);
    home = tempHome('ghf');
    child = spawn(process.execPath, [SERVICE, '--foreground'], { env: { ...process.env, GUESTHOUSE_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr!.resume();
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('running') && resolve());
      child.once('exit', (code) => reject(new Error(`the service exited with ${code}`)));
    });
    client = (await connectToService(home, false))!;
    const vm = await client.createVm({ name: 'keep', osType: 'other-x64', memoryMib: 64, network: 'none' });
    keep = { name: 'keep', id: vm.id };
    web = await startWebServer({ service: client, rendererDir: path.join(ROOT, 'out', 'renderer'), port: 0 });
    before = snapshot(home);
  });

  afterAll(async () => {
    await web?.close();
    client?.close?.();
    child?.kill('SIGTERM');
  });

  it(`answers ${TOTAL} bad requests with one sentence each, lives, and leaves the library as it was`, async () => {
    const r = rng(SEED);
    const seen = { errors: 0, results: new Map<string, number>() };
    const started = Date.now();
    const socket = await socketChannel(serviceSocketPath(home));
    await fuzz(socket, r, TOTAL / 2, 1, keep, seen);
    socket.close();
    const url = new URL(web.url);
    const ws = await wsChannel(`ws://${url.host}/rpc`, web.token);
    await fuzz(ws, r, TOTAL / 2, 1 + TOTAL / 2, keep, seen);
    ws.close();
    process.stdout.write(
      `fuzz: ${TOTAL} messages in ${((Date.now() - started) / 1000).toFixed(1)} s, ${seen.errors} errors, results: ${JSON.stringify(Object.fromEntries(seen.results))}\n`,
    );

    expect(child.exitCode, 'the service is still running').toBeNull();
    const after = await socketChannel(serviceSocketPath(home));
    after.send({ json: { type: 'call', id: 1, method: 'listVms', params: [] }, id: 1 });
    while (after.replies.length === 0) await new Promise((res) => setTimeout(res, 10));
    after.close();
    expect(after.replies[0]).toMatchObject({ type: 'result', id: 1, result: [{ name: 'keep', state: 'stopped' }] });
    expect(snapshot(home)).toEqual(before);
    expect(seen.errors).toBeGreaterThan(TOTAL * 0.9);
    // ~35 s on a quiet 2-core machine; a CI machine under the load of the other test files
    // has taken over 120 s. The time is not what this test measures.
  }, 300_000);
});
