// The wizard's memory zones, as VirtualBox draws them: comfortable up to half the host, then a warning, refused beyond it.
import { describe, expect, it } from 'vitest';
import { memoryZone } from '../../../../renderer/src/components/NewVmWizard';

describe('memory zones', () => {
  const host = { memoryTotalMib: 8192 };

  it('is comfortable up to half the host’s memory', () => {
    expect(memoryZone(16, host)).toBe('comfortable');
    expect(memoryZone(4096, host)).toBe('comfortable');
  });

  it('warns above half and up to all of it', () => {
    expect(memoryZone(4097, host)).toBe('warning');
    expect(memoryZone(8192, host)).toBe('warning');
  });

  it('refuses more than the host has', () => {
    expect(memoryZone(8193, host)).toBe('refused');
  });
});
