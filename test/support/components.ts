import fs from 'node:fs';

const onPath = (name: string) => (process.env.PATH ?? '').split(':').some((d) => d && fs.existsSync(`${d}/${name}`));

/** QEMU itself, plus what builds the test guests from Debian's packages. */
export const qemuPresent = onPath('qemu-system-x86_64') && onPath('qemu-img');
export const guestToolsPresent = ['apt-get', 'apt-cache', 'dpkg-deb', 'xz'].every(onPath);
