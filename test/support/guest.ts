import path from 'node:path';

export interface TestGuest {
  arch: string;
  kernel: string;
  bzImage: string;
  initrd: string;
  append: string;
  readyMarker: string;
  /** A bootable CD (ISOLINUX, no prompt) with bzImage and initrd: boot it with no -kernel. */
  iso: string;
  /** The kernel command line the ISO boots with (console on the screen and on ttyS0). */
  isoAppend: string;
  /**
   * Printed (on the console, and on the screen when that is not the console) once the
   * mice are in /proc/bus/input/devices: the PS/2 one and any USB tablet (the USB modules
   * load after readyMarker, only when a USB host controller is on the PCI bus).
   */
  inputReadyMarker: string;
  /** Said before readyMarker, with the disks' names, when the guest has a virtio or AHCI disk. */
  disksReadyMarker: string;
  netReadyMarker: string;
  /** Said once qemu-ga listens on org.qemu.guest_agent.0 (amd64 only; the guest needs a virtio-serial device). */
  agentReadyMarker?: string;
}

/** Builds (or takes from the cache) the tiny Debian guest; see test/guests/build.mjs. */
export async function tinyGuest(arch: 'amd64' | 'i386' = 'amd64'): Promise<TestGuest> {
  const mod = (await import(path.join(__dirname, '..', 'guests', 'build.mjs'))) as { buildGuest(arch: string): TestGuest };
  return mod.buildGuest(arch);
}

/** Debian 12's network installer, its text-mode kernel and initrd (downloaded once, cached beside the test guests); see test/guests/build.mjs. */
export async function debianInstaller(): Promise<{ kernel: string; initrd: string }> {
  const mod = (await import(path.join(__dirname, '..', 'guests', 'build.mjs'))) as { debianInstaller(): { kernel: string; initrd: string } };
  return mod.debianInstaller();
}

/** `guesthouse create` flags for the amd64 tiny guest under QEMU: 128 MiB, no network (the CLI's tinyVm). */
export function tinyVmArgs(guest: TestGuest): string[] {
  return ['--os', 'other-x64', '--memory', '128', '--kernel', guest.kernel, '--initrd', guest.initrd, '--append', guest.append, '--network', 'none'];
}

/** A create request for the amd64 tiny guest under QEMU: 128 MiB, no network. */
export function tinyVm(guest: TestGuest, name: string, append = guest.append) {
  return { name, osType: 'other-x64' as const, memoryMib: 128, kernelPath: guest.kernel, initrdPath: guest.initrd, append, network: 'none' as const };
}
