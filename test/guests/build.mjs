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
export const INPUT_READY_MARKER = 'GUESTHOUSE-INPUT-READY';
/** Said (before the ready marker) once the disk modules are in, when the guest has a virtio or AHCI disk. */
export const DISKS_READY_MARKER = 'GUESTHOUSE-DISKS-READY';
/** Said (after the ready marker) once each network card is up, with `name=address` per card; only when the guest has a card. */
export const NET_READY_MARKER = 'GUESTHOUSE-NET-READY';
/** Said (after the ready marker) once qemu-ga listens on the agent port; only when the guest has a virtio-serial device (amd64). */
export const AGENT_READY_MARKER = 'GUESTHOUSE-AGENT-READY';
const RECIPE_VERSION = 11; // bump when the guest's files or layout change

const ARCHES = {
  amd64: { meta: 'linux-image-amd64', flavour: 'amd64', busybox: 'busybox-static', extractVmlinux: true, agent: true },
  i386: { meta: 'linux-image-686:i386', flavour: '686', busybox: 'busybox-static:i386', extractVmlinux: false, agent: false },
};

/** Loaded before the ready marker: the ACPI power button, evdev and the PS/2 mouse (v86 has no USB). */
const MODULES = ['kernel/drivers/acpi/button.ko', 'kernel/drivers/input/evdev.ko', 'kernel/drivers/input/mouse/psmouse.ko'];
/**
 * The USB tablet (QEMU's usb-tablet behind qemu-xhci, or behind the UHCI of `-usb`): Debian's
 * 6.1 kernel builds usbcore, the host controllers and usbhid/hid as modules. The guest loads
 * them only when a USB host controller is on the PCI bus, and reports INPUT_READY_MARKER.
 */
const USB_MODULES = [
  'kernel/drivers/usb/host/xhci-pci.ko',
  'kernel/drivers/usb/host/uhci-hcd.ko',
  'kernel/drivers/hid/usbhid/usbhid.ko',
  'kernel/drivers/hid/hid-generic.ko',
];

/**
 * Disks, for the snapshot, clone and disk-tool tests: virtio-blk and AHCI (SATA) with sd, and
 * ext4 (which mounts the ext2 that busybox's mke2fs writes). Loaded before the ready marker,
 * and only when a virtio block device (1af4:1001 or 1af4:1042) or an AHCI controller (class
 * 0x010601) is on the PCI bus, so a guest without disks boots as fast as before.
 */
const DISK_MODULES = [
  'kernel/drivers/block/virtio_blk.ko',
  'kernel/drivers/virtio/virtio_pci.ko',
  'kernel/drivers/ata/ahci.ko',
  'kernel/drivers/scsi/sd_mod.ko',
  'kernel/crypto/crc32c_generic.ko',
  'kernel/fs/ext4/ext4.ko',
];

/**
 * Network cards (virtio-net, Intel e1000, Realtek 8139) and 9p over virtio (shared folders):
 * loaded after the ready marker, only when such a device is on the PCI bus. Each card then
 * gets the address `guesthouse.ip.ethN=ADDR/BITS` on the kernel command line names, or asks
 * DHCP (QEMU's user network answers), and the guest says NET_READY_MARKER.
 */
const NET_MODULES = [
  'kernel/drivers/virtio/virtio_pci.ko',
  'kernel/drivers/net/virtio_net.ko',
  'kernel/drivers/net/ethernet/intel/e1000/e1000.ko',
  'kernel/drivers/net/ethernet/realtek/8139too.ko',
  'kernel/net/9p/9pnet_virtio.ko',
  'kernel/fs/9p/9p.ko',
];

/**
 * The guest agent (amd64 only; v86 has no virtio-serial): Debian 12's qemu-guest-agent and the
 * packages holding the shared libraries it needs, from which only the libraries its ELF files
 * name (DT_NEEDED, followed to the end) go into the initramfs. virtio_console gives the port.
 */
const AGENT_PACKAGES = ['qemu-guest-agent', 'libglib2.0-0', 'libpcre2-8-0', 'libnuma1', 'libudev1', 'liburing2', 'libc6'];
/** virtio_pci too: it is the transport, which no depends= names (a guest without virtio disks or cards has not loaded it). */
const AGENT_MODULES = ['kernel/drivers/virtio/virtio_pci.ko', 'kernel/drivers/char/virtio_console.ko'];
const LIB_DIRS = ['lib/x86_64-linux-gnu', 'usr/lib/x86_64-linux-gnu'];
const OS_RELEASE = 'PRETTY_NAME="Guesthouse tiny guest"\nNAME="Guesthouse tiny guest"\nVERSION_ID="1"\nVERSION="1 (busybox)"\nID=guesthouse-tiny\n';

/** The ISO's kernel command line: messages on the screen and the serial port; nokaslr keeps the
 * decompressor from writing KASLR warnings on the screen. */
export const ISO_APPEND = 'console=tty0 console=ttyS0 quiet nokaslr';

const INIT = `#!/bin/sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
for m in $(cat /lib/modules/order); do insmod /lib/modules/$m 2>/dev/null; done
case " $(cat /proc/cmdline) " in
  *" guesthouse.noacpid "*) echo "guesthouse: ignoring the ACPI power button" ;;
  *) acpid -c /etc/acpi ;;
esac
hostname tiny
has_disk=
for d in /sys/bus/pci/devices/*; do
  case "$(cat $d/vendor):$(cat $d/device)" in 0x1af4:0x1001 | 0x1af4:0x1042) has_disk=1 ;; esac
  case "$(cat $d/class)" in 0x010601) has_disk=1 ;; esac
done
if [ -n "$has_disk" ]; then
  for m in $(cat /lib/modules/order.disk); do insmod /lib/modules/$m 2>/dev/null; done
  # The drivers probe in the background: wait (at most 5 s) until each disk's node is there.
  tries=100
  until [ -n "$(ls /sys/block | grep -E '^(vd|sd)')" ] || [ $tries -eq 0 ]; do usleep 50000; tries=$((tries - 1)); done
  echo "${DISKS_READY_MARKER} $(ls /sys/block | grep -E '^(vd|sd)' | tr '\\n' ' ')"
fi
# /dev/console is the last console= of the command line (the screen when there is none).
# When that is not the screen, say the markers on the screen (tty1) too and give it a shell.
screen=1
for a in $(cat /proc/cmdline); do case $a in console=tty[0-9]*) screen=1 ;; console=*) screen= ;; esac; done
say() { echo "$1"; [ -n "$screen" ] || echo "$1" >/dev/tty1 2>/dev/null; }
input_settled() {
  for s in /sys/bus/serio/devices/serio*; do
    [ -e "$s" ] || continue
    grep -q "/\${s##*/}/input" /proc/bus/input/devices || return 1
  done
  # Ports with a device, as the host controllers' debugfs files tell (xhci: one file per
  # port, "Connected"/"Not-connected"; uhci: one line per port), against devices that are
  # configured, with their interfaces, and whose HID interfaces have their input device.
  want=$(cat /sys/kernel/debug/usb/xhci/*/ports/*/portsc /sys/kernel/debug/usb/uhci/* 2>/dev/null | grep -c ' Connected')
  have=0
  for d in /sys/bus/usb/devices/[0-9]*-[0-9]*; do
    case \${d##*/} in *:* | '[0-9]*-[0-9]*') continue ;; esac
    read n <"$d/bNumInterfaces" 2>/dev/null
    set -- "$d":*
    [ -e "$1" ] && [ $# -eq "\${n:-0}" ] || return 1
    for i; do
      read class <"$i/bInterfaceClass"
      [ "$class" != 03 ] || grep -q "/\${i##*/}/" /proc/bus/input/devices || return 1
    done
    have=$((have + 1))
  done
  [ $have -ge "$want" ]
}
say "${READY_MARKER}"
export PS1='tiny# '
[ -n "$screen" ] || setsid -c sh -i <>/dev/tty1 >&0 2>&1 &
# The USB tablet's modules after the ready marker, so they cost no boot time (a guest
# without a USB host controller skips them). The input marker follows once the mice are in
# /proc/bus/input/devices: the PS/2 one (psmouse probes in the background) and every USB
# device on the controllers' ports, each HID interface with its input device.
(
  if grep -qs '^0x0c03' /sys/bus/pci/devices/*/class; then
    for m in $(cat /lib/modules/order.usb); do insmod /lib/modules/$m 2>/dev/null; done
    mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
  fi
  tries=200
  until input_settled || [ $tries -eq 0 ]; do usleep 50000; tries=$((tries - 1)); done
  say "${INPUT_READY_MARKER}"
) &
# Network cards: drivers, then an address for each (the command line's, or DHCP's), in the
# background so they cost no boot time. 9p (shared folders) comes with them.
net_devices=
for d in /sys/bus/pci/devices/*; do
  case "$(cat $d/vendor):$(cat $d/device)" in 0x1af4:0x1000 | 0x1af4:0x1041 | 0x1af4:0x1009 | 0x1af4:0x1049 | 0x8086:0x100e | 0x10ec:0x8139) net_devices=1 ;; esac
done
if [ -n "$net_devices" ]; then
  (
    for m in $(cat /lib/modules/order.net); do insmod /lib/modules/$m 2>/dev/null; done
    ip link set lo up
    tries=100
    want=0
    for d in /sys/bus/pci/devices/*; do
      case "$(cat $d/vendor):$(cat $d/device)" in 0x1af4:0x1000 | 0x1af4:0x1041 | 0x8086:0x100e | 0x10ec:0x8139) want=$((want + 1)) ;; esac
    done
    until [ $(ls -d /sys/class/net/eth* 2>/dev/null | wc -l) -ge $want ] || [ $tries -eq 0 ]; do usleep 50000; tries=$((tries - 1)); done
    said=
    for i in $(ls /sys/class/net | grep '^eth'); do
      ip link set $i up
      addr=
      for a in $(cat /proc/cmdline); do case $a in guesthouse.ip.$i=*) addr=\${a#*=} ;; esac; done
      if [ -n "$addr" ]; then ip addr add $addr dev $i; else udhcpc -i $i -q -n -t 4 -T 1 -s /etc/udhcpc.sh >/dev/null 2>&1; fi
      said="$said $i=$(ip -4 -o addr show dev $i | awk '{print $4}')"
    done
    say "${NET_READY_MARKER}$said"
  ) &
fi
# The guest agent: virtio_console, then qemu-ga on the org.qemu.guest_agent.0 port once the
# port's node is there (no udev here, so the /dev/virtio-ports names are made by hand).
# guesthouse.noagent on the kernel command line: a guest without a running agent.
agent=
for d in /sys/bus/pci/devices/*; do
  case "$(cat $d/vendor):$(cat $d/device)" in 0x1af4:0x1003 | 0x1af4:0x1043) agent=1 ;; esac
done
case " $(cat /proc/cmdline) " in *" guesthouse.noagent "*) agent= ;; esac
if [ -n "$agent" ] && [ -x /sbin/qemu-ga ]; then
  (
    for m in $(cat /lib/modules/order.agent); do insmod /lib/modules/$m 2>/dev/null; done
    mkdir -p /dev/virtio-ports
    tries=100
    port=/dev/virtio-ports/org.qemu.guest_agent.0
    until [ -e $port ] || [ $tries -eq 0 ]; do
      for p in /sys/class/virtio-ports/vport*; do
        [ -e "$p/name" ] && [ -e "/dev/\${p##*/}" ] && ln -sf "/dev/\${p##*/}" "/dev/virtio-ports/$(cat $p/name)" 2>/dev/null
      done
      [ -e $port ] || usleep 50000
      tries=$((tries - 1))
    done
    if [ -e $port ]; then
      /sbin/qemu-ga -m virtio-serial -p $port -l /var/log/qemu-ga.log -f /var/run/qemu-ga.pid &
      say "${AGENT_READY_MARKER}"
    fi
  ) &
fi
exec setsid cttyhack /bin/sh
`;

/** busybox udhcpc's script: applies the lease (address, default route, name server). */
const UDHCPC = `#!/bin/sh
case "$1" in
  bound | renew)
    ip addr flush dev $interface
    ip addr add $ip/\${mask:-24} dev $interface
    [ -z "$router" ] || ip route add default via \${router%% *} dev $interface
    [ -z "$dns" ] || echo "nameserver \${dns%% *}" >/etc/resolv.conf
    ;;
esac
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
  return buf
    .subarray(at + 8, end)
    .toString('latin1')
    .split(',')
    .filter(Boolean);
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

/**
 * The uncompressed kernel inside a bzImage (XZ payload), bootable by QEMU through PVH.
 * The payload is found through the boot protocol's header (payload_offset/payload_length)
 * and handed to xz as a file: xz --single-stream stops reading at the end of the stream, so
 * piping it the rest of the bzImage (100 KiB of code and signature follow the payload) made
 * the write fail with EPIPE whenever xz finished first.
 */
function extractVmlinux(bzImage, out, scratch) {
  const buf = fs.readFileSync(bzImage);
  const magic = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
  if (buf.length < 0x250 || buf.readUInt32LE(0x202) !== 0x53726448) return false; // "HdrS"
  const setupSects = buf[0x1f1] || 4;
  const start = (setupSects + 1) * 512 + buf.readUInt32LE(0x248);
  const length = buf.readUInt32LE(0x24c);
  if (start + length > buf.length || !buf.subarray(start, start + magic.length).equals(magic)) return false;
  const payload = path.join(scratch, 'payload.xz');
  fs.writeFileSync(payload, buf.subarray(start, start + length));
  const fd = fs.openSync(out, 'w');
  try {
    execFileSync('xz', ['-dc', '--single-stream', payload], { stdio: ['ignore', fd, 'pipe'] });
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

/** A CD image booting the kernel and initrd through ISOLINUX, at once and without a prompt. */
function buildIso(iso, { bzImage, initrd, syslinuxRoot, scratch }) {
  const tree = path.join(scratch, 'iso');
  fs.mkdirSync(path.join(tree, 'isolinux'), { recursive: true });
  fs.copyFileSync(path.join(syslinuxRoot, 'usr/lib/ISOLINUX/isolinux.bin'), path.join(tree, 'isolinux/isolinux.bin'));
  fs.copyFileSync(path.join(syslinuxRoot, 'usr/lib/syslinux/modules/bios/ldlinux.c32'), path.join(tree, 'isolinux/ldlinux.c32'));
  fs.copyFileSync(bzImage, path.join(tree, 'vmlinuz'));
  fs.copyFileSync(initrd, path.join(tree, 'initrd.img'));
  const cfg = ['DEFAULT guest', 'PROMPT 0', 'TIMEOUT 0', 'LABEL guest', '  KERNEL /vmlinuz', '  INITRD /initrd.img', `  APPEND ${ISO_APPEND}`, ''];
  fs.writeFileSync(path.join(tree, 'isolinux/isolinux.cfg'), cfg.join('\n'));
  try {
    run('xorriso', [
      '-as',
      'mkisofs',
      '-quiet',
      '-o',
      iso,
      '-V',
      'GUESTHOUSE',
      '-r',
      '-J',
      '-b',
      'isolinux/isolinux.bin',
      '-c',
      'isolinux/boot.cat',
      '-no-emul-boot',
      '-boot-load-size',
      '4',
      '-boot-info-table',
      tree,
    ]);
  } catch (e) {
    if (e.code === 'ENOENT') throw new Error("xorriso is missing: the test guest's ISO needs it (apt-get install xorriso).", { cause: e });
    throw e;
  }
}

/** The DT_NEEDED names of a 64-bit little-endian ELF file (its dynamic section's string table, found through PT_LOAD). */
export function elfNeeded(file) {
  const b = fs.readFileSync(file);
  if (b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2 || b[5] !== 1) throw new Error(`${file} is not a 64-bit little-endian ELF file`);
  const phoff = Number(b.readBigUInt64LE(0x20));
  const phentsize = b.readUInt16LE(0x36);
  const loads = [];
  let dyn;
  for (let i = 0; i < b.readUInt16LE(0x38); i++) {
    const at = phoff + i * phentsize;
    const seg = {
      type: b.readUInt32LE(at),
      offset: Number(b.readBigUInt64LE(at + 8)),
      vaddr: Number(b.readBigUInt64LE(at + 16)),
      size: Number(b.readBigUInt64LE(at + 32)),
    };
    if (seg.type === 1) loads.push(seg);
    if (seg.type === 2) dyn = seg;
  }
  if (!dyn) return [];
  const fileOffset = (vaddr) => {
    const seg = loads.find((l) => vaddr >= l.vaddr && vaddr < l.vaddr + l.size);
    if (!seg) throw new Error(`${file}: address ${vaddr} is in no loaded segment`);
    return vaddr - seg.vaddr + seg.offset;
  };
  const needed = [];
  let strtab;
  for (let at = dyn.offset; at < dyn.offset + dyn.size; at += 16) {
    const tag = Number(b.readBigInt64LE(at));
    const val = Number(b.readBigUInt64LE(at + 8));
    if (tag === 0) break;
    if (tag === 1) needed.push(val);
    if (tag === 5) strtab = fileOffset(val);
  }
  return needed.map((off) => b.toString('latin1', strtab + off, b.indexOf(0, strtab + off)));
}

/** The shared libraries (name → real file under root) that `file` needs, followed to the end. */
function neededLibraries(root, file, found = new Map()) {
  for (const name of elfNeeded(file)) {
    if (found.has(name)) continue;
    const lib = LIB_DIRS.map((d) => path.join(root, d, name)).find((f) => fs.existsSync(f));
    if (!lib) throw new Error(`${name} (needed by ${path.basename(file)}) is in none of the packages ${AGENT_PACKAGES.join(', ')}`);
    found.set(name, fs.realpathSync(lib));
    neededLibraries(root, found.get(name), found);
  }
  return found;
}

/** Module paths (relative to modDir) in load order: each after the modules its depends= names. */
function moduleOrder(modDir, wanted, loaded = []) {
  const order = [];
  const visit = (rel) => {
    if (order.includes(rel) || loaded.includes(rel)) return;
    for (const dep of moduleDepends(path.join(modDir, rel))) {
      const found = run('find', [modDir, '-name', `${dep}.ko`])
        .trim()
        .split('\n')[0];
      if (!found) throw new Error(`module ${dep} (needed by ${rel}) is not in ${modDir}`);
      visit(path.relative(modDir, found));
    }
    order.push(rel);
  };
  wanted.forEach(visit);
  return order;
}

export function buildGuest(arch) {
  const spec = ARCHES[arch];
  if (!spec) throw new Error(`Unknown guest architecture ${arch}; use amd64 or i386.`);
  const kpkg = kernelPackage(spec.meta);
  const dir = path.join(cacheRoot(), `${arch}-${kpkg}-r${RECIPE_VERSION}`);
  const manifest = path.join(dir, 'guest.json');
  if (fs.existsSync(manifest)) return JSON.parse(fs.readFileSync(manifest, 'utf8'));

  // Everything is built in a scratch folder next to the cache folder and renamed into place
  // at the end (same file system, so the rename is atomic): a failed or interrupted build
  // never leaves a half-built cache folder, and concurrent builds do not mix their files.
  fs.mkdirSync(cacheRoot(), { recursive: true });
  const work = fs.mkdtempSync(path.join(cacheRoot(), `.build-${arch}-`));
  try {
    const debs = path.join(work, 'debs');
    const root = path.join(work, 'root');
    const syslinuxRoot = path.join(work, 'syslinux');
    const out = path.join(work, 'out');
    fs.mkdirSync(out);
    for (const pkg of [`${kpkg}${arch === 'i386' ? ':i386' : ''}`, spec.busybox]) {
      run('dpkg-deb', ['-x', download(pkg, debs), root]);
    }
    for (const pkg of ['isolinux', 'syslinux-common']) run('dpkg-deb', ['-x', download(pkg, debs), syslinuxRoot]);
    const kver = fs.readdirSync(path.join(root, 'lib/modules'))[0];
    const modDir = path.join(root, 'lib/modules', kver);
    const order = moduleOrder(modDir, MODULES);
    const usbOrder = moduleOrder(modDir, USB_MODULES, order);
    const diskOrder = moduleOrder(modDir, DISK_MODULES, order);
    const netOrder = moduleOrder(modDir, NET_MODULES, order);
    const agentOrder = spec.agent ? moduleOrder(modDir, AGENT_MODULES, order) : [];

    const entries = ['bin', 'dev', 'proc', 'sys', 'etc', 'etc/acpi', 'etc/acpi/PWRF', 'lib', 'lib/modules', 'tmp', 'root', 'var', 'var/log', 'var/run'].map(
      (name) => ({ type: 'dir', name }),
    );
    entries.push({ type: 'chardev', name: 'dev/console', major: 5, minor: 1 });
    entries.push({ type: 'file', name: 'bin/busybox', mode: 0o755, data: fs.readFileSync(path.join(root, 'bin/busybox')) });
    entries.push({ type: 'symlink', name: 'bin/sh', target: 'busybox' });
    entries.push({ type: 'file', name: 'init', mode: 0o755, data: Buffer.from(INIT) });
    entries.push({ type: 'file', name: 'etc/acpi/PWRF/00000080', mode: 0o755, data: Buffer.from(POWEROFF) });
    entries.push({ type: 'file', name: 'etc/udhcpc.sh', mode: 0o755, data: Buffer.from(UDHCPC) });
    entries.push({ type: 'file', name: 'etc/os-release', data: Buffer.from(OS_RELEASE) });
    entries.push({ type: 'dir', name: 'sbin' });
    // guest-set-time runs /sbin/hwclock; guest-shutdown runs /sbin/shutdown -P -h +0 (busybox has no shutdown).
    entries.push({ type: 'symlink', name: 'sbin/hwclock', target: '../bin/busybox' });
    entries.push({ type: 'file', name: 'sbin/shutdown', mode: 0o755, data: Buffer.from(POWEROFF.replace('echo "', 'echo >/dev/console "')) });
    if (spec.agent) {
      const agentRoot = path.join(work, 'agent');
      for (const pkg of AGENT_PACKAGES) run('dpkg-deb', ['-x', download(pkg, debs), agentRoot]);
      const qga = path.join(agentRoot, 'usr/sbin/qemu-ga');
      entries.push({ type: 'file', name: 'sbin/qemu-ga', mode: 0o755, data: fs.readFileSync(qga) });
      entries.push({ type: 'dir', name: 'lib/x86_64-linux-gnu' }, { type: 'dir', name: 'lib64' });
      for (const [name, file] of neededLibraries(agentRoot, qga)) {
        entries.push({ type: 'file', name: `lib/x86_64-linux-gnu/${name}`, mode: 0o755, data: fs.readFileSync(file) });
      }
      entries.push({ type: 'symlink', name: 'lib64/ld-linux-x86-64.so.2', target: '../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2' });
    }
    for (const [list, rels] of [
      ['order', order],
      ['order.usb', usbOrder],
      ['order.disk', diskOrder],
      ['order.net', netOrder],
      ['order.agent', agentOrder],
    ]) {
      const flat = rels.map((rel) => path.basename(rel));
      rels.forEach((rel, i) => entries.push({ type: 'file', name: `lib/modules/${flat[i]}`, data: fs.readFileSync(path.join(modDir, rel)) }));
      entries.push({ type: 'file', name: `lib/modules/${list}`, data: Buffer.from(flat.join('\n') + '\n') });
    }

    // The files are written under `out` but named by their final place in `dir`.
    const final = (name) => path.join(dir, name);
    fs.writeFileSync(path.join(out, 'initrd.cpio'), writeCpio(entries));
    fs.copyFileSync(path.join(root, 'boot', `vmlinuz-${kver}`), path.join(out, 'vmlinuz'));
    let kernel = final('vmlinuz');
    if (spec.extractVmlinux && extractVmlinux(path.join(out, 'vmlinuz'), path.join(out, 'vmlinux'), work)) kernel = final('vmlinux');
    buildIso(path.join(out, 'guest.iso'), { bzImage: path.join(out, 'vmlinuz'), initrd: path.join(out, 'initrd.cpio'), syslinuxRoot, scratch: work });
    const guest = {
      arch,
      kernelPackage: kpkg,
      kernelVersion: kver,
      kernel,
      bzImage: final('vmlinuz'),
      initrd: final('initrd.cpio'),
      readyMarker: READY_MARKER,
      append: 'console=ttyS0 quiet',
      iso: final('guest.iso'),
      isoAppend: ISO_APPEND,
      inputReadyMarker: INPUT_READY_MARKER,
      disksReadyMarker: DISKS_READY_MARKER,
      netReadyMarker: NET_READY_MARKER,
      agentReadyMarker: spec.agent ? AGENT_READY_MARKER : undefined,
    };
    fs.writeFileSync(path.join(out, 'guest.json'), JSON.stringify(guest, null, 2));
    try {
      fs.renameSync(out, dir);
    } catch (e) {
      // Another build finished first: take its result. A folder without a manifest is
      // left over from an older builder (those wrote in place): replace it.
      if (fs.existsSync(manifest)) return JSON.parse(fs.readFileSync(manifest, 'utf8'));
      if (!fs.existsSync(dir)) throw e;
      fs.rmSync(dir, { recursive: true, force: true });
      fs.renameSync(out, dir);
    }
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

/**
 * Debian 12's installer as it boots from the network (debian-installer-12-netboot-amd64): its
 * text-mode kernel and initrd, for the unattended-install test. Cached beside the test guests.
 */
export function debianInstaller() {
  const dir = path.join(cacheRoot(), 'debian-installer-12-amd64');
  const kernel = path.join(dir, 'linux');
  const initrd = path.join(dir, 'initrd.gz');
  if (fs.existsSync(kernel) && fs.existsSync(initrd)) return { kernel, initrd };
  const work = fs.mkdtempSync(path.join(cacheRoot(), 'di-'));
  try {
    const deb = download('debian-installer-12-netboot-amd64', work);
    const images = './usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64';
    run('tar', ['-x', '-C', work, '-f', '-', `${images}/linux`, `${images}/initrd.gz`], {
      input: execFileSync('dpkg-deb', ['--fsys-tarfile', deb], { maxBuffer: 1 << 30 }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    fs.mkdirSync(dir, { recursive: true });
    fs.renameSync(path.join(work, images, 'initrd.gz'), initrd);
    fs.renameSync(path.join(work, images, 'linux'), kernel);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return { kernel, initrd };
}
