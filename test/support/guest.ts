import path from 'node:path';

export interface TestGuest {
  arch: string;
  kernel: string;
  bzImage: string;
  initrd: string;
  append: string;
  readyMarker: string;
}

/** Builds (or takes from the cache) the tiny Debian guest; see test/guests/build.mjs. */
export async function tinyGuest(arch: 'amd64' | 'i386' = 'amd64'): Promise<TestGuest> {
  const mod = (await import(path.join(__dirname, '..', 'guests', 'build.mjs'))) as { buildGuest(arch: string): TestGuest };
  return mod.buildGuest(arch);
}


/** A create request for the amd64 tiny guest under QEMU: 128 MiB, no network. */
export function tinyVm(guest: TestGuest, name: string, append = guest.append) {
  return { name, osType: 'other-x64' as const, memoryMib: 128, kernelPath: guest.kernel, initrdPath: guest.initrd, append, network: 'none' as const };
}
