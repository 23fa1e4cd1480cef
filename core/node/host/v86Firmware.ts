import fs from 'node:fs';
import path from 'node:path';
import { m, type Sentence } from '../../common/messages';

export interface V86Firmware {
  bios: string;
  /** Without a VGA BIOS v86 boots serial-only, which is all a headless guest needs. */
  vgaBios: string | null;
  wasm: string;
}

/**
 * Folders searched for SeaBIOS, in order: GUESTHOUSE_FIRMWARE_DIR, the packaged app's
 * resources (electron-builder extraResources), then where QEMU and SeaBIOS packages
 * put them on each OS.
 */
export function firmwareDirs(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string[] {
  const dirs: string[] = [];
  if (env.GUESTHOUSE_FIRMWARE_DIR) dirs.push(env.GUESTHOUSE_FIRMWARE_DIR);
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  if (resources) dirs.push(path.join(resources, 'firmware'));
  if (platform === 'darwin') dirs.push('/opt/homebrew/share/qemu', '/usr/local/share/qemu');
  else if (platform === 'win32') dirs.push('C:\\Program Files\\qemu\\share', 'C:\\Program Files\\qemu');
  else dirs.push('/usr/share/seabios', '/usr/share/qemu', '/usr/local/share/qemu');
  return dirs;
}

export function firmwareHint(platform = process.platform): Sentence {
  return m('v86.needsFirmware', { where: firmwareWhere(platform) });
}

/** Where to get SeaBIOS on this OS, said as an instruction. */
export function firmwareWhere(platform = process.platform): Sentence {
  return m(platform === 'linux' ? 'v86.firmwareLinux' : 'v86.firmwareOther');
}

/** v86's WebAssembly build, next to its JavaScript in the v86 package. */
export function v86Wasm(): string | null {
  try {
    const wasm = path.join(path.dirname(require.resolve('v86/package.json')), 'build', 'v86.wasm');
    return fs.existsSync(wasm) ? wasm : null;
  } catch {
    return null;
  }
}

export function findV86Firmware(env: NodeJS.ProcessEnv = process.env): V86Firmware | null {
  const wasm = v86Wasm();
  if (!wasm) return null;
  for (const dir of firmwareDirs(env)) {
    const bios = ['bios.bin', 'bios-256k.bin'].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
    if (!bios) continue;
    const vga = path.join(dir, 'vgabios-stdvga.bin');
    return { bios, vgaBios: fs.existsSync(vga) ? vga : null, wasm };
  }
  return null;
}
