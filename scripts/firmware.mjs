#!/usr/bin/env node
// Copies SeaBIOS (bios.bin, vgabios-stdvga.bin) into build/firmware for the installers,
// so the embedded v86 engine works on a machine with nothing else installed.
// SeaBIOS is LGPL-3.0: its license goes along (build/firmware/COPYING.seabios).
import fs from 'node:fs';
import path from 'node:path';

const sources = [process.env.GUESTHOUSE_FIRMWARE_DIR, '/usr/share/seabios', '/usr/share/qemu', '/opt/homebrew/share/qemu', '/usr/local/share/qemu'].filter(
  Boolean,
);
const out = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'build', 'firmware');
const dir = sources.find((d) => fs.existsSync(path.join(d, 'bios.bin')));
if (!dir) {
  console.error('No SeaBIOS found to bundle: install it ("sudo apt install seabios") or set GUESTHOUSE_FIRMWARE_DIR.');
  process.exit(1);
}
fs.mkdirSync(out, { recursive: true });
for (const f of ['bios.bin', 'vgabios-stdvga.bin']) {
  if (fs.existsSync(path.join(dir, f))) fs.copyFileSync(path.join(dir, f), path.join(out, f));
}
const license = ['/usr/share/doc/seabios/copyright'].find((f) => fs.existsSync(f));
fs.writeFileSync(
  path.join(out, 'COPYING.seabios'),
  license ? fs.readFileSync(license) : 'SeaBIOS is licensed under the GNU LGPL v3: https://www.seabios.org/\n',
);
console.log(`Bundling SeaBIOS from ${dir} into ${out}`);
