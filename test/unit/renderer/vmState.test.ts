// Which states show a VM's screen and console: the renderer opens them only while a guest is up.
import { describe, expect, it } from 'vitest';
import { hasEnded, vmStates } from '../../../core/common/state';
import { isGuestUp } from '../../../renderer/src/vmState';

describe('isGuestUp', () => {
  it('is true exactly while a booted guest runs, pauses, resumes or is being stopped', () => {
    expect(vmStates.filter(isGuestUp)).toEqual(['running', 'pausing', 'paused', 'resuming', 'stopping']);
  });

  it('a saved VM has no guest up: its console says "not running" instead of attaching to nothing', () => {
    expect(isGuestUp('saved')).toBe(false);
    expect(hasEnded('saved')).toBe(true);
  });
});
