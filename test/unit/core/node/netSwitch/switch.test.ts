// The learning switch on real loopback UDP sockets: only members' datagrams are taken, a frame
// to a learned MAC goes to its port only, unknown and broadcast ones to every other member,
// and a switch started again takes the same port and members from its state file.
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readSwitchState, runSwitch, switchFiles } from '../../../../../core/node/netSwitch/switch';
import { askSwitch } from '../../../../../core/node/service/privateNetworks';

const frame = (dst: string, src: string, tag: string) =>
  Buffer.concat([Buffer.from(dst, 'hex'), Buffer.from(src, 'hex'), Buffer.from('0800', 'hex'), Buffer.from(tag.padEnd(46))]);

async function socket(): Promise<{ s: dgram.Socket; port: number; got: string[] }> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const got: string[] = [];
  s.on('message', (m) => got.push(m.subarray(14).toString().trim()));
  return { s, port: s.address().port, got };
}

describe('the learning switch', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-sw-'));
  const open: dgram.Socket[] = [];
  afterEach(() => open.splice(0).forEach((s) => s.close()));

  it('takes members only, learns, floods the unknown, and restarts on its port with its members', async () => {
    const { port, done } = await runSwitch(dir, 'lab');
    const ctl = switchFiles(dir, 'lab').control;
    const [a, b, c, foreign] = await Promise.all([socket(), socket(), socket(), socket()]);
    open.push(a.s, b.s, c.s, foreign.s);
    for (const [key, m] of [
      ['a', a],
      ['b', b],
      ['c', c],
    ] as const)
      await askSwitch(ctl, { op: 'add', key, port: m.port });

    foreign.s.send(frame('ffffffffffff', '52540000ffff', 'foreign'), port, '127.0.0.1');
    await expect.poll(async () => (await askSwitch(ctl, { op: 'stats' })).dropped).toBe(1);
    a.s.send(frame('ffffffffffff', '525400000001', 'hello'), port, '127.0.0.1');
    await expect.poll(() => [b.got, c.got]).toEqual([['hello'], ['hello']]);
    // b answers a (learned): only a gets it; then a to b (learned): only b.
    b.s.send(frame('525400000001', '525400000002', 'to-a'), port, '127.0.0.1');
    await expect.poll(() => a.got).toEqual(['to-a']);
    a.s.send(frame('525400000002', '525400000001', 'to-b'), port, '127.0.0.1');
    await expect.poll(() => b.got).toEqual(['hello', 'to-b']);
    expect(c.got).toEqual(['hello']);
    expect(await askSwitch(ctl, { op: 'stats' })).toMatchObject({ frames: 3, dropped: 1 });

    // Ended without forgetting (as by a kill), it starts again on the same port with the same members.
    const state = readSwitchState(switchFiles(dir, 'lab').state)!;
    expect(state).toMatchObject({ port, members: { a: a.port, b: b.port, c: c.port } });
    expect(await askSwitch(ctl, { op: 'quit' })).toMatchObject({ ok: true });
    await done;
    fs.writeFileSync(switchFiles(dir, 'lab').state, JSON.stringify(state));
    const again = await runSwitch(dir, 'lab');
    expect(again.port).toBe(port);
    c.s.send(frame('ffffffffffff', '525400000003', 'back'), port, '127.0.0.1');
    await expect.poll(() => a.got).toEqual(['to-a', 'back']);
    await askSwitch(ctl, { op: 'quit' });
    await again.done;
    expect(fs.existsSync(switchFiles(dir, 'lab').state)).toBe(false);
  });

  it('a dead switch whose port another program holds now: the next starts afresh on another; a live one keeps it', async () => {
    const taken = await socket();
    open.push(taken.s);
    const files = switchFiles(dir, 'moved');
    // The state a killed switch left, from a pid that no longer runs (a reaped child's), naming the held port.
    const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid!;
    fs.writeFileSync(files.state, JSON.stringify({ pid: dead, port: taken.port, members: { gone: 1 } }));
    const fresh = await runSwitch(dir, 'moved');
    expect(fresh.port).not.toBe(taken.port);
    expect(await askSwitch(files.control, { op: 'stats' })).toMatchObject({ port: fresh.port, members: {} });
    await askSwitch(files.control, { op: 'quit' });
    await fresh.done;
    // The same, but its pid lives (this one): that switch is the network's, so this start fails.
    fs.writeFileSync(files.state, JSON.stringify({ pid: process.pid, port: taken.port, members: {} }));
    await expect(runSwitch(dir, 'moved')).rejects.toThrow(/EADDRINUSE/);
    fs.rmSync(files.state);
  });
});
