// The security model a shared folder gets from its file system: mapped-xattr where it keeps
// user.* attributes, none where it does not (procfs, sysfs here), mapped-xattr on macOS.
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { shareSecurityModel } from '../../../../../core/node/shared/xattrs';

describe('shared folder security model', () => {
  it.runIf(process.platform === 'linux')('none on file systems without extended attributes, mapped-xattr on the rest', () => {
    expect(shareSecurityModel('/proc', 'linux')).toBe('none');
    expect(shareSecurityModel('/sys', 'linux')).toBe('none');
    // A missing folder is preflight's to say; QEMU is not told none for it.
    expect(shareSecurityModel('/no/such/folder/gh', 'linux')).toBe('mapped-xattr');
  });

  it('mapped-xattr on macOS (APFS and HFS+ keep attributes)', () => {
    expect(shareSecurityModel(os.tmpdir(), 'darwin')).toBe('mapped-xattr');
  });
});
