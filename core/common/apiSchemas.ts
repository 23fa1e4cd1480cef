/** The zod schemas of IVmService's arguments, checked by every transport's server side. */
import { z } from 'zod';
import {
  acceleratorSchema,
  cpusSchema,
  diskFormatSchema,
  networkModeSchema,
  shutdownTimeoutSchema,
  diskBusSchema,
  displaySchema,
  engineSchema,
  firmwareSchema,
  memoryMibSchema,
  nicModelSchema,
  osTypeSchema,
  pointerSchema,
  MAX_NICS,
  nicAttachmentSchema,
  networkNameSchema,
  nicIdSchema,
  macSchema,
  portForwardSchema,
  said,
  vmNameSchema,
} from './config';
import type { ServiceMethod } from './api';
import { formFields, isMessageKey, m, type ProblemData } from './messages';
import { errorCodes } from './errors';
import { mediaFamilies } from './media';
import { snapshotDescriptionSchema, snapshotNameSchema } from './snapshots';
import { addHostRequestSchema, hostNameSchema } from './hosts';
import { MAX_SHARES, shareRequestSchema, shareTagSchema } from './shares';
import { EXEC_TIMEOUT_MAX_S } from './guestAgent';

/** A reference to a VM: its name or its uuid. */
export const vmRefSchema = z
  .string({ error: said('request.ref') })
  .min(1, { error: said('request.ref') })
  .max(128);

/**
 * A sentence as data (messages.ts): English text, and the catalog key and parameters (values,
 * sentences, or lists of sentences) that say it in another language; no key for words not ours.
 * A problem's sentence also names its form field.
 */
const sentenceFields = {
  message: z.string(),
  key: z.string().refine(isMessageKey).optional(),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.lazy(() => sentenceDataSchema), z.array(z.lazy(() => sentenceDataSchema))])).optional(),
  field: z.enum(formFields).optional(),
};
export const sentenceDataSchema: z.ZodType<ProblemData> = z.strictObject(sentenceFields) as z.ZodType<ProblemData>;

/** An error as data (errors.ts ErrorData), as it crosses from one process to another. */
export const errorDataSchema = z.strictObject({
  ...sentenceFields,
  code: z.enum(errorCodes),
  bug: z.boolean(),
  problems: z.array(sentenceDataSchema).optional(),
});

const optionalPath = z.string().min(1).nullable().optional();

export const createVmRequestSchema = z.strictObject({
  name: vmNameSchema,
  osType: osTypeSchema.optional(),
  engine: engineSchema.optional(),
  accelerator: acceleratorSchema.optional(),
  firmware: firmwareSchema.optional(),
  memoryMib: memoryMibSchema.optional(),
  cpus: cpusSchema.optional(),
  /** A new disk of this size, made in the VM's folder. */
  diskSizeBytes: z
    .number({ error: said('config.diskSize') })
    .int({ error: said('config.diskSize') })
    .min(2 ** 20, { error: said('request.diskMin') })
    .max(2 ** 50, { error: said('config.diskSize') })
    .optional(),
  diskFormat: diskFormatSchema.optional(),
  /** An existing disk image to attach instead. */
  diskPath: optionalPath,
  isoPath: optionalPath,
  kernelPath: optionalPath,
  initrdPath: optionalPath,
  append: z
    .string()
    .max(4096, { error: said('config.appendMax', { max: 4096 }) })
    .optional(),
  network: networkModeSchema.optional(),
  /** Devices the guest sees; the OS type's preset chooses what is left out. */
  display: displaySchema.optional(),
  pointer: pointerSchema.optional(),
  diskBus: diskBusSchema.optional(),
  nicModel: nicModelSchema.optional(),
  /**
   * The network cards, in order, each with what it is attached to and its model (the OS preset's
   * when not said): replaces the list. A card named by its `mac` is that existing card (with its
   * forwards); without MACs, a card kept at its place keeps its MAC and forwards.
   * `network`, `nicModel` and `forwards` then apply to the first card.
   */
  nets: z
    .array(z.strictObject({ attachment: nicAttachmentSchema, model: nicModelSchema.optional(), mac: macSchema.optional() }))
    .min(1, { error: said('request.netsEmpty') })
    .max(MAX_NICS, { error: said('config.nicsMax', { max: MAX_NICS }) })
    .optional(),
  forwards: z
    .array(portForwardSchema.partial({ hostAddress: true }))
    .max(32)
    .optional(),
  /** Host folders to share, each with its tag (the folder's name when not said); a change adds them to the VM's. */
  shares: z
    .array(shareRequestSchema)
    .max(MAX_SHARES, { error: said('share.max', { max: MAX_SHARES }) })
    .optional(),
  shutdownTimeoutMs: shutdownTimeoutSchema.optional(),
  /** Create it on this libvirt host (core/common/hosts.ts) instead of the local library. */
  host: hostNameSchema.optional(),
});
export type CreateVmRequest = z.input<typeof createVmRequestSchema>;

/** A port forward to add (addForward): on card `nic`, or the first on NAT or host-only. */
export const forwardRequestSchema = portForwardSchema.partial({ hostAddress: true }).extend({ nic: nicIdSchema.optional() });
export type ForwardRequest = z.input<typeof forwardRequestSchema>;

/**
 * Changes to a stopped VM; omitted fields stay, null removes. `diskSizeBytes` adds a new
 * disk in the VM's folder and `diskPath` attaches an existing one; `detachDisks` (paths as
 * `getVm` shows them) takes disks off the VM and leaves their files where they are.
 * `unshare` takes shared folders off by tag, then `shares` adds new ones.
 */
export const modifyVmRequestSchema = createVmRequestSchema.partial().extend({
  name: vmNameSchema.optional(),
  detachDisks: z.array(z.string().min(1)).max(4).optional(),
  /** Shares to take off, by tag (before `shares` adds any). */
  unshare: z.array(shareTagSchema).max(MAX_SHARES).optional(),
});
export type ModifyVmRequest = z.input<typeof modifyVmRequestSchema>;

export const shutdownOptionsSchema = z.strictObject({
  /** Power off at once instead of asking the guest. */
  force: z.boolean().optional(),
  timeoutMs: z.number().int().min(0).max(3_600_000).optional(),
});
export type ShutdownOptions = z.input<typeof shutdownOptionsSchema>;

export const deleteOptionsSchema = z.strictObject({ keepDisks: z.boolean().optional() });
export type DeleteOptions = z.input<typeof deleteOptionsSchema>;

/** A mirror for one family of the OS catalogue: an http(s) URL that replaces the vendor's base. */
const mirrorUrl = z.url({ protocol: /^https?$/, error: said('os.mirror') });

/** Host-wide settings (the host panel): the accelerator VMs with accelerator auto get; mirrors for OS downloads. */
export const hostSettingsSchema = z.strictObject({
  accelerator: acceleratorSchema,
  /** Per OS family (debian, ubuntu, …): a mirror with the vendor's layout (GUESTHOUSE_MIRROR_<FAMILY> wins). */
  mirrors: z.partialRecord(z.enum(mediaFamilies), mirrorUrl).optional(),
});
export type HostSettings = z.infer<typeof hostSettingsSchema>;

const ref = vmRefSchema;
/** An OS of the download catalogue, by id. */
const osId = z
  .string({ error: said('os.id') })
  .min(1, { error: said('os.id') })
  .max(64, { error: said('os.id') });

/** A new snapshot: its name (unique in the VM's tree) and a description. */
export const snapshotRequestSchema = z.strictObject({
  name: snapshotNameSchema,
  description: snapshotDescriptionSchema.optional(),
});

/** Revert: first take a snapshot of the current state under this name. */
export const revertOptionsSchema = z.strictObject({
  takeCurrentAs: snapshotNameSchema.optional(),
});

/** A clone: its name, full or linked, from which snapshot, with or without the snapshot tree. */
export const cloneRequestSchema = z.strictObject({
  name: vmNameSchema,
  mode: z.enum(['full', 'linked'], { error: said('clone.mode') }),
  snapshot: z
    .string({ error: said('snapshot.ref') })
    .min(1, { error: said('snapshot.ref') })
    .max(128)
    .optional(),
  keepSnapshots: z.boolean().optional(),
});

/** A snapshot by id or name. */
const snapshotRef = z
  .string({ error: said('snapshot.ref') })
  .min(1, { error: said('snapshot.ref') })
  .max(128);
/** A disk as the VM's config names it, or its full path. */
const diskRef = z
  .string({ error: said('disk.ref') })
  .min(1, { error: said('disk.ref') })
  .max(4096)
  .refine((s) => !s.includes('\u0000'), { error: said('path.nul', { what: m('term.disk') }) });
/** A file on the service's host (an image to import, an ISO). */
const hostFile = (what: 'disk' | 'iso' | 'file') =>
  z
    .string({ error: said('request.file') })
    .min(1, { error: said('request.file') })
    .max(4096)
    .refine((s) => !s.includes('\u0000'), { error: said('path.nul', { what: m(`term.${what}`) }) });

/** A chord ("ctrl-alt-delete") or up to 4096 characters of text to type. */
export const keyInputSchema = z.union(
  [
    z.strictObject({ chord: z.string().min(1).max(100) }),
    z.strictObject({
      text: z
        .string()
        .min(1)
        .max(4096, { error: said('keys.tooLong', { max: 4096 }) }),
    }),
  ],
  { error: said('keys.what') },
);
const bytes = z.instanceof(Uint8Array, { error: said('request.consoleBytes') });

/**
 * The most one writeConsole call may carry: the guest takes input at the speed of its
 * serial line, so a larger write would hold every later keystroke back for minutes.
 * Longer input goes in parts, each once the last has been taken (guesthouse send --file).
 */
export const CONSOLE_WRITE_MAX_BYTES = 64 * 1024;
const consoleInput = bytes.refine((b) => b.length <= CONSOLE_WRITE_MAX_BYTES, {
  error: said('request.consoleTooLong', { max: CONSOLE_WRITE_MAX_BYTES / 1024 }),
});

/** A path in the guest (guest agent calls). */
const guestPath = z
  .string({ error: said('agent.guestPath') })
  .min(1, { error: said('agent.guestPath') })
  .max(4096)
  .refine((s) => !s.includes('\u0000'), { error: said('agent.guestPath') });
const noNul = (s: string) => !s.includes('\u0000');
/** A command to run in the guest: its program and arguments (an argv, never a shell line). */
const argvSchema = z
  .array(
    z
      .string()
      .max(65_536)
      .refine(noNul, { error: said('agent.badArg') }),
    { error: said('agent.noCommand') },
  )
  .min(1, { error: said('agent.noCommand') })
  .max(4096)
  .refine((argv) => argv[0] !== '', { error: said('agent.noCommand') });

/** Argument schemas per method: every transport validates calls against these. */
export const methodParams: Record<ServiceMethod, z.ZodTuple> = {
  getHostInfo: z.tuple([]),
  setHostSettings: z.tuple([hostSettingsSchema]),
  listVms: z.tuple([]),
  getVm: z.tuple([ref]),
  createVm: z.tuple([createVmRequestSchema]),
  modifyVm: z.tuple([ref, modifyVmRequestSchema]),
  deleteVm: z.tuple([ref, deleteOptionsSchema.optional()]),
  startVm: z.tuple([ref]),
  pauseVm: z.tuple([ref]),
  resumeVm: z.tuple([ref]),
  resetVm: z.tuple([ref]),
  shutdownVm: z.tuple([ref, shutdownOptionsSchema.optional()]),
  powerOffVm: z.tuple([ref]),
  saveVm: z.tuple([ref]),
  discardSavedState: z.tuple([ref]),
  repairVm: z.tuple([ref]),
  writeConsole: z.tuple([ref, consoleInput]),
  waitForConsole: z.tuple([ref, z.string().min(1, { error: said('request.waitText') }), z.number().int().min(0).max(86_400_000)]),
  readLog: z.tuple([ref]),
  browseFiles: z.tuple([z.string().min(1).max(4096).nullable().optional()]),
  screenshot: z.tuple([ref]),
  screenText: z.tuple([ref]),
  waitForScreen: z.tuple([
    ref,
    z
      .string()
      .min(1, { error: said('request.waitText') })
      .max(1000),
    z.number().int().min(0).max(86_400_000),
  ]),
  sendKeys: z.tuple([ref, keyInputSchema]),
  listSnapshots: z.tuple([ref]),
  takeSnapshot: z.tuple([ref, snapshotRequestSchema]),
  revertSnapshot: z.tuple([ref, snapshotRef, revertOptionsSchema.optional()]),
  deleteSnapshot: z.tuple([ref, snapshotRef]),
  cloneVm: z.tuple([ref, cloneRequestSchema]),
  listDisks: z.tuple([ref]),
  resizeDisk: z.tuple([
    ref,
    diskRef,
    z
      .number({ error: said('disk.badSize') })
      .int({ error: said('disk.badSize') })
      .min(1, { error: said('disk.badSize') })
      .max(2 ** 50, { error: said('config.diskSize') }),
  ]),
  convertDisk: z.tuple([ref, diskRef, z.enum(['qcow2', 'raw'], { error: said('config.diskFormat', { list: 'qcow2, raw' }) })]),
  importDisk: z.tuple([ref, hostFile('disk')]),
  insertMedia: z.tuple([ref, hostFile('iso')]),
  ejectMedia: z.tuple([ref]),
  addForward: z.tuple([ref, forwardRequestSchema]),
  listNetworks: z.tuple([]),
  createNetwork: z.tuple([networkNameSchema]),
  deleteNetwork: z.tuple([networkNameSchema]),
  detectMedia: z.tuple([hostFile('iso')]),
  listOs: z.tuple([]),
  downloadOs: z.tuple([osId]),
  cancelDownload: z.tuple([osId]),
  listHosts: z.tuple([]),
  addHost: z.tuple([addHostRequestSchema]),
  removeHost: z.tuple([hostNameSchema]),
  guestInfo: z.tuple([ref]),
  execInGuest: z.tuple([
    ref,
    argvSchema,
    z
      .number({ error: said('agent.badTimeout', { max: EXEC_TIMEOUT_MAX_S }) })
      .int({ error: said('agent.badTimeout', { max: EXEC_TIMEOUT_MAX_S }) })
      .min(1, { error: said('agent.badTimeout', { max: EXEC_TIMEOUT_MAX_S }) })
      .max(EXEC_TIMEOUT_MAX_S, { error: said('agent.badTimeout', { max: EXEC_TIMEOUT_MAX_S }) })
      .optional(),
  ]),
  copyToGuest: z.tuple([ref, hostFile('file'), guestPath]),
  copyFromGuest: z.tuple([ref, guestPath, hostFile('file')]),
  removeForward: z.tuple([
    ref,
    z
      .string({ error: said('forward.which') })
      .min(1, { error: said('forward.which') })
      .max(64, { error: said('forward.which') }),
  ]),
};
