// Debian's unattended install: a preseed file (the installer's answers, debconf lines) made from
// the answers and a password hash, and the kernel command line that makes the installer fetch
// it and ask nothing (`auto=true priority=critical`: the locale and keyboard questions wait
// until the network is up and the preseed is read). The installer powers off when done, so
// Guesthouse sees the install end as a power-off. Delivered without touching the ISO: served
// on the host's loopback, which a NAT guest reaches as its gateway 10.0.2.2 (seedServer.ts).
import { keymapFor, type UnattendedAnswers } from '../../common/unattended';

/** crypt(3) SHA-512 of the password, as the installer's `user-password-crypted` takes it (unixcrypt is ESM; loaded when needed). */
export async function hashPassword(password: string): Promise<string> {
  const { encrypt } = await import('unixcrypt');
  return encrypt(password);
}

/** The preseed file for `answers`; `passwordHash` from hashPassword (the password itself never reaches it). */
export function debianPreseed(answers: UnattendedAnswers, passwordHash: string): string {
  const keymap = keymapFor(answers);
  const mirror = answers.mirror ?? { host: 'deb.debian.org', directory: '/debian' };
  const lines = [
    '# Made by Guesthouse for an unattended install. The password is a crypt(3) SHA-512 hash.',
    `d-i debian-installer/locale string ${answers.locale}`,
    `d-i keyboard-configuration/xkb-keymap select ${keymap}`,
    'd-i netcfg/choose_interface select auto',
    `d-i netcfg/get_hostname string ${answers.hostname}`,
    'd-i netcfg/get_domain string',
    `d-i netcfg/hostname string ${answers.hostname}`,
    'd-i mirror/country string manual',
    `d-i mirror/http/hostname string ${mirror.host}`,
    `d-i mirror/http/directory string ${mirror.directory}`,
    'd-i mirror/http/proxy string',
    'd-i passwd/root-login boolean false',
    `d-i passwd/user-fullname string ${answers.fullName ?? answers.user}`,
    `d-i passwd/username string ${answers.user}`,
    `d-i passwd/user-password-crypted password ${passwordHash}`,
    'd-i clock-setup/utc boolean true',
    `d-i time/zone string ${answers.timezone}`,
    'd-i clock-setup/ntp boolean true',
    // The whole first disk, one partition, no questions.
    'd-i partman-auto/method string regular',
    'd-i partman-auto/choose_recipe select atomic',
    'd-i partman-partitioning/confirm_write_new_label boolean true',
    'd-i partman/choose_partition select finish',
    'd-i partman/confirm boolean true',
    'd-i partman/confirm_nooverwrite boolean true',
    'd-i apt-setup/cdrom/set-first boolean false',
    'tasksel tasksel/first multiselect standard, ssh-server',
    'd-i pkgsel/upgrade select none',
    'popularity-contest popularity-contest/participate boolean false',
    'd-i grub-installer/only_debian boolean true',
    'd-i grub-installer/bootdev string default',
    'd-i finish-install/reboot_in_progress note',
    // Power off at the end: the VM stops, and its next start boots the installed system.
    'd-i debian-installer/exit/poweroff boolean true',
  ];
  return `${lines.join('\n')}\n`;
}

/** The installer kernel's command line that fetches the preseed at `url` and asks nothing (serial console too). */
export function debianInstallerAppend(answers: UnattendedAnswers, url: string): string {
  return [
    'auto=true',
    'priority=critical',
    `preseed/url=${url}`,
    `locale=${answers.locale}`,
    `keyboard-configuration/xkb-keymap=${keymapFor(answers)}`,
    `hostname=${answers.hostname}`,
    'domain=',
    'DEBIAN_FRONTEND=text',
    'console=ttyS0,115200',
  ].join(' ');
}
