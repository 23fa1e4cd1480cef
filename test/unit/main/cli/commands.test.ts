// `guesthouse help` lists what each engine takes from the engines' capabilities records.
import { describe, expect, it } from 'vitest';
import { capabilitySummary } from '../../../../core/common/capabilities';
import { engineKinds } from '../../../../core/common/engines';
import path from 'node:path';
import { parseNet, parseShare, vmRequestFromFlags } from '../../../../main/cli/args';
import { usage } from '../../../../main/cli/help';

describe('guesthouse help', () => {
  it('has a line per engine, read from its record', () => {
    const text = usage();
    for (const engine of engineKinds) expect(text).toContain(`\n  ${capabilitySummary(engine)}\n`);
    expect(text).toContain('v86: disks raw, firmware bios, display vga|none, nic none, snapshots none, saved state yes');
  });
});

describe('--net', () => {
  it('takes an attachment and, if said, a model and a MAC; any other form is one sentence', () => {
    expect(parseNet('nat')).toEqual({ attachment: 'nat' });
    expect(parseNet('host-only,model=e1000')).toEqual({ attachment: 'host-only', model: 'e1000' });
    expect(parseNet('private:lab,model=virtio')).toEqual({ attachment: 'private:lab', model: 'virtio' });
    expect(parseNet('nat,mac=52:54:00:12:34:56,model=e1000')).toEqual({ attachment: 'nat', model: 'e1000', mac: '52:54:00:12:34:56' });
    for (const bad of ['', ',model=e1000', 'nat,model', 'nat,speed=1', 'nat,model=a,model=b', 'nat,model=a=b', 'nat,mac', 'nat,mac=a,mac=b'])
      expect(() => parseNet(bad), bad).toThrow(`"${bad}" is not a network card; write it like nat, host-only,model=e1000, private:lab or none.`);
  });
});

describe('--share and --unshare', () => {
  it('takes a folder (made absolute) and, if said, a tag and ro; any other form is one sentence', () => {
    expect(parseShare('/srv/data')).toEqual({ path: '/srv/data' });
    expect(parseShare('data,tag=d1,ro')).toEqual({ path: path.resolve('data'), tag: 'd1', readOnly: true });
    for (const bad of ['', ',ro', '/a,rw', '/a,tag', '/a,ro,ro', '/a,tag=x,tag=y', '/a,tag=x=y'])
      expect(() => parseShare(bad), bad).toThrow(`Give a shared folder as --share HOSTPATH[,tag=TAG][,ro], not "${bad}".`);
    expect(vmRequestFromFlags({ share: ['/a', '/b,ro'], unshare: ['old'] })).toEqual({
      shares: [{ path: '/a' }, { path: '/b', readOnly: true }],
      unshare: ['old'],
    });
  });
});
