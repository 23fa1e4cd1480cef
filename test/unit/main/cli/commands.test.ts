// `guesthouse help` lists what each engine takes from the engines' capabilities records.
import { describe, expect, it } from 'vitest';
import { capabilitySummary } from '../../../../core/common/capabilities';
import { engineKinds } from '../../../../core/common/engines';
import { usage } from '../../../../main/cli/help';

describe('guesthouse help', () => {
  it('has a line per engine, read from its record', () => {
    const text = usage();
    for (const engine of engineKinds) expect(text).toContain(`\n  ${capabilitySummary(engine)}\n`);
    expect(text).toContain('v86: disks raw, firmware bios, display vga|none, nic none, snapshots none, saved state yes');
  });
});
