import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { keymapFor, unattendedAnswersSchema } from '../../../../../core/common/unattended';
import { debianInstallerAppend, debianPreseed, hashPassword } from '../../../../../core/node/unattended/preseed';
import { serveSeed } from '../../../../../core/node/unattended/seedServer';

const answers = unattendedAnswersSchema.parse({ user: 'ada', hostname: 'analytical', locale: 'ko_KR', timezone: 'Asia/Seoul' });

describe('Debian preseed', () => {
  it('answers every question the installer asks at critical priority, with a crypt(3) SHA-512 hash and never the password', async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).toMatch(/^\$6\$[./0-9A-Za-z]+\$[./0-9A-Za-z]{86}$/);
    // The same hash as the system's crypt(3) computes for that salt (openssl's is the same algorithm).
    const salt = hash.split('$')[2]!;
    const openssl = spawnSync('openssl', ['passwd', '-6', '-salt', salt, 'correct horse'], { encoding: 'utf8' });
    if (openssl.status === 0) expect(openssl.stdout.trim()).toBe(hash);
    const preseed = debianPreseed(answers, hash);
    expect(preseed).not.toContain('correct horse');
    for (const line of [
      'd-i debian-installer/locale string ko_KR.UTF-8',
      'd-i keyboard-configuration/xkb-keymap select kr',
      'd-i netcfg/get_hostname string analytical',
      'd-i passwd/username string ada',
      'd-i passwd/user-fullname string ada',
      `d-i passwd/user-password-crypted password ${hash}`,
      'd-i time/zone string Asia/Seoul',
      'd-i mirror/http/hostname string deb.debian.org',
      'd-i debian-installer/exit/poweroff boolean true',
    ])
      expect(preseed.split('\n'), line).toContain(line);
    // Every line is a comment or a debconf line: owner, question, type, value.
    for (const line of preseed.trimEnd().split('\n'))
      expect(line).toMatch(/^(#.*|[a-z-]+ [a-z0-9-]+\/[a-z0-9_/-]+ (string|select|boolean|password|note|multiselect)( .*)?)$/);
    expect(debianInstallerAppend(answers, 'http://10.0.2.2:1234/preseed.cfg')).toBe(
      'auto=true priority=critical preseed/url=http://10.0.2.2:1234/preseed.cfg locale=ko_KR.UTF-8 keyboard-configuration/xkb-keymap=kr hostname=analytical domain= DEBIAN_FRONTEND=text console=ttyS0,115200',
    );
  });

  it('refuses answers that would break the file or the installer, each with its sentence', () => {
    const bad = (field: string, value: unknown) => unattendedAnswersSchema.safeParse({ ...answers, [field]: value }).error?.issues[0]?.message;
    expect(bad('user', 'root')).toContain('not a system account');
    expect(bad('user', 'Ada')).toContain('lower-case');
    expect(bad('user', 'a\nd-i x')).toContain('lower-case');
    expect(bad('hostname', '-x')).toContain('host name');
    expect(bad('hostname', 'a.b')).toContain('host name');
    expect(bad('locale', 'korean')).toContain('en_US.UTF-8');
    expect(bad('timezone', 'Asia/Seoul\nd-i x')).toContain('time zone');
    expect(bad('fullName', 'Ada\nd-i passwd/root-login boolean true')).toContain('one line');
    expect(bad('mirror', { host: 'x y', directory: '/debian' })).toContain('mirror');
    expect(keymapFor({ locale: 'en_US.UTF-8' })).toBe('us');
    expect(keymapFor({ locale: 'de_DE.UTF-8' })).toBe('de');
    expect(keymapFor({ locale: 'de_DE.UTF-8', keyboard: 'fr' })).toBe('fr');
  });

  it('the seed server hands out its files and nothing else, and says who asked what', async () => {
    const seed = await serveSeed({ 'preseed.cfg': 'd-i x/y string z\n' });
    try {
      expect(seed.urlFor('preseed.cfg')).toBe(`http://10.0.2.2:${seed.port}/preseed.cfg`);
      expect(await (await fetch(`http://127.0.0.1:${seed.port}/preseed.cfg`)).text()).toBe('d-i x/y string z\n');
      expect((await fetch(`http://127.0.0.1:${seed.port}/../etc/passwd`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${seed.port}/preseed.cfg`, { method: 'POST', body: 'x' })).status).toBe(404);
      expect(seed.asked).toEqual(['/preseed.cfg', '/etc/passwd', '/preseed.cfg']);
    } finally {
      await seed.close();
    }
  });
});
