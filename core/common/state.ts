import { GuesthouseError } from './errors';
import { m, sentences, type Sentence, type SentenceData } from './messages';

/** Lifecycle of one VM as the user sees it. */
export const vmStates = ['stopped', 'starting', 'running', 'pausing', 'paused', 'resuming', 'stopping', 'saved', 'crashed'] as const;
export type VmState = (typeof vmStates)[number];

/** Which state may follow which. Everything not listed is a bug in the caller. */
export const transitions: Readonly<Record<VmState, readonly VmState[]>> = {
  stopped: ['starting'],
  starting: ['running', 'paused', 'stopped', 'crashed'],
  running: ['pausing', 'paused', 'stopping', 'stopped', 'crashed'],
  pausing: ['paused', 'running', 'stopped', 'crashed'],
  paused: ['resuming', 'running', 'stopping', 'stopped', 'crashed'],
  resuming: ['running', 'paused', 'stopped', 'crashed'],
  /** Back to running or paused only when saving the machine state failed. */
  stopping: ['stopped', 'saved', 'crashed', 'running', 'paused'],
  /** Powered off with its machine state in a file; starting restores it. */
  saved: ['starting', 'stopped'],
  crashed: ['starting', 'stopped'],
};

/**
 * The states in which a VM's run is over: powered off, powered off with its machine state
 * saved, or crashed. No guest host runs: nothing to attach to, ask, or wait for.
 */
export const endedStates = ['stopped', 'saved', 'crashed'] as const satisfies readonly VmState[];
export type EndedState = (typeof endedStates)[number];

export function hasEnded(state: VmState): state is EndedState {
  return (endedStates as readonly VmState[]).includes(state);
}

/** A state's name, as a word of the catalog (said in the user's language inside a sentence). */
export function stateWord(state: VmState): Sentence {
  return m(`vmState.${state}`);
}

export function canTransition(from: VmState, to: VmState): boolean {
  return from === to || transitions[from].includes(to);
}

export function assertTransition(from: VmState, to: VmState): void {
  if (!canTransition(from, to)) {
    throw new GuesthouseError('invalid-state', m('state.transition', { from: stateWord(from), to: stateWord(to) }));
  }
}

/**
 * What a user can ask of a VM, and in which states each request makes sense. The lifecycle
 * actions are refused by `assertAction` with the catalog's sentence; the storage actions
 * (snapshots, clones, disk tools, the CD) by their service module, which says why in its own words.
 */
export const vmActions = ['start', 'pause', 'resume', 'reset', 'shutdown', 'poweroff', 'save', 'discard', 'modify', 'delete'] as const;
export type VmAction = (typeof vmActions)[number];
export const storageActions = [
  'takeSnapshot',
  'revertSnapshot',
  'deleteSnapshot',
  'clone',
  'resizeDisk',
  'convertDisk',
  'importDisk',
  'insertMedia',
  'ejectMedia',
  'addForward',
  'removeForward',
] as const;
export type StorageAction = (typeof storageActions)[number];
export type Action = VmAction | StorageAction;

/** The states a config can be changed in: powered off, without a saved machine state. */
const offline = ['stopped', 'crashed'] as const satisfies readonly VmState[];
/** Snapshots are taken, reverted and deleted live while the guest runs or is paused, or offline. */
const liveOrOffline = ['running', 'paused', ...offline] as const satisfies readonly VmState[];

export const allowedStates: Readonly<Record<Action, readonly VmState[]>> = {
  start: endedStates,
  pause: ['running'],
  resume: ['paused'],
  reset: ['running', 'paused'],
  shutdown: ['running', 'paused'],
  poweroff: ['starting', 'running', 'pausing', 'paused', 'resuming', 'stopping'],
  save: ['running', 'paused'],
  discard: ['saved'],
  modify: offline,
  delete: endedStates,
  takeSnapshot: liveOrOffline,
  revertSnapshot: liveOrOffline,
  deleteSnapshot: liveOrOffline,
  /** A clone is made of a VM whose run is over (a saved one's disks are as they were when it was saved). */
  clone: endedStates,
  resizeDisk: offline,
  convertDisk: offline,
  importDisk: offline,
  /** The CD changes through the running guest, or in the config of a stopped one. */
  insertMedia: liveOrOffline,
  ejectMedia: liveOrOffline,
  /** Port forwards change at once in the running guest's user network, or in the config of a stopped one. */
  addForward: liveOrOffline,
  removeForward: liveOrOffline,
};

export function isActionAllowed(action: Action, state: VmState): boolean {
  return allowedStates[action].includes(state);
}

/** Throws the user's sentence when `action` makes no sense in `state`. */
export function assertAction(action: VmAction, state: VmState, name: string | SentenceData): void {
  if (isActionAllowed(action, state)) return;
  const refusal = m(`action.${action}`, { name, state: stateWord(state) });
  const hint =
    state === 'saved' && action === 'modify' ? [m('action.discardFirst')] : action === 'modify' || action === 'delete' ? [m('action.stopFirst')] : [];
  throw new GuesthouseError('invalid-state', sentences(refusal, ...hint));
}
