import fs from 'node:fs';
import path from 'node:path';
import { m, type Sentence } from '../../common/messages';
import { convertUefiVarsToQcow2, ensureUefiVarsQcow2 } from './snapshotDisks';
import { rawUefiVarsFile, uefiVarsBackupFile, uefiVarsFile } from '../shared/vmFolder';

/** UEFI firmware for QEMU: the read-only code and the template each VM copies its variables from. */
export interface UefiFirmware {
  code: string;
  vars: string;
}

/**
 * Where OVMF/edk2 builds live, as code + variables pairs of the same flash size (mixing
 * sizes does not boot): GUESTHOUSE_UEFI_CODE/GUESTHOUSE_UEFI_VARS first, then Debian/Ubuntu
 * (`ovmf`), Fedora (`edk2-ovmf`), Arch (`edk2-ovmf`), and the copy QEMU itself ships
 * (Homebrew, the Windows installer, QEMU's own `make install`).
 */
export function uefiPairs(env: NodeJS.ProcessEnv = process.env, platform = process.platform): UefiFirmware[] {
  const pairs: UefiFirmware[] = [];
  if (env.GUESTHOUSE_UEFI_CODE && env.GUESTHOUSE_UEFI_VARS) pairs.push({ code: env.GUESTHOUSE_UEFI_CODE, vars: env.GUESTHOUSE_UEFI_VARS });
  const shipped = (dir: string) => ({ code: path.join(dir, 'edk2-x86_64-code.fd'), vars: path.join(dir, 'edk2-i386-vars.fd') });
  if (platform === 'darwin') pairs.push(shipped('/opt/homebrew/share/qemu'), shipped('/usr/local/share/qemu'));
  else if (platform === 'win32') pairs.push(shipped('C:\\Program Files\\qemu\\share'), shipped('C:\\Program Files\\qemu'));
  else {
    pairs.push(
      { code: '/usr/share/OVMF/OVMF_CODE_4M.fd', vars: '/usr/share/OVMF/OVMF_VARS_4M.fd' },
      { code: '/usr/share/OVMF/OVMF_CODE.fd', vars: '/usr/share/OVMF/OVMF_VARS.fd' },
      { code: '/usr/share/edk2/ovmf/OVMF_CODE.fd', vars: '/usr/share/edk2/ovmf/OVMF_VARS.fd' },
      { code: '/usr/share/edk2/x64/OVMF_CODE.4m.fd', vars: '/usr/share/edk2/x64/OVMF_VARS.4m.fd' },
      shipped('/usr/share/qemu'),
      shipped('/usr/local/share/qemu'),
    );
  }
  return pairs;
}

export function findUefiFirmware(env: NodeJS.ProcessEnv = process.env, platform = process.platform): UefiFirmware | null {
  return uefiPairs(env, platform).find((p) => fs.existsSync(p.code) && fs.existsSync(p.vars)) ?? null;
}

/** Where to get UEFI firmware on this OS, as a sentence. */
export function uefiHint(platform = process.platform): Sentence {
  return m(platform === 'linux' ? 'uefi.missingLinux' : 'uefi.missingOther');
}

/**
 * The VM's variable store as qcow2 (so snapshots hold it): a raw one an older version made is
 * converted once (the raw file kept as a backup); else it is made from the template (a few
 * hundred KiB) if the VM has none yet.
 */
export async function ensureUefiVars(vmDir: string, firmware: UefiFirmware, qemuImg: string): Promise<string> {
  const file = uefiVarsFile(vmDir);
  await convertUefiVarsToQcow2(qemuImg, rawUefiVarsFile(vmDir), file, uefiVarsBackupFile(vmDir));
  return ensureUefiVarsQcow2(qemuImg, firmware.vars, file);
}
