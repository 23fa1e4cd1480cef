// The guest host's Node flags follow where its engine runs (the capabilities record), not the engine's name.
import { describe, expect, it } from 'vitest';
import { capabilitiesOf } from '../../../../../core/common/capabilities';
import { engineKinds } from '../../../../../core/common/engines';
import { guestHostExecArgv } from '../../../../../core/node/service/supervisor';

describe('guest host flags', () => {
  it('WebAssembly-friendly where the guest runs in the guest host, lean where it only moves bytes', () => {
    expect(guestHostExecArgv('v86')).toEqual(['--liftoff-only']);
    expect(guestHostExecArgv('qemu')).toEqual(['--no-opt', '--no-maglev', '--no-sparkplug']);
    for (const engine of engineKinds) expect(guestHostExecArgv(engine).includes('--liftoff-only')).toBe(capabilitiesOf(engine).inGuestHost);
  });
});
