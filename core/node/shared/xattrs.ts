// Whether a host folder's file system keeps extended attributes: QEMU's virtio-9p keeps a guest
// file's owner and mode in `user.virtfs.*` attributes (security_model=mapped-xattr), and where
// there are none it must be told `none` (the guest's files then belong to the user running QEMU).
import fs from 'node:fs';
import os from 'node:os';

export type ShareSecurityModel = 'mapped-xattr' | 'none';

/** Linux file systems (statfs f_type) that take `user.*` attributes. */
const XATTR_FILE_SYSTEMS = new Set([
  0xef53, // ext2/3/4
  0x58465342, // xfs
  0x9123683e, // btrfs
  0xf2f52010, // f2fs
  0x2fc12fc1, // zfs
  0x3153464a, // jfs
  0x52654973, // reiserfs
  0xca451a4e, // bcachefs
  0x794c7630, // overlayfs (its upper layer is one of the above)
]);
const TMPFS = 0x01021994;

/** tmpfs takes `user.*` attributes from Linux 6.6 on. */
const tmpfsHasUserXattrs = (release: string): boolean => {
  const [major = 0, minor = 0] = release.split('.').map((n) => parseInt(n, 10));
  return major > 6 || (major === 6 && minor >= 6);
};

/** The security model for sharing `folder` on this host (macOS: APFS and HFS+ keep attributes). */
export function shareSecurityModel(folder: string, platform: NodeJS.Platform = process.platform): ShareSecurityModel {
  if (platform !== 'linux') return 'mapped-xattr';
  let type: number;
  try {
    type = Number(fs.statfsSync(folder).type);
  } catch {
    return 'mapped-xattr'; // a missing folder has its own sentence (preflight); QEMU says the rest
  }
  if (type === TMPFS) return tmpfsHasUserXattrs(os.release()) ? 'mapped-xattr' : 'none';
  return XATTR_FILE_SYSTEMS.has(type >>> 0) ? 'mapped-xattr' : 'none';
}
