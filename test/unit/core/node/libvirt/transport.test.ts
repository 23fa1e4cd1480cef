// The libvirt transport's pure parts: quoting for the remote shell (checked against a real
// /bin/sh), virsh event lines, domstats records, the domain XML and the hosts file's schema.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { addHostRequestSchema, hostRef, splitRef } from '../../../../../core/common/hosts';
import { configFromMetadata, domainXml, escapeXml } from '../../../../../core/node/libvirt/domainXml';
import { parseDomstats, stateOfNumber } from '../../../../../core/node/libvirt/domains';
import { parseEventLine, stateOfEvent } from '../../../../../core/node/libvirt/libvirtHost';
import { shellQuote } from '../../../../../core/node/libvirt/virsh';
import { configFromRequest } from '../../../../../core/node/service/vmRequests';

const nasty = [`it's`, `$(touch /tmp/gh-pwned)`, '`id`', 'a;b', 'line\nbreak', 'ünïcødé 한국어', '', ' spaced ', '\\', '"', "'\"'\"'", '*', '-n'];

describe('shellQuote', () => {
  it('hands every argument to a POSIX shell as data', () => {
    const script = `printf '%s\\0' ${nasty.map(shellQuote).join(' ')}`;
    const r = spawnSync('/bin/sh', ['-c', script]);
    expect(r.status).toBe(0);
    expect(r.stdout.toString().split('\0').slice(0, -1)).toEqual(nasty);
  });

  it('refuses a NUL with a sentence', () => {
    expect(() => shellQuote('a\u0000b')).toThrow('NUL');
  });
});

describe('virsh output', () => {
  it('reads event lines, names with quotes included', () => {
    expect(parseEventLine(`2026-12-07 19:36:54.004+0000: event 'lifecycle' for domain 'it's': Started Booted`)).toEqual({
      event: 'lifecycle',
      domain: "it's",
      detail: 'Started Booted',
    });
    expect(stateOfEvent('Started Booted')).toBe('running');
    expect(stateOfEvent('Suspended Paused')).toBe('paused');
    expect(stateOfEvent('Stopped Destroyed')).toBe('stopped');
    expect(stateOfEvent('Shutdown Finished after host request')).toBeNull();
    expect(parseEventLine('nonsense')).toBeNull();
  });

  it('reads domstats records', () => {
    const stats = parseDomstats("Domain: 'a b'\n  state.state=1\n  balloon.maximum=131072\nDomain: 'c'\n  state.state=5\n");
    expect(stats.get('a b')).toEqual({ 'state.state': '1', 'balloon.maximum': '131072' });
    expect(stateOfNumber(1)).toBe('running');
    expect(stateOfNumber(3)).toBe('paused');
    expect(stateOfNumber(5)).toBe('stopped');
  });
});

describe('domain XML', () => {
  const config = configFromRequest({
    name: `it's & ünï`,
    kernelPath: '/k',
    initrdPath: '/i',
    append: `console=ttyS0 x=<b>&"q"`,
    osType: 'other-x64',
    memoryMib: 128,
  });

  it('escapes every text and keeps the config in its metadata', () => {
    const xml = domainXml(config, new Map());
    expect(xml).toContain(`<name>${escapeXml(config.identity.name)}</name>`);
    expect(xml).not.toContain('<b>');
    expect(xml).toContain('<cmdline>console=ttyS0 x=&lt;b&gt;&amp;&quot;q&quot;</cmdline>');
    expect(xml).toContain("<interface type='user'>");
    expect(xml).toContain("<listen type='socket'/>");
    expect(configFromMetadata(xml)).toEqual(config);
  });

  it('refuses what libvirt hosts cannot do yet with a sentence', () => {
    expect(() => domainXml({ ...config, firmware: 'uefi' }, new Map())).toThrow('cannot do this yet');
    expect(() => domainXml({ ...config, directBoot: null }, new Map())).toThrow('needs a kernel');
  });
});

describe('hosts', () => {
  it('splits and makes host refs', () => {
    expect(splitRef('srv:my vm')).toEqual({ host: 'srv', vm: 'my vm' });
    expect(splitRef('plain')).toEqual({ host: null, vm: 'plain' });
    expect(hostRef('srv', 'a:b')).toBe('srv:a:b');
    expect(splitRef(hostRef('srv', 'a:b'))).toEqual({ host: 'srv', vm: 'a:b' });
  });

  it('takes only URIs it can reach, and never a password', () => {
    const ok = (uri: string) => addHostRequestSchema.safeParse({ name: 'h', uri }).success;
    expect(ok('qemu:///system')).toBe(true);
    expect(ok('qemu+ssh://root@127.0.0.1:2222/system')).toBe(true);
    expect(ok('qemu+ssh://root:secret@host/system')).toBe(false);
    expect(ok('xen:///system')).toBe(false);
    expect(ok('not a uri')).toBe(false);
    expect(addHostRequestSchema.safeParse({ name: 'local', uri: 'qemu:///system' }).success).toBe(false);
  });
});
