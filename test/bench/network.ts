/**
 * The private-network benchmark (`--only network`): ping RTT between two tiny guests on one
 * private network through Guesthouse's switch, against two raw QEMUs of the same argv joined
 * by QEMU's own point-to-point `-netdev dgram` pair (no switch between them); and the switch's
 * CPU while both guests idle; and guest → guest throughput (a 32 MiB HTTP fetch) both ways.
 * Measures and reports; never fails on a number.
 */
import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';
import type { LibraryService, VmDetails } from '../../core/common/api';
import { buildQemuArgv } from '../../core/node/guestHost/qemu/argv';
import { pickAccelerator } from '../../core/node/host/hostProbe';
import { readSwitchState, switchFiles } from '../../core/node/netSwitch/switch';
import { RawQemu } from './rawQemu';
import { pairResult, type PairResult } from './stats';
import type { BenchContext, BenchGuest } from './context';

export type NetworkGuest = Pick<BenchGuest, 'kernel' | 'initrd' | 'append'>;

export type NetworkBenchContext = BenchContext;

const READY = 'GUESTHOUSE-NET-READY';
const PINGS = 10;
let marker = 0;
/** busybox ping's average RTT in ms, from its summary line. */
const rttOf = (text: string): number => Number(/round-trip min\/avg\/max = [\d.]+\/([\d.]+)\//.exec(text)?.[1] ?? Number.NaN);
/** `command` and then a line the console shows only once it has finished (the marker is built by the shell, not echoed). */
const withEnd = (command: string, end: string) => `${command}; echo ${end.slice(0, -1)}$((0+${end.slice(-1)}))\n`;
const pingCommand = `ping -c ${PINGS} ADDR | tail -1`;
/** What the guest at ADDR's web server hands out: 32 MiB of zeros, fetched with busybox wget. */
const FETCH_MIB = 32;
const serveCommand = `mkdir -p /www && dd if=/dev/zero of=/www/big bs=1048576 count=${FETCH_MIB} 2>/dev/null && httpd -p 8080 -h /www`;
const fetchCommand = 'wget -q -O /dev/null http://ADDR:8080/big';

/** Runs `command` in a Guesthouse guest's console; answers what it printed and how long it took (host clock). */
async function ghRun(service: LibraryService, vm: string, command: string): Promise<{ out: string; ms: number }> {
  const end = `CMDDONE${marker++}-1`;
  let out = '';
  let done!: () => void;
  const seen = new Promise<void>((r) => (done = r));
  const a = await service.attachConsole(vm, (d) => {
    out += Buffer.from(d).toString('latin1');
    if (out.includes(end)) done();
  });
  try {
    const t0 = performance.now();
    await service.writeConsole(vm, Buffer.from(withEnd(command, end)));
    await seen;
    return { out, ms: performance.now() - t0 };
  } finally {
    a.dispose();
  }
}

/** The same in a raw QEMU's serial console. */
async function rawRun(raw: RawQemu, command: string): Promise<{ out: string; ms: number }> {
  const end = `CMDDONE${marker++}-1`;
  const from = raw.transcript.length;
  const t0 = performance.now();
  raw.serial!.write(withEnd(command, end));
  await raw.waitFor(end);
  return { out: raw.transcript.slice(from), ms: performance.now() - t0 };
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = dgram.createSocket('udp4');
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

export async function benchNetwork(c: NetworkBenchContext, g: NetworkGuest): Promise<{ pairs: PairResult[]; extra: Record<string, unknown> }> {
  await c.service.createNetwork('bench').catch(() => undefined);
  const ips = { 'net-a': '192.168.77.2', 'net-b': '192.168.77.3' } as const;
  const vms: VmDetails[] = [];
  for (const [name, ip] of Object.entries(ips)) {
    vms.push(
      await c.ensureVm(name, {
        osType: 'other-x64',
        memoryMib: 128,
        kernelPath: g.kernel,
        initrdPath: g.initrd,
        append: `${g.append} guesthouse.ip.eth0=${ip}/24`,
        nets: [{ attachment: 'private:bench', model: 'virtio' }],
      }),
    );
    await c.service.startVm(name);
  }
  for (const name of Object.keys(ips)) await c.consoleMarker(c.service, name, READY);

  // The switch's CPU while both guests idle.
  const sw = readSwitchState(switchFiles(c.runtimeDir, 'bench').state)!;
  const idleS = c.quick ? 5 : 20;
  const t0 = c.cpuTicks(sw.pid);
  await new Promise((r) => setTimeout(r, idleS * 1000));
  const switchIdlePercent = ((c.cpuTicks(sw.pid) - t0) / c.hz / idleS) * 100;
  c.log(`switch CPU with two idle guests: ${switchIdlePercent.toFixed(3)} % of a core`);

  // The same two machines by hand, joined point to point.
  const binary = c.host.qemu.binaries.find((b) => b.arch === 'x86_64')!.path;
  const [pa, pb] = [await freePort(), await freePort()];
  const raws: RawQemu[] = [];
  for (const [i, vm] of vms.entries()) {
    const qmp = path.join(c.runtimeDir, `rawnet${i}.qmp`);
    const ser = path.join(c.runtimeDir, `rawnet${i}.ser`);
    const config = { ...vm.config, identity: { ...vm.config.identity, uuid: `00000000-0000-4000-8000-00000000001${i}` } };
    const link = i === 0 ? { localPort: pa, switchPort: pb } : { localPort: pb, switchPort: pa };
    const argv = buildQemuArgv(config, vm.folder, {
      accelerator: pickAccelerator('auto', c.host).accelerator,
      qmpSocket: qmp,
      serialSocket: ser,
      privateLinks: { net0: link },
    });
    const raw = new RawQemu();
    await raw.start(binary, argv, qmp, ser);
    raws.push(raw);
  }
  const pairs: [number, number][] = [];
  const rates: [number, number][] = [];
  const to = (command: string) => command.replace('ADDR', ips['net-b']);
  const mibps = (ms: number) => FETCH_MIB / (ms / 1000);
  try {
    for (const raw of raws) await raw.waitFor(READY);
    await ghRun(c.service, 'net-b', serveCommand);
    await rawRun(raws[1]!, serveCommand);
    for (let i = 0; i < c.warmup + c.pairs; i++) {
      const gh = rttOf((await ghRun(c.service, 'net-a', to(pingCommand))).out);
      const direct = rttOf((await rawRun(raws[0]!, to(pingCommand))).out);
      c.log(`ping RTT avg: through the switch ${gh} ms, point to point ${direct} ms`);
      const ghRate = mibps((await ghRun(c.service, 'net-a', to(fetchCommand))).ms);
      const directRate = mibps((await rawRun(raws[0]!, to(fetchCommand))).ms);
      c.log(`guest → guest ${FETCH_MIB} MiB over HTTP: through the switch ${ghRate.toFixed(1)} MiB/s, point to point ${directRate.toFixed(1)} MiB/s`);
      if (i >= c.warmup) {
        pairs.push([gh, direct]);
        rates.push([ghRate, directRate]);
      }
    }
  } finally {
    for (const raw of raws) raw.child?.kill();
    for (const name of Object.keys(ips)) await c.service.powerOffVm(name).catch(() => undefined);
    // The network's switch ends with the network (it would otherwise wait out 10 idle minutes after the run).
    for (const name of Object.keys(ips)) await c.service.deleteVm(name).catch(() => undefined);
    await c.service.deleteNetwork('bench').catch(() => undefined);
    for (let i = 0; i < 2; i++) for (const k of ['qmp', 'ser']) fs.rmSync(path.join(c.runtimeDir, `rawnet${i}.${k}`), { force: true });
  }
  return {
    pairs: [
      pairResult(
        'guest ↔ guest ping RTT (avg of 10)',
        'ms',
        'private network (switch)',
        'raw QEMU dgram pair',
        pairs,
        '≤ 1.3',
        'TCG tiny guests; one ping -c 10 per side per pair',
      ),
      pairResult(
        `guest ↔ guest throughput (${FETCH_MIB} MiB, busybox wget from httpd)`,
        'MiB/s',
        'private network (switch)',
        'raw QEMU dgram pair',
        rates,
        '≥ 0.8',
        'TCG tiny guests; time from the command to its end marker on the host clock',
      ),
    ],
    extra: { switchIdlePercent },
  };
}
