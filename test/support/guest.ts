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

