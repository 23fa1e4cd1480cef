import type { CreateVmRequest } from '../../core/common/api';
import { parseSize } from '../../core/common/size';
import { parseForward } from '../../core/common/forward';
import { m, type Sentence } from '../../core/common/messages';
import path from 'node:path';
import type { ParseArgsConfig } from 'node:util';

export { parseForward };

/** Input the command line itself gets wrong: said in one sentence, exit code 2, before any service starts. */
export class UsageError extends Error {
  constructor(message: string | Sentence) {
    super(String(message));
  }
}

/** A setting's choices as the usage text writes them (a|b|c), from the list the config checks against. */
export const choices = (list: readonly string[]): string => list.join('|');

/** The positional words of a command line (option values are not words). */
export function words(argv: string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const found: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return [...found, ...argv.slice(i + 1)];
    if (a.startsWith('--')) {
      if (!a.includes('=') && options[a.slice(2)]?.type === 'string') i++;
      continue;
    }
    if (a.startsWith('-') && a.length > 1) continue;
    found.push(a);
  }
  return found;
}

/** Options shared by create and modify. */
export const vmOptions = {
  engine: { type: 'string' },
  accelerator: { type: 'string' },
  firmware: { type: 'string' },
  memory: { type: 'string' },
  cpus: { type: 'string' },
  disk: { type: 'string' },
  'disk-format': { type: 'string' },
  'attach-disk': { type: 'string' },
  'detach-disk': { type: 'string', multiple: true },
  cdrom: { type: 'string' },
  kernel: { type: 'string' },
  initrd: { type: 'string' },
  append: { type: 'string' },
  os: { type: 'string' },
  network: { type: 'string' },
  forward: { type: 'string', multiple: true },
  'shutdown-timeout-s': { type: 'string' },
  display: { type: 'string' },
  pointer: { type: 'string' },
  'disk-bus': { type: 'string' },
  nic: { type: 'string' },
  net: { type: 'string', multiple: true },
  share: { type: 'string', multiple: true },
  unshare: { type: 'string', multiple: true },
} as const;

export type VmOptionValues = { [K in keyof typeof vmOptions]?: (typeof vmOptions)[K] extends { multiple: true } ? string[] : string };

/** A number as typed; not-a-number goes on as NaN so the schema says its sentence. */
const num = (s: string | undefined) => (s === undefined ? undefined : s.trim() === '' ? Number.NaN : Number(s));

/**
 * A file named on the command line, made absolute here: the service that opens it runs in
 * its own folder. An empty value stays empty (it removes the setting).
 */
const abs = (s: string) => (s ? path.resolve(s) : s);

/**
 * One `--net ATTACHMENT[,model=M][,mac=MAC]`: what the card is attached to and, if said, its
 * model and MAC (an existing card's MAC names that card; the service checks all three; only the
 * form is checked here).
 */
export function parseNet(text: string): { attachment: string; model?: string; mac?: string } {
  const [attachment, ...options] = text.split(',');
  const net: { attachment: string; model?: string; mac?: string } = { attachment: attachment ?? '' };
  for (const option of options) {
    const [key, value, ...more] = option.split('=');
    if ((key !== 'model' && key !== 'mac') || value === undefined || more.length || net[key] !== undefined) throw new UsageError(m('cli.netBad', { text }));
    net[key] = value;
  }
  if (!net.attachment) throw new UsageError(m('cli.netBad', { text }));
  return net;
}

/**
 * One `--share HOSTPATH[,tag=T][,ro]`: the folder (made absolute here) and, if said, its tag and
 * read-only (the service checks the folder and the tag; only the form is checked here).
 */
export function parseShare(text: string): { path: string; tag?: string; readOnly?: boolean } {
  const [folder, ...options] = text.split(',');
  if (!folder) throw new UsageError(m('cli.shareBad', { text }));
  const share: { path: string; tag?: string; readOnly?: boolean } = { path: path.resolve(folder) };
  for (const option of options) {
    const [key, value, ...more] = option.split('=');
    if (key === 'ro' && value === undefined && share.readOnly === undefined) share.readOnly = true;
    else if (key === 'tag' && value !== undefined && !more.length && share.tag === undefined) share.tag = value;
    else throw new UsageError(m('cli.shareBad', { text }));
  }
  return share;
}

/** Turns CLI flags into a create/modify request (validated by the service). */
export function vmRequestFromFlags(v: VmOptionValues): Omit<CreateVmRequest, 'name'> {
  const req: Record<string, unknown> = {};
  if (v.engine !== undefined) req.engine = v.engine;
  if (v.accelerator !== undefined) req.accelerator = v.accelerator;
  if (v.firmware !== undefined) req.firmware = v.firmware;
  if (v.memory !== undefined) req.memoryMib = num(v.memory);
  if (v.cpus !== undefined) req.cpus = num(v.cpus);
  if (v.disk !== undefined) req.diskSizeBytes = parseSize(v.disk);
  if (v['disk-format'] !== undefined) req.diskFormat = v['disk-format'];
  if (v['attach-disk'] !== undefined) req.diskPath = abs(v['attach-disk']);
  if (v['detach-disk'] !== undefined) req.detachDisks = v['detach-disk'];
  if (v.cdrom !== undefined) req.isoPath = abs(v.cdrom) || null;
  if (v.kernel !== undefined) req.kernelPath = abs(v.kernel) || null;
  if (v.initrd !== undefined) req.initrdPath = abs(v.initrd) || null;
  if (v.append !== undefined) req.append = v.append;
  if (v.os !== undefined) req.osType = v.os;
  if (v.network !== undefined) req.network = v.network;
  if (v.forward !== undefined) req.forwards = v.forward.map(parseForward);
  if (v.display !== undefined) req.display = v.display;
  if (v.pointer !== undefined) req.pointer = v.pointer;
  if (v['disk-bus'] !== undefined) req.diskBus = v['disk-bus'];
  if (v.nic !== undefined) req.nicModel = v.nic;
  if (v.net !== undefined) req.nets = v.net.map(parseNet);
  if (v.share !== undefined) req.shares = v.share.map(parseShare);
  if (v.unshare !== undefined) req.unshare = v.unshare;
  if (v['shutdown-timeout-s'] !== undefined) req.shutdownTimeoutMs = Math.round(num(v['shutdown-timeout-s'])! * 1000);
  return req as Omit<CreateVmRequest, 'name'>;
}

/** C-style escapes in `send` text: \n \r \t \e \a \b \0 \\ \xHH. */
export function unescapeC(text: string): Buffer {
  const bytes: number[] = [];
  const simple: Record<string, number> = { n: 10, r: 13, t: 9, e: 27, a: 7, b: 8, '0': 0, '\\': 92, "'": 39, '"': 34 };
  const raw = Buffer.from(text, 'utf8');
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== 92 || i === raw.length - 1) {
      bytes.push(raw[i]!);
      continue;
    }
    const c = String.fromCharCode(raw[i + 1]!);
    if (c in simple) {
      bytes.push(simple[c]!);
      i++;
    } else if (c === 'x' && /^[0-9a-fA-F]{2}$/.test(raw.subarray(i + 2, i + 4).toString('latin1'))) {
      bytes.push(parseInt(raw.subarray(i + 2, i + 4).toString('latin1'), 16));
      i += 3;
    } else {
      bytes.push(92);
    }
  }
  return Buffer.from(bytes);
}
