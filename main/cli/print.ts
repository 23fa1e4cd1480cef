/** What the CLI prints for people: one line per fact, aligned; `--json` output does not come through here. */
import type { DiskInfo, HostInfo, MediaInfo, OsCatalogueItem, SnapshotInfo, SnapshotList, VmDetails, VmSummary } from '../../core/common/api';
import { forwardName, mountCommand, type NicConfig } from '../../core/common/config';
import { executionOf } from '../../core/common/capabilities';
import { m, type Sentence } from '../../core/common/messages';

/** One line on stdout: text, or a catalog sentence in English. */
export const out = (text: string | Sentence): void => void process.stdout.write(`${text}\n`);

/** Whole GiB as GiB, anything else as MiB. */
export const mib = (n: number): string => (n >= 1024 && n % 1024 === 0 ? `${n / 1024} GiB` : `${n} MiB`);

/** Rows as columns two spaces apart, each as wide as its widest cell. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function printHost(h: HostInfo): void {
  out(`CPU:          ${h.cpuModel} (${h.logicalCpus} logical, ${h.physicalCpus} physical)`);
  out(`Memory:       ${mib(h.memoryTotalMib)} total, ${mib(h.memoryFreeMib)} free`);
  const usable = h.accelerators.filter((a) => a.usable && a.kind !== 'tcg').map((a) => a.kind.toUpperCase());
  out(`Accelerator:  ${usable.length ? usable.join(', ') : 'none (software emulation, TCG)'}`);
  for (const a of h.accelerators.filter((x) => x.kind !== 'tcg')) out(`  ${a.kind.padEnd(5)} ${a.usable ? 'yes' : 'no '}  ${a.detail.message}`);
  out(`Auto uses:    ${h.acceleratorChoice.accelerator.toUpperCase()}: ${h.acceleratorChoice.reason.message}`);
  out(`QEMU:         ${h.qemu.binaries.length ? h.qemu.binaries.map((b) => `${b.path} (${b.version})`).join(', ') : 'not found'}`);
  out(`qemu-img:     ${h.qemu.img ? `${h.qemu.img.path} (${h.qemu.img.version})` : 'not found'}`);
  if (h.qemu.installHint) out(`              ${h.qemu.installHint.message}`);
  out(`v86:          ${h.v86.available ? 'available' : 'not available'}: ${h.v86.detail.message}`);
  out(`UEFI:         ${h.uefi.available ? 'available' : 'not available'}: ${h.uefi.detail.message}`);
  out(`Engine auto:  ${h.autoEngine.engine ?? 'none'}: ${h.autoEngine.reason.message}`);
  out(`Library:      ${h.libraryPath}`);
}

const nicModelNames: Readonly<Record<NicConfig['model'], string>> = { virtio: 'virtio-net', e1000: 'Intel e1000', rtl8139: 'Realtek RTL8139' };

/** One network card: its id, attachment, model, MAC and forwards (live only on NAT or host-only). */
export function nicLine(nic: NicConfig): string {
  const forwards = nic.forwards.map((f) => ` ${f.protocol}:${f.hostAddress}:${f.hostPort}->${f.guestPort} (${forwardName(f)})`).join('');
  return `${nic.id}: ${nic.attachment} (${nicModelNames[nic.model]}, MAC ${nic.mac})${forwards}`;
}

/** A VM's forwards as a table: name, card, protocol, host address and port, guest port. */
export function printForwards(nics: readonly NicConfig[]): void {
  out(
    table([
      ['NAME', 'NIC', 'PROTOCOL', 'HOST ADDRESS', 'HOST PORT', 'GUEST PORT'],
      ...nics.flatMap((n) => n.forwards.map((f) => [forwardName(f), n.id, f.protocol, f.hostAddress, String(f.hostPort), String(f.guestPort)])),
    ]),
  );
}

export function printVm(vm: VmDetails): void {
  const c = vm.config;
  out(`Name:         ${vm.name}`);
  out(`UUID:         ${vm.id}`);
  out(`State:        ${vm.state}${vm.stateReason ? ` (${vm.stateReason.message})` : ''}`);
  out(`OS type:      ${vm.osType}`);
  const runsOn = vm.runtime ? ` (running on ${vm.runtime.engine}, ${String(executionOf(vm.runtime.engine, vm.runtime.accelerator))})` : '';
  out(`Engine:       ${c.engine}${runsOn}   accelerator: ${c.accelerator}`);
  out(`Runs on:      ${vm.engineChoice.engine ?? 'nothing here'}: ${vm.engineChoice.reason.message}`);
  for (const note of vm.engineNotes) out(`              ${note.message}`);
  out(`Memory:       ${c.memoryMib} MiB`);
  out(`CPUs:         ${c.cpus}`);
  out(`Firmware:     ${c.firmware === 'uefi' ? 'UEFI' : 'BIOS'}`);
  for (const d of c.disks) out(`Disk:         ${d.path} (${d.format}${d.owned ? ', made by Guesthouse' : ''})`);
  if (c.optical) out(`Optical:      ${c.optical.isoPath}`);
  if (c.directBoot) {
    out(`Kernel:       ${c.directBoot.kernelPath}`);
    if (c.directBoot.initrdPath) out(`Initrd:       ${c.directBoot.initrdPath}`);
    if (c.directBoot.append) out(`Command line: ${c.directBoot.append}`);
  }
  out(
    `Screen:       ${c.display.adapter === 'none' ? 'none (serial console only)' : `${c.display.adapter === 'virtio' ? 'virtio-vga' : 'standard VGA'}, ${c.input.pointer === 'tablet' ? 'USB tablet' : 'PS/2 mouse'}, PS/2 keyboard`}`,
  );
  out(`Disk bus:     ${c.diskBus === 'sata' ? 'SATA (AHCI)' : c.diskBus === 'ide' ? 'IDE' : 'virtio'}`);
  if (!c.nics.length) out('Network:      none');
  for (const nic of c.nics) out(`Network:      ${nicLine(nic)}`);
  for (const share of c.shares ?? []) {
    out(`Shared:       ${share.path} as ${share.tag} (${share.readOnly ? 'read-only' : 'writable'}); in the guest: ${mountCommand(share.tag)}`);
  }
  out(`Folder:       ${vm.folder}`);
  printGuest(vm);
  if (vm.runtime) out(`Processes:    guest host ${vm.runtime.guestHostPid}${vm.runtime.enginePid ? `, engine ${vm.runtime.enginePid}` : ''}`);
}

/** What the guest agent says of a running guest: whether it answers, the OS, each interface's addresses and card. */
function printGuest(vm: VmDetails): void {
  const g = vm.guest;
  if (!g) return;
  out(`Guest agent:  ${g.agent ? 'answers' : 'does not answer'}${g.os ? `; ${g.os.name}${g.os.version ? ` ${g.os.version}` : ''}` : ''}`);
  for (const n of g.nics) if (n.addresses.length) out(`Guest IP:     ${n.name}${n.card ? ` (${n.card})` : ''}: ${n.addresses.join(', ')}`);
  if (g.clockNote) out(`              ${g.clockNote.message}`);
}

export function printList(vms: VmSummary[]): void {
  if (vms.length === 0) return out(m('cli.noVms'));
  out(
    table([
      ['NAME', 'STATE', 'OS', 'ENGINE', 'MEMORY', 'CPUS'],
      ...vms.map((v) =>
        v.inaccessible ? [v.name, 'inaccessible', '-', '-', '-', '-'] : [v.name, v.state, v.osType, v.engine, `${v.memoryMib} MiB`, String(v.cpus)],
      ),
    ]),
  );
  for (const v of vms) if (v.inaccessible) out(`${v.name}: ${v.inaccessible.message}`);
}

/** Bytes as people read them: GiB, MiB or KiB with one decimal where it is not whole. */
const bytes = (n: number): string => {
  for (const [unit, size] of [
    ['GiB', 2 ** 30],
    ['MiB', 2 ** 20],
    ['KiB', 2 ** 10],
  ] as const) {
    if (n >= size) return `${Number((n / size).toFixed(1))} ${unit}`;
  }
  return `${n} B`;
};

/**
 * The snapshot tree as VBoxManage lists it: each snapshot under the one it was taken after,
 * indented, oldest first, and the current state as a row of its own ("* current state")
 * below the snapshot it descends from.
 */
export function printSnapshots(vm: string, list: SnapshotList): void {
  if (list.unsupported) out(list.unsupported.message);
  if (list.snapshots.length === 0) return out(m('cli.noSnapshots', { name: vm }));
  const current = `* current state${list.currentChanged ? ' (changed)' : ''}`;
  const children = (parent: string | null): SnapshotInfo[] =>
    list.snapshots.filter((s) => s.parentId === parent).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  const walk = (parent: string | null, depth: number, seen: Set<string>): void => {
    for (const s of children(parent)) {
      if (seen.has(s.id)) continue;
      seen.add(s.id);
      const clones = s.linkedClones.length ? `  linked clones: ${s.linkedClones.join(', ')}` : '';
      out(`${'   '.repeat(depth)}${s.name}  (${s.kind}, ${s.createdAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')})${clones}`);
      if (s.description) out(`${'   '.repeat(depth + 1)}${s.description.split('\n').join(`\n${'   '.repeat(depth + 1)}`)}`);
      walk(s.id, depth + 1, seen);
      if (s.id === list.currentId) out(`${'   '.repeat(depth + 1)}${current}`);
    }
  };
  walk(null, 0, new Set());
  if (list.currentId === null) out(current);
}

export function printDisks(disks: DiskInfo[]): void {
  out(
    table([
      ['DISK', 'FORMAT', 'SIZE', 'ON HOST', 'SNAPSHOTS', 'BACKING FILE'],
      ...disks.map((d) => [d.path, d.format, bytes(d.virtualBytes), bytes(d.actualBytes), String(d.snapshotCount), d.backingFile ?? '-']),
    ]),
  );
}

/** What `media detect` found: the one-line description, then the facts and the preset. */
export function printMedia(info: MediaInfo): void {
  out(info.description.message);
  const boots = [info.boots.bios && 'BIOS', info.boots.uefi && 'UEFI'].filter(Boolean).join(', ') || 'none';
  out(`OS:           ${info.family}${info.version ? ` ${info.version}` : ''}${info.arch ? ` (${info.arch})` : ''}`);
  out(`Boots:        ${boots}`);
  out(
    `Preset:       ${info.osType}, firmware ${info.firmware}, ${mib(info.preset.memoryMib)}, ${info.preset.cpus} CPU, disk ${info.preset.diskBytes / 2 ** 30} GiB`,
  );
  out(`Devices:      disk ${info.preset.diskBus}, network ${info.preset.nicModel}, display ${info.preset.display}`);
  out(`Volume:       ${info.volumeId || '-'}`);
  if (info.publisherId) out(`Publisher:    ${info.publisherId}`);
  if (info.applicationId) out(`Application:  ${info.applicationId}`);
}

/** The OS catalogue: one row per image, * where it is downloaded. */
export function printOsList(items: OsCatalogueItem[]): void {
  const rows = items.map((o) => [
    o.downloaded ? '*' : o.downloading ? '…' : ' ',
    o.id,
    `${o.name} ${o.version}`,
    o.arch,
    o.edition,
    `~${Math.round(o.approxBytes / 2 ** 20)} MiB`,
  ]);
  out(table([[' ', 'ID', 'OS', 'ARCH', 'EDITION', 'SIZE'], ...rows]));
  const mirrored = items.filter((o) => o.mirror);
  for (const family of new Set(mirrored.map((o) => o.family))) out(`Mirror for ${family}: ${mirrored.find((o) => o.family === family)!.mirror}`);
}
