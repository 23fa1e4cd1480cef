// The learning Ethernet switch of one private network: one UDP socket on 127.0.0.1, one
// Ethernet frame per datagram (QEMU's `-netdev dgram`). Only datagrams from the QEMU ports it
// was told of (members) are taken; it learns each source MAC's port and sends a frame to the
// port of its destination MAC, or to every other member when that is unknown, broadcast or
// multicast. Its control is a unix socket (0600) in the runtime folder speaking lines of JSON;
// its state (port, members) is a file there, so a switch started again takes the same port
// and members, and the guests' QEMUs, which keep sending to that fixed port, carry on (unless
// another program holds that port by then: it starts afresh on another).
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { writeFileAtomic } from '../shared/atomicFile';
import { processAlive } from '../shared/processAlive';
import { readLines, writeLine } from '../transport/lines';

/** The files of network `name`'s switch in the runtime folder. */
export function switchFiles(runtimeDir: string, name: string): { state: string; control: string } {
  const base = path.join(runtimeDir, `net-${name.toLowerCase()}`);
  return {
    state: `${base}.json`,
    control: process.platform === 'win32' ? `\\\\.\\pipe\\gh-${path.basename(runtimeDir)}-net-${name.toLowerCase()}` : `${base}.sw`,
  };
}

export interface SwitchState {
  pid: number;
  /** The UDP port on 127.0.0.1 every member's QEMU sends to. */
  port: number;
  /** Each member (`<vm uuid>/<card id>`) and the UDP port on 127.0.0.1 its QEMU sends from. */
  members: Record<string, number>;
}

export type SwitchRequest = { op: 'add'; key: string; port: number } | { op: 'remove'; key: string } | { op: 'stats' } | { op: 'quit' };
export interface SwitchStats {
  port: number;
  members: Record<string, number>;
  /** Frames taken from members, and datagrams dropped (from a port that is no member's, or too short to be a frame). */
  frames: number;
  dropped: number;
}

/** A learned MAC is forgotten after this long without a frame from it (as a hardware switch's table ages). */
const MAC_AGE_MS = 300_000;
/** A member whose port nobody holds any more (its QEMU is gone) is removed, once it has had this long to start. */
const MEMBER_GRACE_MS = 60_000;

export function readSwitchState(file: string): SwitchState | null {
  try {
    const s = JSON.parse(fs.readFileSync(file, 'utf8')) as SwitchState;
    return typeof s.port === 'number' && typeof s.members === 'object' ? s : null;
  } catch {
    return null;
  }
}

/** Whether a UDP port on 127.0.0.1 is free (nobody holds it): a member's QEMU has gone. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = dgram.createSocket('udp4');
    probe.once('error', () => resolve(false));
    probe.bind({ address: '127.0.0.1', port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** A UDP socket bound on 127.0.0.1 to `port` (0: any), refused when another holds it. */
function bindUdp(port: number): Promise<dgram.Socket> {
  const sock = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => {
    sock.once('error', (err) => {
      sock.close();
      reject(err);
    });
    sock.bind({ address: '127.0.0.1', port, exclusive: true }, () => {
      sock.removeAllListeners('error');
      resolve(sock);
    });
  });
}

/** Runs the switch of network `name` until asked to quit (or left with no member for `idleMs`); on its old port, else `options.port`, else any. */
export async function runSwitch(
  runtimeDir: string,
  name: string,
  options: { idleMs?: number; sweepMs?: number; port?: number } = {},
): Promise<{ port: number; done: Promise<void> }> {
  const files = switchFiles(runtimeDir, name);
  fs.mkdirSync(runtimeDir, { recursive: true, mode: 0o700 });
  let old = readSwitchState(files.state);
  let sock: dgram.Socket;
  try {
    sock = await bindUdp(old?.port ?? options.port ?? 0);
  } catch (err) {
    // The port a dead switch kept is another program's now (after a restart of the host): the
    // members it kept send to a port that is no longer ours, so the switch starts afresh on another.
    // While that switch still lives, it is the network's, and this one gives way.
    if (!old || processAlive(old.pid)) throw err;
    old = null;
    sock = await bindUdp(options.port ?? 0).catch(() => bindUdp(0));
  }
  const port = sock.address().port;
  const members = new Map<string, number>(Object.entries(old?.members ?? {}));
  const since = new Map<string, number>([...members.keys()].map((k) => [k, Date.now()]));
  const macs = new Map<string, { port: number; at: number }>();
  const counts = { frames: 0, dropped: 0 };
  let ports = new Set(members.values());
  // A send to a port nobody holds any more fails quietly; nothing else is said on this socket.
  sock.on('error', () => undefined);

  const save = () => {
    ports = new Set(members.values());
    for (const [mac, at] of macs) if (!ports.has(at.port)) macs.delete(mac);
    writeFileAtomic(files.state, `${JSON.stringify({ pid: process.pid, port, members: Object.fromEntries(members) } satisfies SwitchState)}\n`);
  };
  save();

  sock.on('message', (frame, from) => {
    if (from.address !== '127.0.0.1' || !ports.has(from.port) || frame.length < 14) {
      counts.dropped++;
      return;
    }
    counts.frames++;
    const now = Date.now();
    const src = frame.toString('hex', 6, 12);
    if (!(frame[6]! & 1)) macs.set(src, { port: from.port, at: now });
    const known = frame[0]! & 1 ? undefined : macs.get(frame.toString('hex', 0, 6));
    if (known && now - known.at < MAC_AGE_MS) {
      if (known.port !== from.port) sock.send(frame, known.port, '127.0.0.1');
      return;
    }
    for (const p of ports) if (p !== from.port) sock.send(frame, p, '127.0.0.1');
  });

  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  let idleSince = members.size ? 0 : Date.now();
  const server = net.createServer((conn) => {
    conn.on('error', () => undefined);
    readLines(conn, (line) => {
      let req: SwitchRequest;
      try {
        req = JSON.parse(line) as SwitchRequest;
      } catch {
        conn.destroy();
        return;
      }
      if (req.op === 'add' && typeof req.key === 'string' && Number.isInteger(req.port) && req.port > 0 && req.port < 65536) {
        members.set(req.key, req.port);
        since.set(req.key, Date.now());
        idleSince = 0;
        save();
      } else if (req.op === 'remove' && typeof req.key === 'string') {
        members.delete(req.key);
        save();
      } else if (req.op === 'quit') {
        writeLine(conn, JSON.stringify({ ok: true }));
        conn.end(() => stop(true));
        return;
      } else if (req.op !== 'stats') {
        writeLine(conn, JSON.stringify({ ok: false }));
        return;
      }
      writeLine(conn, JSON.stringify({ ok: true, port, members: Object.fromEntries(members), ...counts } satisfies SwitchStats & { ok: true }));
    });
  });
  if (process.platform !== 'win32') fs.rmSync(files.control, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(files.control, () => resolve());
  });
  if (process.platform !== 'win32') fs.chmodSync(files.control, 0o600);

  // Members whose QEMU has gone (their port is free again) leave; with none for `idleMs`, the switch ends.
  const sweep = setInterval(
    () =>
      void (async () => {
        for (const [key, p] of [...members]) {
          if (Date.now() - (since.get(key) ?? 0) > MEMBER_GRACE_MS && (await portFree(p))) members.delete(key);
        }
        if (members.size !== ports.size || [...members.values()].some((p) => !ports.has(p))) save();
        if (members.size) idleSince = 0;
        else if (!idleSince) idleSince = Date.now();
        else if (Date.now() - idleSince > (options.idleMs ?? 600_000)) stop(true);
      })(),
    options.sweepMs ?? 10_000,
  );

  let stopped = false;
  const stop = (forget: boolean) => {
    if (stopped) return;
    stopped = true;
    clearInterval(sweep);
    server.close();
    sock.close();
    if (forget) {
      fs.rmSync(files.state, { force: true });
      if (process.platform !== 'win32') fs.rmSync(files.control, { force: true });
    }
    finish();
  };
  return { port, done };
}
