import { z } from 'zod';
import { GuesthouseError, throwProblems } from './errors';
import { osPresets, osTypes, type OsType } from './presets';

export { osPresets, osTypes, type OsType };
export { parseSize } from './size';

/** The config version this build writes. Older files are migrated, newer ones refused. */
export const CONFIG_VERSION = 1;

export const engineKinds = ['auto', 'qemu', 'v86'] as const;
export type EngineKind = (typeof engineKinds)[number];
export const acceleratorKinds = ['auto', 'kvm', 'hvf', 'whpx', 'tcg'] as const;
export type AcceleratorKind = (typeof acceleratorKinds)[number];

export const NAME_MAX_LENGTH = 64;
/** Upper bound on memory the schema accepts at all; the host check is stricter. */
export const MEMORY_MAX_MIB = 4 * 1024 * 1024;
export const MEMORY_MIN_MIB = 16;

/** A VM name doubles as its folder name, so it must be safe as one on every OS. */
export const vmNameSchema = z
  .string({ error: 'The name must be text.' })
  .refine((s) => s.trim().length > 0, { error: 'The name must not be empty.' })
  .refine((s) => s.length <= NAME_MAX_LENGTH, { error: `The name must be at most ${NAME_MAX_LENGTH} characters long.` })
  .refine((s) => !/[/\\]/.test(s), { error: 'The name must not contain / or \\.' })
  .refine((s) => !s.includes('..'), { error: 'The name must not contain "..".' })
  .refine((s) => !/[<>:"|?*\u0000-\u001f]/.test(s), { error: 'The name must not contain control characters or any of < > : " | ? *.' })
  .refine((s) => s === s.trim(), { error: 'The name must not start or end with a space.' });

export const memoryMibSchema = z
  .number({ error: 'Memory must be a number of MiB.' })
  .refine((n) => Number.isFinite(n), { error: 'Memory must be a number of MiB.', abort: true })
  .refine((n) => Number.isInteger(n), { error: 'Memory must be a whole number of MiB.', abort: true })
  .refine((n) => n >= MEMORY_MIN_MIB, { error: `Memory must be at least ${MEMORY_MIN_MIB} MiB.`, abort: true })
  .refine((n) => n <= MEMORY_MAX_MIB, { error: `Memory must be at most ${MEMORY_MAX_MIB} MiB.`, abort: true });

export const cpusSchema = z
  .number({ error: 'The CPU count must be a number.' })
  .refine((n) => Number.isInteger(n) && n >= 1, { error: 'The CPU count must be a whole number of at least 1.', abort: true })
  .refine((n) => n <= 512, { error: 'The CPU count must be at most 512.', abort: true });

const pathSchema = (what: string) =>
  z
    .string({ error: `The ${what} path must be text.` })
    .min(1, { error: `The ${what} path must not be empty.` })
    .refine((s) => !s.includes('\u0000'), { error: `The ${what} path must not contain a NUL character.` });

export const portSchema = z
  .number({ error: 'A port must be a number.' })
  .int({ error: 'A port must be a whole number.' })
  .min(1, { error: 'A port must be between 1 and 65535.' })
  .max(65535, { error: 'A port must be between 1 and 65535.' });

export const portForwardSchema = z.strictObject({
  protocol: z.enum(['tcp', 'udp']),
  /** Host address the forward listens on; loopback unless the user opens it up. */
  hostAddress: z.string().default('127.0.0.1'),
  hostPort: portSchema,
  guestPort: portSchema,
});
export type PortForward = z.infer<typeof portForwardSchema>;

export const diskSchema = z.strictObject({
  /** Relative paths are inside the VM's folder. */
  path: pathSchema('disk'),
  format: z.enum(['qcow2', 'raw']),
  /** Whether Guesthouse made the file (and may delete it with the VM). */
  owned: z.boolean().default(false),
});
export type DiskConfig = z.infer<typeof diskSchema>;

export const vmConfigSchema = z.strictObject({
  version: z.literal(CONFIG_VERSION),
  identity: z.strictObject({
    uuid: z.uuid({ error: 'The VM id must be a UUID.' }),
    name: vmNameSchema,
    osType: z.enum(osTypes, { error: `The OS type must be one of ${osTypes.join(', ')}.` }),
    createdAt: z.string(),
  }),
  cpus: cpusSchema,
  memoryMib: memoryMibSchema,
  disks: z.array(diskSchema).max(4, { error: 'A VM can have at most 4 disks.' }),
  optical: z.strictObject({ isoPath: pathSchema('ISO') }).nullable(),
  directBoot: z
    .strictObject({
      kernelPath: pathSchema('kernel'),
      initrdPath: pathSchema('initrd').nullable(),
      append: z.string().max(4096, { error: 'The kernel command line must be at most 4096 characters.' }),
    })
    .nullable(),
  firmware: z.enum(['bios', 'uefi']),
  chipset: z.enum(['pc', 'q35']),
  network: z.strictObject({
    mode: z.enum(['nat', 'none']),
    forwards: z.array(portForwardSchema).max(32),
  }),
  serial: z.strictObject({ enabled: z.boolean() }),
  engine: z.enum(engineKinds, { error: `The engine must be one of ${engineKinds.join(', ')}.` }),
  accelerator: z.enum(acceleratorKinds, { error: `The accelerator must be one of ${acceleratorKinds.join(', ')}.` }),
  /** How long an ACPI shutdown may take before the VM is powered off. */
  shutdownTimeoutMs: z.number().int().min(1000).max(3_600_000),
});
export type VmConfig = z.infer<typeof vmConfigSchema>;

/** Turns zod issues into one user sentence per problem. */
export function describeIssues(error: z.ZodError): string[] {
  const out: string[] = [];
  for (const issue of error.issues) {
    let text = issue.message;
    if (issue.code === 'unrecognized_keys') text = `Unknown setting${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}.`;
    else if (!/[.!?]$/.test(text) || /^(Invalid|Expected|Too)/.test(text)) {
      const where = issue.path.length ? issue.path.join('.') : 'input';
      text = `${where}: ${text.replace(/[.]$/, '')}.`;
    }
    if (!out.includes(text)) out.push(text);
  }
  return out;
}

/** Parses with a schema or throws one GuesthouseError listing every problem. */
export function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throwProblems(describeIssues(result.error), what);
  throw new Error('unreachable');
}

/** One step from version n to n + 1. */
export type Migration = (old: Record<string, unknown>) => Record<string, unknown>;

/**
 * migrations[n] upgrades a version-n file to version n + 1. Version 1 is the first
 * published format, so the table is empty; each later format adds its step here.
 */
export const migrations: Readonly<Record<number, Migration>> = {};

/** Reads a config of any known version, migrating older ones and refusing newer ones. */
export function migrateConfig(raw: unknown, source: string, table: Readonly<Record<number, Migration>> = migrations, current = CONFIG_VERSION): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new GuesthouseError('invalid-input', `${source} does not hold a VM configuration.`);
  }
  let doc = raw as Record<string, unknown>;
  const version = doc.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new GuesthouseError('invalid-input', `${source} has no valid version number.`);
  }
  if (version > current) {
    throw new GuesthouseError(
      'config-version',
      `${source} was written by a newer Guesthouse (config version ${version}; this one reads up to ${current}); update Guesthouse to open it.`,
    );
  }
  for (let v = version; v < current; v++) {
    const step = table[v];
    if (!step) throw new GuesthouseError('config-version', `${source} has config version ${v}, which this Guesthouse cannot upgrade.`);
    doc = { ...step(doc), version: v + 1 };
  }
  return doc;
}

/** Parses a config file's JSON text: migrate, then validate. */
export function parseConfigText(text: string, source: string): VmConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new GuesthouseError('invalid-input', `${source} is not valid JSON.`);
  }
  return parseOrThrow(vmConfigSchema, migrateConfig(raw, source), `configuration in ${source}`);
}

/** Host limits a config is checked against. */
export interface HostLimits {
  logicalCpus: number;
  memoryTotalMib: number;
}

/** Problems a config has on this host (too much memory, too many CPUs). */
export function hostProblems(config: Pick<VmConfig, 'memoryMib' | 'cpus'>, host: HostLimits): string[] {
  const problems: string[] = [];
  if (config.memoryMib > host.memoryTotalMib) {
    problems.push(`Memory of ${config.memoryMib} MiB is more than this host has (${host.memoryTotalMib} MiB).`);
  }
  if (config.cpus > host.logicalCpus) {
    problems.push(`${config.cpus} CPUs are more than this host has (${host.logicalCpus}).`);
  }
  return problems;
}


/** What the embedded v86 engine can run. */
export const V86_MAX_MEMORY_MIB = 2048;
/** v86 places the initrd at 64 MiB: guest RAM must hold it above that. */
export const V86_INITRD_ADDRESS_MIB = 64;

/** Problems a config has for the v86 engine: honest limits, one sentence each. */
export function v86Problems(config: Pick<VmConfig, 'identity' | 'cpus' | 'memoryMib' | 'disks' | 'directBoot'>, initrdBytes = 0): string[] {
  const problems: string[] = [];
  if (osPresets[config.identity.osType].arch !== 'i386') {
    problems.push(`The v86 engine runs 32-bit x86 guests only; choose the OS type linux-x86 or other-x86, or use QEMU.`);
  }
  if (config.cpus !== 1) problems.push(`The v86 engine emulates one CPU; set the CPU count to 1.`);
  if (config.memoryMib > V86_MAX_MEMORY_MIB) problems.push(`The v86 engine supports at most ${V86_MAX_MEMORY_MIB} MiB of memory.`);
  if (config.directBoot?.initrdPath) {
    const needMib = V86_INITRD_ADDRESS_MIB + Math.ceil(initrdBytes / 2 ** 20) + 1;
    if (config.memoryMib < needMib) problems.push(`With an initrd the v86 engine needs at least ${needMib} MiB of memory (it loads the initrd at 64 MiB).`);
  }
  for (const d of config.disks) {
    if (d.format !== 'raw') problems.push(`The v86 engine reads raw disk images only; convert ${d.path} with "qemu-img convert -O raw", or use QEMU.`);
  }
  if (config.disks.length > 2) problems.push('The v86 engine supports at most 2 hard disks.');
  return problems;
}
