import { describe, expect, it } from 'vitest';
import {
  allowedStates,
  assertAction,
  assertTransition,
  canTransition,
  hasEnded,
  isActionAllowed,
  storageActions,
  transitions,
  vmActions,
  vmStates,
} from '../../../../core/common/state';
import { GuesthouseError } from '../../../../core/common/errors';

describe('state machine', () => {
  it('allows exactly the listed transitions, for every pair of states', () => {
    for (const from of vmStates) {
      for (const to of vmStates) {
        const expected = from === to || transitions[from].includes(to);
        expect(canTransition(from, to), `${from} -> ${to}`).toBe(expected);
        if (expected) expect(() => assertTransition(from, to)).not.toThrow();
        else expect(() => assertTransition(from, to)).toThrow(`A machine cannot go from ${from} to ${to}.`);
      }
    }
  });

  it('the ended states are those a run is over in: they lead only to a new start, or to stopped', () => {
    expect(vmStates.filter(hasEnded)).toEqual(['stopped', 'saved', 'crashed']);
    for (const s of vmStates) {
      const onlyAnew = transitions[s].every((n) => n === 'starting' || n === 'stopped');
      expect(onlyAnew, s).toBe(hasEnded(s));
    }
  });

  it('every state can reach stopped, and stopped can reach running', () => {
    const reach = (from: string, seen = new Set<string>()): Set<string> => {
      seen.add(from);
      for (const n of transitions[from as keyof typeof transitions]) if (!seen.has(n)) reach(n, seen);
      return seen;
    };
    for (const s of vmStates) expect(reach(s).has('stopped'), s).toBe(true);
    expect(reach('stopped').has('running')).toBe(true);
  });

  it('refuses an action in the wrong state with a typed error and a sentence', () => {
    for (const action of vmActions) {
      for (const state of vmStates) {
        if (allowedStates[action].includes(state)) {
          expect(() => assertAction(action, state, 'web')).not.toThrow();
        } else {
          let err: unknown;
          try {
            assertAction(action, state, 'web');
          } catch (e) {
            err = e;
          }
          expect(err, `${action} in ${state}`).toBeInstanceOf(GuesthouseError);
          expect((err as GuesthouseError).code).toBe('invalid-state');
          expect((err as GuesthouseError).message).toMatch(
            /^Cannot [a-z ]+ "web" because it is [a-z]+\.( Stop it first\.| Start it, or discard its saved state, first\.)?$/,
          );
        }
      }
    }
    expect(() => assertAction('pause', 'stopped', 'web')).toThrow('Cannot pause "web" because it is stopped.');
    expect(() => assertAction('delete', 'running', 'web')).toThrow('Cannot delete "web" because it is running. Stop it first.');
  });

  it('allows the storage actions exactly in their listed states, for every pair', () => {
    const live = (s: string) => s === 'running' || s === 'paused';
    for (const action of storageActions) {
      for (const state of vmStates) {
        expect(isActionAllowed(action, state), `${action} in ${state}`).toBe(allowedStates[action].includes(state));
        // A clone is of a VM whose run is over; disks change only when a change to the config may;
        // snapshots and the CD also while the guest runs or is paused.
        const expected =
          action === 'clone' ? hasEnded(state) : action.endsWith('Disk') ? isActionAllowed('modify', state) : live(state) || isActionAllowed('modify', state);
        expect(isActionAllowed(action, state), `${action} in ${state}`).toBe(expected);
      }
    }
  });
});
