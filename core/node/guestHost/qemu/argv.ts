import path from 'node:path';
import type { AcceleratorKind, VmConfig } from '../../../common/config';
import { attachedNics, hostfwdRule, privateNetworkOf, type NicModel } from '../../../common/nics';
import type { PrivateLink } from '../../../common/protocol';

export interface QemuLaunch {
  accelerator: AcceleratorKind;
  /** Unix socket Guesthouse listens on for QMP; QEMU connects to it. */
  qmpSocket: string;
  /** Unix socket Guesthouse listens on for the serial console; QEMU connects to it. */
  serialSocket: string;
  /** Unix socket QEMU's VNC server listens on (in the VM's private runtime folder, never TCP). */
  vncSocket?: string;
  /** Unix socket QEMU listens on for the guest agent's port (org.qemu.guest_agent.0); the guest host connects per request. */
  agentSocket?: string;
  /** Restoring a saved machine state: QEMU waits for it (migrate-incoming over QMP). */
  incoming?: boolean;
  /** Firmware uefi: OVMF's code (read-only) and the VM's own variable store. */
  uefi?: { code: string; vars: string };
  /** Each shared folder's security model, in the config's order (mapped-xattr where not said): `none` where its file system keeps no extended attributes. */
  shareModels?: readonly ('mapped-xattr' | 'none')[];
  /** Each card on a private network, by card id: the UDP ports of its `-netdev dgram` (its own, and its switch's). */
  privateLinks?: Record<string, PrivateLink>;
}

/** The CD drive's block device id (every QEMU VM has one; see buildQemuArgv). */
export const CD_DRIVE_ID = 'cd0';

/** The virtio-serial port name qemu-guest-agent opens (/dev/virtio-ports/org.qemu.guest_agent.0). */
export const GUEST_AGENT_PORT = 'org.qemu.guest_agent.0';

/** The QEMU device of each network card model. */
const nicDevice: Readonly<Record<NicModel, string>> = { virtio: 'virtio-net-pci', e1000: 'e1000', rtl8139: 'rtl8139' };

/** The chardev option value, escaping commas the way QEMU's option parser wants. */
const opt = (value: string) => value.replace(/,/g, ',,');

/**
 * The QEMU command line: a pure function of the config, the VM's folder and the
 * launch decisions. QEMU starts paused (-S); both control sockets are ours and
 * QEMU connects to them, so nothing the guest prints can be lost before we listen.
 */
export function buildQemuArgv(config: VmConfig, vmDir: string, launch: QemuLaunch): string[] {
  const resolve = (p: string) => path.resolve(vmDir, p);
  const args: string[] = [
    '-name',
    `guest=${opt(config.identity.name)}`,
    '-uuid',
    config.identity.uuid,
    '-nodefaults',
    '-no-user-config',
    '-S',
    '-machine',
    config.chipset === 'q35' ? 'q35' : 'pc',
    '-accel',
    launch.accelerator,
    '-cpu',
    launch.accelerator === 'tcg' ? 'max' : 'host',
    '-smp',
    String(config.cpus),
    '-m',
    `${config.memoryMib}M`,
    // No window of QEMU's own: the screen is served over VNC to Guesthouse's viewers.
    '-display',
    'none',
    '-chardev',
    `socket,id=qmp,path=${opt(launch.qmpSocket)}`,
    '-mon',
    'chardev=qmp,mode=control',
  ];
  if (config.serial.enabled) {
    args.push('-chardev', `socket,id=serial0,path=${opt(launch.serialSocket)}`, '-serial', 'chardev:serial0');
  }
  if (config.firmware === 'uefi') {
    if (!launch.uefi) throw new Error('buildQemuArgv: firmware uefi needs launch.uefi');
    args.push(
      '-drive',
      `if=pflash,format=raw,unit=0,readonly=on,file=${opt(launch.uefi.code)}`,
      // qcow2, so that a snapshot holds the variables with the disks (a raw store cannot).
      '-drive',
      `if=pflash,format=qcow2,unit=1,file=${opt(launch.uefi.vars)}`,
    );
  }
  // Each card that is attached to something: its backend (the netdev, named by the card's id)
  // and the device the guest sees, with the card's own MAC (QEMU's default is one for all).
  // Before every other -device, so the cards keep the PCI slots the board gave `-nic` cards
  // before config version 4 (a guest's interface names and a saved state depend on them).
  const nics = attachedNics(config.nics);
  for (const nic of nics) {
    const device = `${nicDevice[nic.model]},netdev=${nic.id},mac=${nic.mac}`;
    if (privateNetworkOf(nic.attachment)) {
      // A private network: one Ethernet frame per UDP datagram, from the card's own port to its switch's, both on loopback.
      const link = launch.privateLinks?.[nic.id];
      if (!link) throw new Error(`buildQemuArgv: card ${nic.id} on ${nic.attachment} needs launch.privateLinks`);
      const ends = `local.type=inet,local.host=127.0.0.1,local.port=${link.localPort},remote.type=inet,remote.host=127.0.0.1,remote.port=${link.switchPort}`;
      args.push('-netdev', `dgram,id=${nic.id},${ends}`, '-device', device);
      continue;
    }
    const fwd = nic.forwards.map((f) => `,hostfwd=${hostfwdRule(f)}`).join('');
    // host-only: the same user network, restricted (the guest reaches the host's forwards and slirp's own services, nothing outside).
    const restrict = nic.attachment === 'host-only' ? ',restrict=on' : '';
    args.push('-netdev', `user,id=${nic.id}${restrict}${fwd}`, '-device', device);
  }
  if (!nics.length) args.push('-nic', 'none');
  if (config.display.adapter !== 'none') {
    args.push('-device', config.display.adapter === 'virtio' ? 'virtio-vga' : 'VGA');
    if (launch.vncSocket) args.push('-vnc', `unix:${opt(launch.vncSocket)},share=force-shared`);
    // An absolute pointer, so the host's and the guest's pointers line up; the keyboard is the machine's PS/2 one.
    if (config.input.pointer === 'tablet') args.push('-device', 'qemu-xhci,id=xhci', '-device', 'usb-tablet,bus=xhci.0');
  }
  if (config.diskBus === 'sata' && config.disks.length) args.push('-device', 'ahci,id=sata');
  config.disks.forEach((disk, i) => {
    const drive = `file=${opt(resolve(disk.path))},format=${disk.format},werror=stop,rerror=stop`;
    if (config.diskBus === 'sata') args.push('-drive', `${drive},if=none,id=disk${i}`, '-device', `ide-hd,drive=disk${i},bus=sata.${i}`);
    // IDE: two channels of two; the CD-ROM keeps index 2 (secondary master).
    else if (config.diskBus === 'ide') args.push('-drive', `${drive},if=ide,index=${i < 2 ? i : i + 1}`);
    else args.push('-drive', `${drive},if=virtio,index=${i}`);
  });
  // The CD drive is always there (empty without an ISO), so an ISO can be put in while the
  // guest runs: QMP blockdev-change-medium and eject name it by its id, CD_DRIVE_ID.
  const medium = config.optical ? `file=${opt(resolve(config.optical.isoPath))},format=raw,` : '';
  args.push('-drive', `${medium}media=cdrom,readonly=on,if=ide,index=2,id=${CD_DRIVE_ID}`);
  // Shared folders, after every other device so that the others keep their PCI slots. multidevs=remap:
  // files of other file systems mounted inside the folder keep distinct inode numbers in the guest.
  config.shares.forEach((share, i) => {
    const model = launch.shareModels?.[i] ?? 'mapped-xattr';
    const ro = share.readOnly ? ',readonly=on' : '';
    args.push('-fsdev', `local,id=fs${i},path=${opt(path.resolve(share.path))},security_model=${model},multidevs=remap${ro}`);
    args.push('-device', `virtio-9p-pci,fsdev=fs${i},mount_tag=${share.tag}`);
  });
  if (config.directBoot) {
    args.push('-kernel', resolve(config.directBoot.kernelPath));
    if (config.directBoot.initrdPath) args.push('-initrd', resolve(config.directBoot.initrdPath));
    if (config.directBoot.append) args.push('-append', config.directBoot.append);
  } else {
    args.push('-boot', config.optical ? 'order=dc' : 'order=c');
  }
  // The guest agent's channel (qemu-guest-agent in the guest), last of all devices (after the shares) so that
  // every other device keeps its PCI slot. QEMU listens (wait=off): the guest host connects per request.
  if (launch.agentSocket) {
    args.push('-device', 'virtio-serial,id=vser0', '-chardev', `socket,id=ga,path=${opt(launch.agentSocket)},server=on,wait=off`);
    args.push('-device', `virtserialport,bus=vser0.0,chardev=ga,name=${GUEST_AGENT_PORT}`);
  }
  if (launch.incoming) args.push('-incoming', 'defer');
  return args;
}
