import type { GuestReply, GuestRequest } from './guestActions';
import type { SentenceData } from './messages';
import type { GuestInfo } from './guestAgent';
import type { AcceleratorKind, EngineKind, VmConfig } from './config';
import type { VmState } from './state';

/** A card's place on a private network: QEMU sends from 127.0.0.1:localPort to its switch on 127.0.0.1:switchPort. */
export interface PrivateLink {
  localPort: number;
  switchPort: number;
}

/** Everything a guest host needs to run its guest, decided by the service. */
export interface BootSpec {
  config: VmConfig;
  vmDir: string;
  /** Short private folder for sockets (unix socket paths must stay under 108 bytes). */
  runtimeDir: string;
  engine: EngineKind;
  /** `uefi`: the firmware code and this VM's own variable store, for firmware uefi. */
  /** `privateLinks`: each card on a private network, by card id: the UDP ports of its `-netdev dgram` (its own, and its switch's). */
  /**
   * `noGuestAgent`: start without the guest agent's channel, because the machine state it
   * restores (a saved state or a live snapshot made before the channel was added) has none.
   */
  qemu?: {
    binary: string;
    accelerator: AcceleratorKind;
    uefi?: { code: string; vars: string };
    privateLinks?: Record<string, PrivateLink>;
    noGuestAgent?: boolean;
  };
  v86?: { bios: string; vgaBios: string | null; wasm: string };
  /** Where the machine state is saved, and restored from when it exists at boot. */
  stateFile: string;
  restoreState: boolean;
  /** Console ring buffer size. */
  ringBytes: number;
  /** Under hardware acceleration: no output and a still screen this long after start is reported ('silent'). */
  silenceMs?: number;
  /**
   * Revert of a stopped VM to a live snapshot: QEMU starts paused, loads this snapshot of its
   * disks (the machine state on `vmstateFile`), then runs on from it.
   */
  loadSnapshot?: { tag: string; vmstateFile: string };
}

export type { GuestAction, GuestRequest, GuestReply, PayloadOf, ReplyOf, SavedSnapshot, SnapshotTarget } from './guestActions';

/** Parent (service) → guest host. */
export type ToGuestHost =
  | { type: 'boot'; spec: BootSpec }
  /** One entry of `guestActions` (guestActions.ts): its action and what that action carries. */
  | GuestRequest
  | { type: 'input'; data: Uint8Array }
  /** Flow control: stop (or go on) reading the guest's console while viewers catch up. */
  | { type: 'flow'; paused: boolean }
  /** Electron only: the message carries a MessagePort for a console viewer (see ConsolePort). */
  | { type: 'attachPort' }
  /**
   * Electron only: the message carries a MessagePort for a screen viewer, speaking RFB:
   * bytes both ways as { type: 'data' }, the viewer's end as { type: 'close' }, ours as { type: 'closed' }
   * (FromDisplayPort / ToDisplayPort in main/preload/channels.ts).
   */
  | { type: 'attachDisplayPort' }
  /** A service that has come back (or a new one) asks a surviving guest host what it runs; answered with 'hello'. */
  | { type: 'hello' };

/** Viewer → guest host, on a console MessagePort. */
export type FromConsolePort = { type: 'input'; data: Uint8Array } | { type: 'ack'; bytes: number };
/** Guest host → viewer, on a console MessagePort. */
export type ToConsolePort = { type: 'backlog'; data: Uint8Array } | { type: 'data'; data: Uint8Array } | { type: 'closed' };

/** A console MessagePort as the guest host sees it, whatever its runtime. */
export interface ConsolePort {
  post(message: ToConsolePort): void;
  onMessage(handler: (message: FromConsolePort) => void): void;
  onClose(handler: () => void): void;
  close(): void;
}

/** Guest host → parent. */
export type FromGuestHost =
  | { type: 'state'; state: VmState; reason?: SentenceData }
  | { type: 'output'; data: Uint8Array }
  /** The answer to a request: what its action replies (`guestActions`), or why it failed. */
  | GuestReply
  /** A long request went on to its next step: QEMU's job status (created, running, concluded…), or a copy's bytes `done` of `total`. */
  | { type: 'progress'; id: number; status: string; done?: number; total?: number }
  /** What the guest agent said of the guest (or that it does not answer), each time that changes. */
  | { type: 'guestInfo'; info: GuestInfo }
  /** `displaySocket`: where the guest host serves the screen as RFB, when the guest has one. */
  | { type: 'runtime'; enginePid?: number; accelerator: AcceleratorKind | null; displaySocket?: string }
  /** When the guest's first console byte reached the guest host (epoch ms), for start-up timing. */
  | { type: 'firstOutput'; at: number }
  /** Under hardware acceleration the guest has shown no sign of life for this long since start. */
  | { type: 'silent'; seconds: number }
  /**
   * A log in the VM's folder (console.log, or the engine's qemu.log) could not be written and
   * is paused ('full': the disk is full), or (`pause` null) is written again.
   */
  | { type: 'logPaused'; log: 'console' | 'engine'; pause: 'full' | 'failed' | null }
  /** The answer to 'hello': the guest this guest host runs, as things stand now. */
  | {
      type: 'hello';
      /** The guest host's own pid (it may be a service older than this one that started it). */
      pid: number;
      spec: BootSpec | null;
      state: VmState;
      reason?: SentenceData;
      runtime?: { enginePid?: number; accelerator: AcceleratorKind | null; displaySocket?: string };
      firstOutputAt?: number;
    };
