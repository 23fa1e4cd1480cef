import { z } from 'zod';
import type { ErrorData } from './errors';
import type { AcceleratorKind, EngineKind, OsType, VmConfig } from './config';
import { acceleratorKinds, cpusSchema, engineKinds, memoryMibSchema, osTypes, portForwardSchema, vmNameSchema } from './config';
import type { VmState } from './state';

/** A reference to a VM: its name or its uuid. */
export const vmRefSchema = z.string({ error: 'Name the VM.' }).min(1, { error: 'Name the VM.' }).max(128);

const optionalPath = z.string().min(1).nullable().optional();

export const createVmRequestSchema = z.strictObject({
  name: vmNameSchema,
  osType: z.enum(osTypes, { error: `The OS type must be one of ${osTypes.join(', ')}.` }).optional(),
  engine: z.enum(engineKinds, { error: `The engine must be one of ${engineKinds.join(', ')}.` }).optional(),
  accelerator: z.enum(acceleratorKinds, { error: `The accelerator must be one of ${acceleratorKinds.join(', ')}.` }).optional(),
  memoryMib: memoryMibSchema.optional(),
  cpus: cpusSchema.optional(),
  /** A new disk of this size, made in the VM's folder. */
  diskSizeBytes: z.number().int().min(2 ** 20, { error: 'A disk must be at least 1 MiB.' }).max(2 ** 50).optional(),
  diskFormat: z.enum(['qcow2', 'raw']).optional(),
  /** An existing disk image to attach instead. */
  diskPath: optionalPath,
  isoPath: optionalPath,
  kernelPath: optionalPath,
  initrdPath: optionalPath,
  append: z.string().max(4096).optional(),
  network: z.enum(['nat', 'none']).optional(),
  forwards: z.array(portForwardSchema.partial({ hostAddress: true })).max(32).optional(),
  shutdownTimeoutMs: z.number().int().min(1000).max(3_600_000).optional(),
});
export type CreateVmRequest = z.input<typeof createVmRequestSchema>;

/** Changes to a stopped VM; omitted fields stay, null removes. */
export const modifyVmRequestSchema = createVmRequestSchema
  .omit({ diskSizeBytes: true, diskFormat: true, diskPath: true })
  .partial()
  .extend({ name: vmNameSchema.optional() });
export type ModifyVmRequest = z.input<typeof modifyVmRequestSchema>;

export const shutdownOptionsSchema = z.strictObject({
  /** Power off at once instead of asking the guest. */
  force: z.boolean().optional(),
  timeoutMs: z.number().int().min(0).max(3_600_000).optional(),
});
export type ShutdownOptions = z.input<typeof shutdownOptionsSchema>;

export const deleteOptionsSchema = z.strictObject({ keepDisks: z.boolean().optional() });
export type DeleteOptions = z.input<typeof deleteOptionsSchema>;

export interface VmSummary {
  id: string;
  name: string;
  osType: OsType;
  engine: EngineKind;
  memoryMib: number;
  cpus: number;
  state: VmState;
  /** Why the VM is in its state, for crashed (and for stopped after a failure). */
  stateReason?: string;
}

export interface VmRuntime {
  guestHostPid: number;
  enginePid?: number;
  engine: 'qemu' | 'v86';
  accelerator: string;
  startedAt: string;
  /** Epoch ms at which the guest's first console byte reached its guest host. */
  firstOutputAt?: number;
}

export interface VmDetails extends VmSummary {
  config: VmConfig;
  folder: string;
  runtime?: VmRuntime;
  /** Which engine this VM will run on here, and why (engine auto decides per host). */
  engineChoice: { engine: 'qemu' | 'v86' | null; reason: string };
  /** What the engine does differently, said plainly (disk writes, network). */
  engineNotes: string[];
}

export interface QemuBinary {
  arch: string;
  path: string;
  version: string;
}

export interface HostInfo {
  platform: string;
  arch: string;
  cpuModel: string;
  logicalCpus: number;
  physicalCpus: number;
  memoryTotalMib: number;
  memoryFreeMib: number;
  accelerators: { kind: Exclude<AcceleratorKind, 'auto'>; usable: boolean; detail: string }[];
  qemu: { binaries: QemuBinary[]; img: { path: string; version: string } | null; installHint: string | null };
  /** Which engine `auto` picks on this host, and why. */
  autoEngine: { engine: 'qemu' | 'v86' | null; reason: string };
  /** The embedded engine's firmware, or how to get it. */
  v86: { available: boolean; bios: string | null; detail: string };
  libraryPath: string;
}

export interface StateChangeEvent {
  id: string;
  name: string;
  state: VmState;
  reason?: string;
}

export interface Disposable {
  dispose(): void;
}

export interface ConsoleAttachment extends Disposable {
  /** The recent output (from the guest host's ring buffer) at the moment of attaching. */
  backlog: Uint8Array;
  /**
   * With flow control: the viewer has processed this many more bytes (xterm.write's
   * callback). The guest's output pauses while a viewer is FLOW_HIGH_BYTES behind.
   */
  ack(bytes: number): void;
}

export interface AttachOptions {
  /** The viewer acknowledges what it has shown; without acks, output pauses. */
  flowControl?: boolean;
}

export { FLOW_HIGH_BYTES, FLOW_LOW_BYTES } from './presets';

/**
 * The one contract every front end speaks (Electron renderer, browser, CLI).
 * Methods take plain data and are validated at each transport's edge.
 */
export interface IVmService {
  getHostInfo(): Promise<HostInfo>;
  listVms(): Promise<VmSummary[]>;
  getVm(ref: string): Promise<VmDetails>;
  createVm(request: CreateVmRequest): Promise<VmDetails>;
  modifyVm(ref: string, changes: ModifyVmRequest): Promise<VmDetails>;
  deleteVm(ref: string, options?: DeleteOptions): Promise<void>;
  startVm(ref: string): Promise<void>;
  pauseVm(ref: string): Promise<void>;
  resumeVm(ref: string): Promise<void>;
  resetVm(ref: string): Promise<void>;
  /** ACPI shutdown that falls back to power off after the timeout (or at once with force). */
  shutdownVm(ref: string, options?: ShutdownOptions): Promise<void>;
  powerOffVm(ref: string): Promise<void>;
  /** Saves the machine state to the VM's folder and powers off (v86); start restores it. */
  saveVm(ref: string): Promise<void>;
  discardSavedState(ref: string): Promise<void>;
  writeConsole(ref: string, data: Uint8Array): Promise<void>;
  /** Resolves true once `text` has appeared in the console output since the guest started. */
  waitForConsole(ref: string, text: string, timeoutMs: number): Promise<boolean>;
  /** The guest's console log and the engine's log, as text. */
  readLog(ref: string): Promise<string>;
  attachConsole(ref: string, onData: (data: Uint8Array) => void, options?: AttachOptions): Promise<ConsoleAttachment>;
  onDidChangeState(listener: (event: StateChangeEvent) => void): Disposable;
  /** A VM was created, changed or deleted (by any front end). */
  onDidChangeVms(listener: () => void): Disposable;
}

/** The plain request/response methods (everything but the subscriptions). */
export const serviceMethods = [
  'getHostInfo',
  'listVms',
  'getVm',
  'createVm',
  'modifyVm',
  'deleteVm',
  'startVm',
  'pauseVm',
  'resumeVm',
  'resetVm',
  'shutdownVm',
  'powerOffVm',
  'saveVm',
  'discardSavedState',
  'writeConsole',
  'waitForConsole',
  'readLog',
] as const;
export type ServiceMethod = (typeof serviceMethods)[number];

const ref = vmRefSchema;
const bytes = z.instanceof(Uint8Array, { error: 'Console data must be bytes.' });

/** Argument schemas per method: every transport validates calls against these. */
export const methodParams: Record<ServiceMethod, z.ZodTuple> = {
  getHostInfo: z.tuple([]),
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
  writeConsole: z.tuple([ref, bytes]),
  waitForConsole: z.tuple([ref, z.string().min(1, { error: 'Say what text to wait for.' }), z.number().int().min(0).max(86_400_000)]),
  readLog: z.tuple([ref]),
};

export type { ErrorData };
