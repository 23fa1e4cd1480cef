import { hasEnded, type VmState } from '../../core/common/state';

/**
 * Whether a VM in this state has a guest up to look at: its guest host has booted the guest
 * and not ended it, so its screen and its console can be opened. Not while it starts, and
 * not once it is stopped, saved (its guest host is gone too) or crashed.
 */
export function isGuestUp(state: VmState): boolean {
  return state !== 'starting' && !hasEnded(state);
}
