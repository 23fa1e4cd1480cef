/**
 * The forward benchmark (`--only forward`): TCP throughput from the host into a tiny guest
 * through a port forward. A: Guesthouse's VM (a virtio card on NAT, the forward added live
 * through the service: QEMU's hostfwd_add). B: a raw QEMU with the very argv Guesthouse makes
 * for that VM, the forward given on its -netdev as a person would. The guest reads with busybox
 * `nc -l -e wc -c`, which answers with how many bytes came; a pair is timed from the host's
 * connect to the connection's close, after that answer. Measures and
 * reports; never fails on a number.
 */
import net from 'node:net';
import path from 'node:path';
import { buildQemuArgv } from '../../core/node/guestHost/qemu/argv';
import { pickAccelerator } from '../../core/node/host/hostProbe';
import { RawQemu } from './rawQemu';
import { pairResult, type PairResult } from './stats';
import { freePort } from '../support/ports';
import type { BenchContext, BenchGuest } from './context';

export type ForwardGuest = Pick<BenchGuest, 'kernel' | 'initrd' | 'append' | 'netReadyMarker'>;

export type ForwardBenchContext = BenchContext;

const MIB = 2 ** 20;
const GUEST_PORT = 5001;
const now = () => performance.timeOrigin + performance.now();

/**
 * Sends `bytes` to 127.0.0.1:port, half-closes, and resolves with the milliseconds from connect
 * to close once the guest's answer is its byte count; null when the connection ended otherwise
 * (nothing listened in the guest yet: QEMU's user network takes the connect, then drops it).
 */
function send(port: number, bytes: number): Promise<number | null> {
  return new Promise((resolve) => {
    const chunk = Buffer.alloc(256 * 1024, 0x5a);
    const start = now();
    let sent = 0;
    let answer = '';
    const socket = net.connect(port, '127.0.0.1', () => {
      const pump = () => {
        while (sent < bytes) {
          sent += chunk.length;
          if (!socket.write(chunk)) return void socket.once('drain', pump);
        }
        socket.end();
      };
      pump();
    });
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(answer.trim() === String(bytes) ? now() - start : null));
  });
}

/** One transfer into a guest whose shell `type` reaches: a listener that answers with the byte count (busybox nc -e wc -c), then the bytes (again while nothing listened yet). */
async function transfer(type: (line: string) => void, port: number, bytes: number): Promise<number> {
  type(`nc -l -p ${GUEST_PORT} -e wc -c\n`);
  for (let tries = 0; tries < 200; tries++) {
    const ms = await send(port, bytes);
    if (ms !== null) return ms;
    await new Promise((r) => setTimeout(r, 50)); // the guest's nc is not listening yet
  }
  throw new Error(`the guest never answered on port ${GUEST_PORT}`);
}

export async function benchForward(c: ForwardBenchContext, g: ForwardGuest): Promise<{ pairs: PairResult[]; extra: Record<string, unknown> }> {
  const bytes = (c.quick ? 16 : 64) * MIB;
  const name = 'fwd-bench';
  const vm = await c.ensureVm(name, {
    osType: 'other-x64',
    memoryMib: 128,
    kernelPath: g.kernel,
    initrdPath: g.initrd,
    append: g.append,
    nets: [{ attachment: 'nat', model: 'virtio' }],
  });
  const ghPort = await freePort();
  await c.service.startVm(name);
  await c.consoleMarker(c.service, name, g.netReadyMarker);
  await c.service.addForward(name, { name: 'bench', protocol: 'tcp', hostPort: ghPort, guestPort: GUEST_PORT });

  // The same machine by hand: Guesthouse's argv for it, the forward on the netdev.
  const rawPort = await freePort();
  const qmp = path.join(c.runtimeDir, 'rawnet.qmp');
  const ser = path.join(c.runtimeDir, 'rawnet.ser');
  const nic = vm.config.nics[0]!;
  const config = {
    ...vm.config,
    identity: { ...vm.config.identity, uuid: '00000000-0000-4000-8000-000000000003' },
    nics: [{ ...nic, mac: '52:54:00:00:be:03', forwards: [{ protocol: 'tcp' as const, hostAddress: '127.0.0.1', hostPort: rawPort, guestPort: GUEST_PORT }] }],
  };
  const argv = buildQemuArgv(config, vm.folder, { accelerator: pickAccelerator('auto', c.host).accelerator, qmpSocket: qmp, serialSocket: ser });
  const binary = c.host.qemu.binaries.find((b) => b.arch === 'x86_64')!.path;
  const raw = new RawQemu();
  await raw.start(binary, argv, qmp, ser);
  await raw.waitFor(g.netReadyMarker);

  const rate = (ms: number) => bytes / MIB / (ms / 1000);
  const results: [number, number][] = [];
  try {
    for (let i = 0; i < c.warmup + c.pairs; i++) {
      const a = await transfer((line) => void c.service.writeConsole(name, Buffer.from(line)), ghPort, bytes);
      const b = await transfer((line) => raw.write(line), rawPort, bytes);
      if (i < c.warmup) continue;
      results.push([rate(a), rate(b)]);
      c.log(`network pair ${i - c.warmup + 1}: ${rate(a).toFixed(1)} vs ${rate(b).toFixed(1)} MiB/s host → guest`);
    }
  } finally {
    await raw.stop();
    await c.service.powerOffVm(name);
  }
  return {
    pairs: [pairResult(`TCP host → guest through a forward (${bytes / MIB} MiB)`, 'MiB/s', 'guesthouse forward add', 'raw QEMU hostfwd', results, '≥ 0.95')],
    extra: {},
  };
}
