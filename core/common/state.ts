import { GuesthouseError } from './errors';
import { m } from './messages';

/** Lifecycle of one VM as the user sees it. */
export const vmStates = [
  'stopped',
  'starting',
  'running',
  'pausing',
  'paused',
  'resuming',
  'stopping',
  'saved',
  'crashed',
] as const;
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

export function canTransition(from: VmState, to: VmState): boolean {
  return from === to || transitions[from].includes(to);
}

export function assertTransition(from: VmState, to: VmState): void {
  if (!canTransition(from, to)) {
    throw new GuesthouseError('invalid-state', m('state.transition', { from, to }));
  }
}

/** What a user can ask of a VM, and in which states each request makes sense. */
export const vmActions = ['start', 'pause', 'resume', 'reset', 'shutdown', 'poweroff', 'save', 'discard', 'modify', 'delete'] as const;
export type VmAction = (typeof vmActions)[number];

export const allowedStates: Readonly<Record<VmAction, readonly VmState[]>> = {
  start: ['stopped', 'saved', 'crashed'],
  pause: ['running'],
  resume: ['paused'],
  reset: ['running', 'paused'],
  shutdown: ['running', 'paused'],
  poweroff: ['starting', 'running', 'pausing', 'paused', 'resuming', 'stopping'],
  save: ['running', 'paused'],
  discard: ['saved'],
  modify: ['stopped', 'crashed'],
  delete: ['stopped', 'saved', 'crashed'],
};

export function isActionAllowed(action: VmAction, state: VmState): boolean {
  return allowedStates[action].includes(state);
}

/** Throws the user's sentence when `action` makes no sense in `state`. */
export function assertAction(action: VmAction, state: VmState, name: string): void {
  if (isActionAllowed(action, state)) return;
  const hint = state === 'saved' && action === 'modify' ? ` ${m('action.discardFirst')}` : action === 'modify' || action === 'delete' ? ` ${m('action.stopFirst')}` : '';
  throw new GuesthouseError('invalid-state', `${m(`action.${action}`, { name, state })}${hint}`);
}
