// `guesthouse help` lists what each engine takes from the engines' capabilities records.
import { describe, expect, it } from 'vitest';
import { capabilitySummary } from '../../../../core/common/capabilities';
import { engineKinds } from '../../../../core/common/engines';
import { parseNet } from '../../../../main/cli/args';
import { usage } from '../../../../main/cli/help';

describe('guesthouse help', () => {
  it('has a line per engine, read from its record', () => {
    const text = usage();
    for (const engine of engineKinds) expect(text).toContain(`\n  ${capabilitySummary(engine)}\n`);
    expect(text).toContain('v86: disks raw, firmware bios, display vga|none, nic none, snapshots none, saved state yes');
  });
});

describe('--net', () => {
  it('takes an attachment and, if said, a model; any other form is one sentence', () => {
    expect(parseNet('nat')).toEqual({ attachment: 'nat' });
    expect(parseNet('host-only,model=e1000')).toEqual({ attachment: 'host-only', model: 'e1000' });
    expect(parseNet('private:lab,model=virtio')).toEqual({ attachment: 'private:lab', model: 'virtio' });
    for (const bad of ['', ',model=e1000', 'nat,model', 'nat,speed=1', 'nat,model=a,model=b', 'nat,model=a=b'])
      expect(() => parseNet(bad), bad).toThrow(`"${bad}" is not a network card; write it like nat, host-only,model=e1000, private:lab or none.`);
  });
});
