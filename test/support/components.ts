import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const onPath = (name: string) => (process.env.PATH ?? '').split(':').some((d) => d && fs.existsSync(`${d}/${name}`));

/** QEMU itself, plus what builds the test guests from Debian's packages. */
export const qemuPresent = onPath('qemu-system-x86_64') && onPath('qemu-img');
export const guestToolsPresent = ['apt-get', 'apt-cache', 'dpkg-deb', 'xz'].every(onPath);

/** Whether apt can fetch the i386 kernel for the v86 test guest (dpkg --add-architecture i386; apt-get update). */
export function i386PackagesAvailable(): boolean {
  const r = spawnSync('apt-cache', ['show', 'linux-image-686:i386'], { stdio: 'ignore' });
  return r.status === 0;
}
