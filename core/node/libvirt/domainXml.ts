// A libvirt domain from a Guesthouse VM config: the same config the local engine runs, as
// `<domain type='qemu'>` XML. Disks are volumes of the host's `guesthouse` directory pool, the
// network is QEMU's user mode (no dnsmasq or bridge needed on the host), the serial console is
// a pty whose output libvirt also writes to a log we read, the screen is VNC on a unix socket.
// The config itself rides along in the domain's metadata, so `getVm` gives back what was asked.
import { GuesthouseError } from '../../common/errors';
import { m } from '../../common/messages';
import { vmConfigSchema, type VmConfig } from '../../common/config';

export const POOL = 'guesthouse';
export const METADATA_URI = 'https://guesthouse.dev/xmlns/libvirt/1';
const PREFIX = 'guesthouse';

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export function unescapeXml(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|apos|#(\d+)|#x([0-9a-fA-F]+));/g, (all, name: string, dec?: string, hex?: string) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[name] ?? all;
  });
}

/** Where libvirt (virtlogd) keeps the serial console's output of a VM we defined. */
export function serialLogPath(uuid: string): string {
  return `/var/log/libvirt/qemu/guesthouse-${uuid}.serial.log`;
}

/** The volume name of a VM's n-th new disk. */
export function volumeName(uuid: string, index: number): string {
  return `${uuid}-disk${index}.qcow2`;
}

const diskTargets = { virtio: ['vd', 'virtio'], sata: ['sd', 'sata'], ide: ['hd', 'ide'] } as const;

/** The domain XML for `config`; `volumes` says which disks are pool volumes (by config path). */
export function domainXml(config: VmConfig, volumes: ReadonlyMap<string, string>): string {
  const e = escapeXml;
  const x64 = config.identity.osType.endsWith('x64') || !config.identity.osType.endsWith('x86');
  const arch = x64 ? 'x86_64' : 'i686';
  if (config.nics.some((n) => n.attachment !== 'nat')) throw new GuesthouseError('invalid-input', m('hosts.unsupported', { what: 'network' }));
  if (config.shares.length) throw new GuesthouseError('invalid-input', m('hosts.unsupported', { what: 'shares' }));
  if (config.firmware !== 'bios') throw new GuesthouseError('invalid-input', m('hosts.unsupported', { what: 'uefi' }));
  if (!config.directBoot && !config.optical && config.disks.length === 0) throw new GuesthouseError('invalid-input', m('hosts.noBoot'));
  const [prefix, bus] = diskTargets[config.diskBus];
  const lines: string[] = [
    `<domain type='qemu'>`,
    `  <name>${e(config.identity.name)}</name>`,
    `  <uuid>${config.identity.uuid}</uuid>`,
    `  <metadata>`,
    `    <${PREFIX}:config xmlns:${PREFIX}='${METADATA_URI}'>${e(JSON.stringify(config))}</${PREFIX}:config>`,
    `  </metadata>`,
    `  <memory unit='MiB'>${config.memoryMib}</memory>`,
    `  <vcpu>${config.cpus}</vcpu>`,
    `  <os>`,
    `    <type arch='${arch}' machine='${config.chipset}'>hvm</type>`,
  ];
  if (config.directBoot) {
    lines.push(`    <kernel>${e(config.directBoot.kernelPath)}</kernel>`);
    if (config.directBoot.initrdPath) lines.push(`    <initrd>${e(config.directBoot.initrdPath)}</initrd>`);
    lines.push(`    <cmdline>${e(config.directBoot.append)}</cmdline>`);
  } else {
    if (config.optical) lines.push(`    <boot dev='cdrom'/>`);
    lines.push(`    <boot dev='hd'/>`);
  }
  lines.push(`  </os>`, `  <features><acpi/></features>`);
  lines.push(`  <on_poweroff>destroy</on_poweroff>`, `  <on_reboot>restart</on_reboot>`, `  <on_crash>destroy</on_crash>`, `  <devices>`);
  config.disks.forEach((d, i) => {
    const dev = `${prefix}${String.fromCharCode(97 + i)}`;
    const volume = volumes.get(d.path);
    const source = volume ? `<source pool='${POOL}' volume='${e(volume)}'/>` : `<source file='${e(d.path)}'/>`;
    lines.push(
      `    <disk type='${volume ? 'volume' : 'file'}' device='disk'><driver name='qemu' type='${d.format}'/>${source}<target dev='${dev}' bus='${bus}'/></disk>`,
    );
  });
  if (config.optical) {
    lines.push(
      `    <disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source file='${e(config.optical.isoPath)}'/><target dev='sdz' bus='sata'/><readonly/></disk>`,
    );
  }
  for (const nic of config.nics) {
    lines.push(`    <interface type='user'><mac address='${nic.mac}'/><model type='${nic.model === 'virtio' ? 'virtio' : 'e1000'}'/></interface>`);
  }
  if (config.serial.enabled) {
    lines.push(
      `    <serial type='pty'><log file='${serialLogPath(config.identity.uuid)}' append='off'/><target port='0'/></serial>`,
      `    <console type='pty'><target type='serial' port='0'/></console>`,
    );
  }
  if (config.display.adapter !== 'none') {
    lines.push(`    <graphics type='vnc'><listen type='socket'/></graphics>`);
    lines.push(`    <video><model type='${config.display.adapter === 'virtio' ? 'virtio' : 'vga'}'/></video>`);
    if (config.input.pointer === 'tablet') lines.push(`    <input type='tablet' bus='usb'/>`);
  }
  lines.push(`  </devices>`, `</domain>`, '');
  return lines.join('\n');
}

/** The config kept in a domain's metadata (`virsh metadata … URI`), or null when absent or not ours. */
export function configFromMetadata(text: string): VmConfig | null {
  const match = /<[\w-]+:config[^>]*>([\s\S]*)<\/[\w-]+:config>/.exec(text) ?? /<config[^>]*>([\s\S]*)<\/config>/.exec(text);
  if (!match) return null;
  try {
    const parsed = vmConfigSchema.safeParse(JSON.parse(unescapeXml(match[1]!)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The serial log file a domain's XML names, if any. */
export function serialLogOf(xml: string): string | null {
  const match = /<serial\b[\s\S]*?<log\s+file='([^']*)'/.exec(xml) ?? /<serial\b[\s\S]*?<log\s+file="([^"]*)"/.exec(xml);
  return match ? unescapeXml(match[1]!) : null;
}
