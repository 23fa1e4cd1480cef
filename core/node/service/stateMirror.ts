// What state each VM is in, as the service sees it. A guest this service runs says its own
// (its guest host is the authority); a VM not running has the last exit this service saw
// (kept while it lives), else it is stopped, or saved where a saved machine state is on
// disk. Also which guests run here, what happens when one ends, and the sentences for a
// VM that is not running or a guest that ended while something waited for it.
import { withCards } from '../../common/guestAgent';
import type { VmSummary } from '../../common/api';
import { GuesthouseError } from '../../common/errors';
import { sharesBlockMachineState } from '../../common/shares';
import { m, type SentenceData } from '../../common/messages';
import { assertAction, hasEnded, type EndedState, type VmAction, type VmState } from '../../common/state';
import type { InaccessibleEntry, Library, LibraryEntry } from '../library/library';
import { savedStateEngine } from '../shared/vmFolder';
import type { RunningVm } from './preflight';
import type { GuestCallbacks, RunningGuest } from './runningGuest';
import type { ServiceEvents } from './serviceEvents';

/** The guest's run is over (its guest host has said its last state, or is gone). */
export const ended = (guest: RunningGuest) => hasEnded(guest.state);

/** Why a VM that is not running stopped last time, kept while the service lives. */
interface LastExit {
  state: EndedState;
  reason?: SentenceData;
}

/** A guest that went away while something waited for it: crashed or stopped, and why. */
export function waitEnded(guest: RunningGuest): GuesthouseError {
  const reason = guest.reason ?? m('exit.guestStopped');
  return new GuesthouseError('invalid-state', m(guest.state === 'crashed' ? 'vm.crashedWhy' : 'vm.stoppedWhy', { name: guest.name, reason }));
}

export class StateMirror {
  private readonly running = new Map<string, RunningGuest>();
  private readonly lastExit = new Map<string, LastExit>();

  constructor(private readonly events: ServiceEvents) {}

  /** Number of guests this service runs now. */
  get count(): number {
    return this.running.size;
  }

  /** The guest this service runs for the VM `uuid`, if any. */
  guest(uuid: string): RunningGuest | undefined {
    return this.running.get(uuid);
  }

  guests(): RunningGuest[] {
    return [...this.running.values()];
  }

  /** From now on `guest` is the VM's: its state is the VM's state. */
  add(uuid: string, guest: RunningGuest): void {
    this.running.set(uuid, guest);
  }

  /** Forgets why the VM last stopped (it starts again, or its state or files are gone). */
  forget(uuid: string): void {
    this.lastExit.delete(uuid);
  }

  stateOf(uuid: string): { state: VmState; reason?: SentenceData } {
    const guest = this.running.get(uuid);
    if (guest) return { state: guest.state, ...(guest.reason ? { reason: guest.reason } : {}) };
    const last = this.lastExit.get(uuid);
    return last ? { state: last.state, ...(last.reason ? { reason: last.reason } : {}) } : { state: 'stopped' };
  }

  summary({ config, dir }: LibraryEntry): VmSummary {
    let { state, reason } = this.stateOf(config.identity.uuid);
    // A saved machine state on disk outlives the service that wrote it.
    const saved = savedStateEngine(dir) !== null;
    if (state === 'stopped' && saved) state = 'saved';
    if (state === 'saved' && !saved) state = 'stopped';
    return {
      id: config.identity.uuid,
      name: config.identity.name,
      osType: config.identity.osType,
      engine: config.engine,
      memoryMib: config.memoryMib,
      cpus: config.cpus,
      state,
      ...(reason ? { stateReason: reason } : {}),
      ...this.guestFacts(config),
    };
  }

  /** What the guest agent says of a running guest, its interfaces matched to the VM's cards by MAC. */
  private guestFacts(config: LibraryEntry['config']): Pick<VmSummary, 'guest'> {
    const info = this.guest(config.identity.uuid)?.guestInfo;
    return info ? { guest: withCards(info, config.nics) } : {};
  }

  /** A VM whose config cannot be read: its folder's name and why, the rest placeholders. */
  inaccessibleSummary(entry: InaccessibleEntry): VmSummary {
    const { state } = this.stateOf(entry.id);
    return {
      id: entry.id,
      name: entry.name,
      osType: 'other-x64',
      engine: 'auto',
      memoryMib: 0,
      cpus: 0,
      state,
      stateReason: entry.reason,
      inaccessible: entry.reason,
    };
  }

  /** The VM's running guest, where its state allows `action`; else the state's sentence. */
  guestFor(entry: LibraryEntry, action: VmAction): RunningGuest {
    const { uuid, name } = entry.config.identity;
    const guest = this.running.get(uuid);
    if (!guest) assertAction(action, this.summary(entry).state, name);
    assertAction(action, guest!.state, name);
    // QEMU cannot save a machine with a shared folder (virtio-9p does not migrate): said before it tries.
    const shared = action === 'save' && sharesBlockMachineState(entry.config.shares, name, 'save');
    if (shared) throw new GuesthouseError('invalid-state', shared);
    return guest!;
  }

  /** "x is not running", or why it crashed when that is the last thing it did. */
  notRunning(uuid: string, name: string): GuesthouseError {
    const last = this.lastExit.get(uuid);
    if (last?.state === 'crashed') return new GuesthouseError('invalid-state', m('vm.crashedWhy', { name, reason: last.reason ?? m('exit.guestStopped') }));
    return new GuesthouseError('invalid-state', m('vm.notRunning', { name }));
  }

  /** The VMs this service runs, but `except`: their forwards and disks are taken. */
  runningVms(library: Library, except: string): RunningVm[] {
    if (![...this.running.keys()].some((id) => id !== except)) return [];
    return library
      .scan()
      .entries.filter((e) => e.config.identity.uuid !== except && this.running.has(e.config.identity.uuid))
      .map((e) => ({ name: e.config.identity.name, config: e.config, dir: e.dir }));
  }

  /**
   * What the service does with a guest's events, started here or reattached: passes its states
   * on, and when it ends releases its lock and keeps why it ended (unless a newer guest of the
   * same VM has taken its place).
   */
  guestCallbacks(uuid: string, name: string, release: () => void, self: () => RunningGuest | undefined): GuestCallbacks {
    return {
      onState: (state, reason) => this.events.emitState({ id: uuid, name, state, ...(reason ? { reason } : {}) }),
      onRuntime: () => this.events.emitVms(),
      onGone: (state, reason) => {
        release();
        if (this.running.get(uuid) !== self()) return;
        this.running.delete(uuid);
        this.lastExit.set(uuid, { state, ...(reason ? { reason } : {}) });
      },
    };
  }
}
