#!/usr/bin/env node
// Builds the tiny test guests from Debian's packages only: a Debian kernel plus a
// busybox-static initramfs written here as a cpio (newc) archive, so no root is needed.
// Usage: node test/guests/build.mjs [amd64|i386]...   (prints the guest folder per arch)
// The result is cached under $GUESTHOUSE_GUEST_CACHE (default ~/.cache/guesthouse/test-guests).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const READY_MARKER = 'GUESTHOUSE-READY';
const RECIPE_VERSION = 4; // bump when the initramfs layout changes

const ARCHES = {
  amd64: { meta: 'linux-image-amd64', flavour: 'amd64', busybox: 'busybox-static', extractVmlinux: true },
  i386: { meta: 'linux-image-686:i386', flavour: '686', busybox: 'busybox-static:i386', extractVmlinux: false },
};

const MODULES = ['kernel/drivers/acpi/button.ko', 'kernel/drivers/input/evdev.ko'];

const INIT = `#!/bin/sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
for m in $(cat /lib/modules/order); do insmod /lib/modules/$m 2>/dev/null; done
case " $(cat /proc/cmdline) " in
  *" guesthouse.noacpid "*) echo "guesthouse: ignoring the ACPI power button" ;;
  *) acpid -c /etc/acpi ;;
esac
hostname tiny
echo "${READY_MARKER}"
export PS1='tiny# '
exec setsid cttyhack /bin/sh
`;

const POWEROFF = `#!/bin/sh
echo "GUESTHOUSE-POWEROFF"
sync
poweroff -f
`;

function cacheRoot() {
  return process.env.GUESTHOUSE_GUEST_CACHE || path.join(os.homedir(), '.cache', 'guesthouse', 'test-guests');
}

function run(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}

/** The versioned kernel package the meta package points at, e.g. linux-image-6.1.0-56-amd64. */
function kernelPackage(meta) {
  const out = run('apt-cache', ['depends', meta]);
  const m = out.match(/Depends: (linux-image-[0-9][^\s]*)/);
  if (!m) throw new Error(`apt-cache found no kernel behind ${meta}; run apt-get update (and dpkg --add-architecture i386 for i386).`);
  return m[1].replace(/:i386$/, '');
}

function download(pkg, dir) {
  fs.mkdirSync(dir, { recursive: true });
  const before = new Set(fs.readdirSync(dir));
  run('apt-get', ['download', pkg], { cwd: dir });
  const added = fs.readdirSync(dir).filter((f) => !before.has(f) && f.endsWith('.deb'));
  if (added.length !== 1) throw new Error(`apt-get download ${pkg} gave ${added.length} files`);
  return path.join(dir, added[0]);
}

/** The `depends=` list a kernel module names in its .modinfo section. */
export function moduleDepends(ko) {
  const buf = fs.readFileSync(ko);
  const at = buf.indexOf('depends=');
  if (at < 0) return [];
  const end = buf.indexOf(0, at);
  return buf.subarray(at + 8, end).toString('latin1').split(',').filter(Boolean);
}

/** Writes a cpio "newc" archive. Entries: {name, mode, data?, target?, rdev?}. */
export function writeCpio(entries) {
  const parts = [];
  let ino = 1;
  const pad = (n) => Buffer.alloc((4 - (n % 4)) % 4);
  const hex = (n) => n.toString(16).padStart(8, '0');
  const push = (name, mode, data, rdevMajor = 0, rdevMinor = 0) => {
    const nameBuf = Buffer.from(name + '\0');
    const header = '070701' + [ino++, mode, 0, 0, 1, 0, data.length, 0, 0, rdevMajor, rdevMinor, nameBuf.length, 0].map(hex).join('');
    parts.push(Buffer.from(header), nameBuf, pad(110 + nameBuf.length), data, pad(data.length));
  };
  for (const e of entries) {
    if (e.type === 'dir') push(e.name, 0o040755, Buffer.alloc(0));
    else if (e.type === 'file') push(e.name, 0o100000 | (e.mode ?? 0o644), e.data);
    else if (e.type === 'symlink') push(e.name, 0o120777, Buffer.from(e.target));
    else if (e.type === 'chardev') push(e.name, 0o020600, Buffer.alloc(0), e.major, e.minor);
  }
  push('TRAILER!!!', 0, Buffer.alloc(0));
  return Buffer.concat(parts);
}

/** The uncompressed kernel inside a bzImage (XZ payload), bootable by QEMU through PVH. */
function extractVmlinux(bzImage, out) {
  const buf = fs.readFileSync(bzImage);
  const at = buf.indexOf(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]));
  if (at < 0) return false;
  const vmlinux = execFileSync('xz', ['-dc', '--single-stream'], { input: buf.subarray(at), maxBuffer: 1 << 30 });
  fs.writeFileSync(out, vmlinux);
  return true;
}

export function buildGuest(arch) {
  const spec = ARCHES[arch];
  if (!spec) throw new Error(`Unknown guest architecture ${arch}; use amd64 or i386.`);
  const kpkg = kernelPackage(spec.meta);
  const dir = path.join(cacheRoot(), `${arch}-${kpkg}-r${RECIPE_VERSION}`);
  const manifest = path.join(dir, 'guest.json');
  if (fs.existsSync(manifest)) return JSON.parse(fs.readFileSync(manifest, 'utf8'));

  const work = fs.mkdtempSync(path.join(os.tmpdir(), `gh-guest-${arch}-`));
  try {
    const debs = path.join(work, 'debs');
    const root = path.join(work, 'root');
    for (const pkg of [`${kpkg}${arch === 'i386' ? ':i386' : ''}`, spec.busybox]) {
      run('dpkg-deb', ['-x', download(pkg, debs), root]);
    }
    const kver = fs.readdirSync(path.join(root, 'lib/modules'))[0];
    const modDir = path.join(root, 'lib/modules', kver);
    const order = [];
    const visit = (rel) => {
      if (order.includes(rel)) return;
      for (const dep of moduleDepends(path.join(modDir, rel))) {
        const found = run('find', [modDir, '-name', `${dep}.ko`]).trim().split('\n')[0];
        if (found) visit(path.relative(modDir, found));
      }
      order.push(rel);
    };
    MODULES.forEach(visit);

    const entries = ['bin', 'dev', 'proc', 'sys', 'etc', 'etc/acpi', 'etc/acpi/PWRF', 'lib', 'lib/modules', 'tmp', 'root', 'var', 'var/log', 'var/run'].map((name) => ({ type: 'dir', name }));
    entries.push({ type: 'chardev', name: 'dev/console', major: 5, minor: 1 });
    entries.push({ type: 'file', name: 'bin/busybox', mode: 0o755, data: fs.readFileSync(path.join(root, 'bin/busybox')) });
    entries.push({ type: 'symlink', name: 'bin/sh', target: 'busybox' });
    entries.push({ type: 'file', name: 'init', mode: 0o755, data: Buffer.from(INIT) });
    entries.push({ type: 'file', name: 'etc/acpi/PWRF/00000080', mode: 0o755, data: Buffer.from(POWEROFF) });
    const flat = order.map((rel) => path.basename(rel));
    order.forEach((rel, i) => entries.push({ type: 'file', name: `lib/modules/${flat[i]}`, data: fs.readFileSync(path.join(modDir, rel)) }));
    entries.push({ type: 'file', name: 'lib/modules/order', data: Buffer.from(flat.join('\n') + '\n') });

    fs.mkdirSync(dir, { recursive: true });
    const initrd = path.join(dir, 'initrd.cpio');
    fs.writeFileSync(initrd, writeCpio(entries));
    const bzImage = path.join(dir, 'vmlinuz');
    fs.copyFileSync(path.join(root, 'boot', `vmlinuz-${kver}`), bzImage);
    let kernel = bzImage;
    if (spec.extractVmlinux && extractVmlinux(bzImage, path.join(dir, 'vmlinux'))) kernel = path.join(dir, 'vmlinux');
    const guest = { arch, kernelPackage: kpkg, kernelVersion: kver, kernel, bzImage, initrd, readyMarker: READY_MARKER, append: 'console=ttyS0 quiet' };
    fs.writeFileSync(manifest + '.tmp', JSON.stringify(guest, null, 2));
    fs.renameSync(manifest + '.tmp', manifest);
    return guest;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arches = process.argv.slice(2);
  for (const arch of arches.length ? arches : ['amd64']) {
    const g = buildGuest(arch);
    console.log(`${arch}: ${path.dirname(g.initrd)}`);
  }
}
