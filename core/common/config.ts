import { z } from 'zod';
import { GuesthouseError, throwProblems, type ProblemsOf } from './errors';
import { diskBuses, diskFormats, displayAdapters, nicModels, osPresets, osTypes, pointerKinds, type DiskFormat, type OsType } from './presets';
import { m, said, schemaSentence, type FormField, type Sentence } from './messages';
import { acceleratorSettings, engineSettings } from './engines';
import { snapshotTreeSchema } from './snapshots';
import { nicAttachments, nicAttachmentSchema, nicsSchema } from './nics';
import { sharesSchema } from './shares';
import { CONFIG_VERSION, migrateConfig } from './configMigrations';

export { diskBuses, diskFormats, displayAdapters, nicModels, osPresets, osTypes, pointerKinds, type DiskFormat, type OsType };
export { parseSize } from './size';
export * from './engines';
export * from './nics';
export * from './shares';
export { CONFIG_VERSION, migrateConfig, migrateSnapshotSettings, migrations, type Migration } from './configMigrations';

export const firmwareKinds = ['bios', 'uefi'] as const;
export type FirmwareKind = (typeof firmwareKinds)[number];
/** OVMF with a Linux kernel and initrd does not come up in less. */
export const UEFI_MIN_MEMORY_MIB = 256;

export const NAME_MAX_LENGTH = 64;
/** Upper bound on memory the schema accepts at all; the host check is stricter. */
export const MEMORY_MAX_MIB = 4 * 1024 * 1024;
export const MEMORY_MIN_MIB = 16;
export const CPUS_MIN = 1;
export const CPUS_MAX = 512;

export { said };

/** A VM name doubles as its folder name, so it must be safe as one on every OS. */
export const vmNameSchema = z
  .string({ error: said('name.text') })
  // One spelling per name: "é" as one code point (NFC) or as e + accent (NFD) are the same name.
  .normalize('NFC')
  .refine((s) => s.trim().length > 0, { error: said('name.empty') })
  .refine((s) => s.length <= NAME_MAX_LENGTH, { error: said('name.tooLong', { max: NAME_MAX_LENGTH }) })
  .refine((s) => !/[/\\]/.test(s), { error: said('name.separator') })
  .refine((s) => !s.includes('..'), { error: said('name.dotdot') })
  .refine((s) => !/[<>:"|?*\u0000-\u001f]/.test(s), { error: said('name.chars') })
  .refine((s) => s === s.trim(), { error: said('name.spaces') });

export const memoryMibSchema = z
  .number({ error: said('memory.number') })
  .refine((n) => Number.isFinite(n), { error: said('memory.number'), abort: true })
  .refine((n) => Number.isInteger(n), { error: said('memory.whole'), abort: true })
  .refine((n) => n >= MEMORY_MIN_MIB, { error: said('memory.min', { min: MEMORY_MIN_MIB }), abort: true })
  .refine((n) => n <= MEMORY_MAX_MIB, { error: said('memory.max', { max: MEMORY_MAX_MIB }), abort: true });

export const cpusSchema = z
  .number({ error: said('cpus.number') })
  .refine((n) => Number.isInteger(n) && n >= CPUS_MIN, { error: said('cpus.min'), abort: true })
  .refine((n) => n <= CPUS_MAX, { error: said('cpus.max', { max: CPUS_MAX }), abort: true });

const pathSchema = (file: 'disk' | 'iso' | 'kernel' | 'initrd', what = m(`term.${file}`)) =>
  z
    .string({ error: said('path.text', { what }) })
    .min(1, { error: said('path.empty', { what }) })
    .refine((s) => !s.includes('\u0000'), { error: said('path.nul', { what }) });

/** The enumerated settings, each with its sentence; the config and the requests share them. */
export const osTypeSchema = z.enum(osTypes, { error: said('config.osType', { list: osTypes.join(', ') }) });
export const engineSchema = z.enum(engineSettings, { error: said('config.engine', { list: engineSettings.join(', ') }) });
export const acceleratorSchema = z.enum(acceleratorSettings, { error: said('config.accelerator', { list: acceleratorSettings.join(', ') }) });
export const firmwareSchema = z.enum(firmwareKinds, { error: said('config.firmware', { list: firmwareKinds.join(', ') }) });
export const displaySchema = z.enum(displayAdapters, { error: said('config.display', { list: displayAdapters.join(', ') }) });
export const pointerSchema = z.enum(pointerKinds, { error: said('config.pointer', { list: pointerKinds.join(', ') }) });
export const diskBusSchema = z.enum(diskBuses, { error: said('config.diskBus', { list: diskBuses.join(', ') }) });

/** Held in milliseconds, typed in seconds (the CLI's --shutdown-timeout-s, the GUI): the sentence speaks seconds. */
const shutdownTimeoutError = { error: said('config.shutdownTimeout', { min: 1, max: 3600 }) };
export const shutdownTimeoutSchema = z
  .number(shutdownTimeoutError)
  .int(shutdownTimeoutError)
  .min(1000, shutdownTimeoutError)
  .max(3_600_000, shutdownTimeoutError);
/** A create or modify request's `network`: the first card's attachment. */
export const networkModes = nicAttachments;
export const networkModeSchema = nicAttachmentSchema;
export const diskFormatSchema = z.enum(diskFormats, { error: said('config.diskFormat', { list: diskFormats.join(', ') }) });

export const diskSchema = z.strictObject({
  /** Relative paths are inside the VM's folder. */
  path: pathSchema('disk'),
  format: diskFormatSchema,
  /** Whether Guesthouse made the file (and may delete it with the VM). */
  owned: z.boolean().default(false),
});
export type DiskConfig = z.infer<typeof diskSchema>;

export const vmConfigSchema = z.strictObject({
  version: z.literal(CONFIG_VERSION),
  identity: z.strictObject({
    uuid: z.uuid({ error: said('config.uuid') }),
    name: vmNameSchema,
    osType: osTypeSchema,
    createdAt: z.string(),
  }),
  cpus: cpusSchema,
  memoryMib: memoryMibSchema,
  disks: z.array(diskSchema).max(4, { error: said('config.disksMax', { max: 4 }) }),
  optical: z.strictObject({ isoPath: pathSchema('iso') }).nullable(),
  directBoot: z
    .strictObject({
      kernelPath: pathSchema('kernel'),
      initrdPath: pathSchema('initrd').nullable(),
      append: z.string().max(4096, { error: said('config.appendMax', { max: 4096 }) }),
    })
    .nullable(),
  firmware: firmwareSchema,
  chipset: z.enum(['pc', 'q35']),
  /** The guest's screen: standard VGA, virtio-vga (guests with the driver), or none (serial only). */
  display: z.strictObject({ adapter: displaySchema }),
  /** The pointer: a USB tablet (absolute, host and guest pointers line up) or a PS/2 mouse. The keyboard is PS/2. */
  input: z.strictObject({ pointer: pointerSchema }),
  /** How the hard disks are attached (virtio needs a driver Windows lacks). */
  diskBus: diskBusSchema,
  /** The network cards, in the order the guest sees them (core/common/nics.ts). */
  nics: nicsSchema,
  /** Host folders the guest mounts over virtio-9p (core/common/shares.ts). */
  shares: sharesSchema,
  serial: z.strictObject({ enabled: z.boolean() }),
  engine: engineSchema,
  accelerator: acceleratorSchema,
  /** How long an ACPI shutdown may take before the VM is powered off. */
  shutdownTimeoutMs: shutdownTimeoutSchema,
  /** The VM's snapshot tree and where its current state hangs (core/common/snapshots.ts). */
  snapshots: snapshotTreeSchema,
});
export type VmConfig = z.infer<typeof vmConfigSchema>;

/** What each request and config field is called in a sentence; other fields by their own name. */
const fieldWords: Readonly<Record<string, string>> = {
  hostAddress: "forward's host address",
  hostPort: "forward's host port",
  guestPort: "forward's guest port",
  forwards: 'list of forwards',
  nics: 'list of network cards',
  mac: 'MAC address',
  shares: 'list of shared folders',
  unshare: 'list of shares to remove',
  readOnly: 'read-only option',
  append: 'kernel command line',
  diskPath: 'disk path',
  isoPath: 'ISO path',
  kernelPath: 'kernel path',
  initrdPath: 'initrd path',
  detachDisks: 'list of disks to detach',
  keepDisks: 'keep-disks option',
  force: 'force option',
  timeoutMs: 'timeout',
  chord: 'key chord',
  text: 'text',
  type: 'message kind',
  id: 'message id',
  method: 'method name',
  params: 'list of arguments',
  ref: 'VM',
  bytes: 'byte count',
  flowControl: 'flow-control option',
};

const typeWords: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  tuple: 'a list',
};

/** A zod issue that has no sentence of ours, as one: the field in words and what it must be. */
function issueSentence(issue: z.core.$ZodIssue): Sentence {
  const key = [...issue.path].reverse().find((p): p is string => typeof p === 'string');
  const index = issue.path.length === 1 && typeof issue.path[0] === 'number' ? issue.path[0] : undefined;
  const field = key ? (fieldWords[key] ?? key) : index !== undefined ? `argument ${index + 1}` : 'request';
  const bound = (v: unknown) => (typeof v === 'bigint' || typeof v === 'number' ? String(v) : '?');
  // The root of a method's arguments is a tuple: its items are arguments.
  const items = issue.path.length === 0 ? 'arguments' : 'items';
  let detail: Sentence;
  switch (issue.code) {
    case 'invalid_type':
      detail = m('field.type', { expected: typeWords[issue.expected] ?? issue.expected });
      break;
    case 'too_small':
      detail = m('field.min', {
        min:
          issue.origin === 'string'
            ? `${bound(issue.minimum)} characters`
            : issue.origin === 'array'
              ? `${bound(issue.minimum)} ${items}`
              : bound(issue.minimum),
      });
      break;
    case 'too_big':
      detail = m('field.max', {
        max:
          issue.origin === 'string'
            ? `${bound(issue.maximum)} characters`
            : issue.origin === 'array'
              ? `${bound(issue.maximum)} ${items}`
              : bound(issue.maximum),
      });
      break;
    case 'invalid_value':
      detail = m('field.oneOf', { list: issue.values.map((v) => String(v)).join(', ') });
      break;
    default:
      detail = m('field.other');
  }
  return m('request.field', { field, detail });
}

/** The form field each request and config field is shown at (the deepest one a problem's path names). */
const formFieldOf: Readonly<Record<string, FormField>> = {
  name: 'name',
  osType: 'osType',
  memoryMib: 'memory',
  cpus: 'cpus',
  disks: 'disk',
  diskPath: 'disk',
  diskSizeBytes: 'disk',
  diskFormat: 'disk',
  detachDisks: 'disk',
  optical: 'iso',
  isoPath: 'iso',
  kernelPath: 'kernel',
  initrdPath: 'initrd',
  append: 'append',
  engine: 'engine',
  accelerator: 'accelerator',
  firmware: 'firmware',
  network: 'network',
  mode: 'network',
  nics: 'network',
  attachment: 'network',
  mac: 'network',
  model: 'nicModel',
  nicModel: 'nicModel',
  forwards: 'forwards',
  shares: 'shares',
  unshare: 'shares',
  tag: 'shares',
  readOnly: 'shares',
  display: 'display',
  pointer: 'pointer',
  diskBus: 'diskBus',
  shutdownTimeoutMs: 'shutdownTimeout',
};

function formField(path: readonly PropertyKey[]): FormField | undefined {
  for (let i = path.length - 1; i >= 0; i--) {
    const key = path[i];
    if (typeof key === 'string' && Object.hasOwn(formFieldOf, key)) return formFieldOf[key];
  }
  return undefined;
}

/**
 * Turns zod issues into one user sentence per problem: the schema's own sentence where it has
 * one (`said`), else one made from the issue; each about the form field its path names.
 */
export function describeIssues(error: z.ZodError): Sentence[] {
  const out: Sentence[] = [];
  for (const issue of error.issues) {
    let sentence =
      issue.code === 'unrecognized_keys'
        ? m(issue.keys.length > 1 ? 'config.unknownSettings' : 'config.unknownSetting', { keys: issue.keys.join(', ') })
        : (schemaSentence(issue.message) ?? issueSentence(issue as z.core.$ZodIssue));
    const field = formField(issue.path);
    if (field) sentence = sentence.about(field);
    if (!out.some((s) => s.message === sentence.message)) out.push(sentence);
  }
  return out;
}

/** Parses with a schema or throws one GuesthouseError listing every problem. */
export function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown, what: ProblemsOf | Sentence): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throwProblems(describeIssues(result.error), what);
  throw new Error('unreachable');
}

/** Parses a config file's JSON text: migrate, then validate. */
export function parseConfigText(text: string, source: string): VmConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new GuesthouseError('invalid-input', m('config.notJson', { source }));
  }
  return parseOrThrow(vmConfigSchema, migrateConfig(raw, source), m('config.in', { source }));
}

/** Host limits a config is checked against. */
export interface HostLimits {
  logicalCpus: number;
  memoryTotalMib: number;
}

/** Problems a config has on this host (too much memory, too many CPUs); a form gives only the field it checks. */
export function hostProblems(config: Partial<Pick<VmConfig, 'memoryMib' | 'cpus'>>, host: HostLimits): Sentence[] {
  const problems: Sentence[] = [];
  if (config.memoryMib !== undefined && config.memoryMib > host.memoryTotalMib) {
    problems.push(m('host.memory', { memory: config.memoryMib, total: host.memoryTotalMib }).about('memory'));
  }
  if (config.cpus !== undefined && config.cpus > host.logicalCpus) {
    problems.push(m('host.cpus', { cpus: config.cpus, total: host.logicalCpus }).about('cpus'));
  }
  return problems;
}

/** IDE has two channels of two; the CD-ROM keeps the secondary master. */
export const IDE_MAX_DISKS = 3;

/**
 * Problems a config has with its firmware or its devices, on any host (the config may
 * come from an older service or a hand-edited file, so the device fields are read with care).
 */
export function firmwareProblems(config: Pick<VmConfig, 'firmware' | 'memoryMib'> & Partial<Pick<VmConfig, 'diskBus' | 'disks'>>): Sentence[] {
  const problems = config.firmware === 'uefi' && config.memoryMib < UEFI_MIN_MEMORY_MIB ? [m('uefi.memory', { min: UEFI_MIN_MEMORY_MIB }).about('memory')] : [];
  if (config.diskBus === 'ide' && (config.disks?.length ?? 0) > IDE_MAX_DISKS) problems.push(m('config.ideDisks', { max: IDE_MAX_DISKS }).about('diskBus'));
  return problems;
}
