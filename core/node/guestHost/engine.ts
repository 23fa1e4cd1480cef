import type { Duplex } from 'node:stream';
import type { SentenceData } from '../../common/messages';
import type { AcceleratorKind, EngineKind } from '../../common/engines';
import type { SavedSnapshot, SnapshotTarget } from '../../common/protocol';

/** How a guest's run ended, as the engine saw it. */
export interface EngineExit {
  /** 'stopped': the guest or the user turned it off; 'crashed': anything else. */
  outcome: 'stopped' | 'crashed';
  reason: SentenceData;
}

export interface EngineListener {
  /** The engine's own view of running vs paused (QMP STOP/RESUME, a disk error…). */
  onRunState(state: 'running' | 'paused', reason?: SentenceData): void;
  onOutput(data: Uint8Array): void;
  onExit(exit: EngineExit): void;
  /** The engine's own log could not be written and is paused ('full': the disk is full), or (null) is written again. */
  onLogPaused?(pause: 'full' | 'failed' | null): void;
}

/** What every engine (QEMU, v86) offers the guest host. */
export interface Engine {
  readonly kind: EngineKind;
  /** The process executing the guest, when it is not the guest host itself. */
  readonly pid: number | undefined;
  /** The accelerator the guest runs with; null for an engine that has none (v86 runs x86 as WebAssembly itself). */
  readonly accelerator: AcceleratorKind | null;
  /** Boots the guest (paused first, then continued); resolves once it runs. */
  start(): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  reset(): Promise<void>;
  /** Asks the guest to power off (ACPI); resolves when asked, not when done. */
  requestShutdown(): Promise<void>;
  /** Pulls the plug; resolves once the guest is gone. */
  powerOff(): Promise<void>;
  write(data: Uint8Array): void;
  /** Stops reading console output (the guest then blocks on its console), or reads on. */
  setOutputPaused(paused: boolean): void;
  /**
   * Saves the machine state to `file` (the guest is stopped first), then ends the engine;
   * on failure the guest goes on as it was. The next start with `restoreState` resumes it.
   */
  saveState(file: string): Promise<void>;
  /** Serves the guest's screen, keyboard and pointer as RFB (VNC) to one viewer on `stream`; absent without a screen. */
  openDisplay?(stream: Duplex): void;
  /** The screen as a PNG at the guest's resolution. */
  screenshot?(): Promise<Uint8Array>;
  /** The screen's text rows while it shows a text mode, null when it shows graphics. */
  screenText?(): Promise<string[] | null>;
  /** Presses each chord (QEMU qcode names, see core/common/keys.ts) in order. */
  sendKeys?(chords: string[][]): Promise<void>;
  /** A cheap digest of what the screen shows now (null without a screen), to tell a live guest from a stuck one. */
  screenFingerprint?(): Promise<string | null>;
  /**
   * Live snapshots of the whole machine (QEMU only): save, load or delete `tag` on every
   * writable image; `onStatus` hears each step of the job. A save says where it went.
   */
  snapshot?(op: 'save' | 'load' | 'delete', target: SnapshotTarget, onStatus: (status: string) => void): Promise<SavedSnapshot | void>;
  /** Puts `iso` in the CD drive (null: takes it out) while the guest runs. */
  changeMedia?(iso: string | null): Promise<void>;
  /** Adds or removes a forward of the running guest's user network `netdev`; answers QEMU's text (see the hostfwd action). */
  hostfwd?(op: 'add' | 'remove', netdev: string, rule: string): Promise<string>;
  /** The unix socket of the guest agent's port (QEMU listens on it); absent where the engine has no agent channel. */
  readonly agentSocket?: string;
  /** Last resort when the guest host itself is going away. */
  kill(): void;
}
