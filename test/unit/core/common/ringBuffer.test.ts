import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../../../../core/common/ringBuffer';
import { StreamMatcher } from '../../../../core/node/service/fileSearch';
import { unescapeC, parseForward } from '../../../../main/cli/args';
import { formatForward } from '../../../../core/common/forward';

const text = (b: Uint8Array) => Buffer.from(b).toString();

describe('console ring buffer', () => {
  it('keeps the most recent bytes across wrap-around', () => {
    const r = new RingBuffer(8);
    r.push(Buffer.from('abc'));
    expect(text(r.read())).toBe('abc');
    r.push(Buffer.from('defgh'));
    expect(text(r.read())).toBe('abcdefgh');
    r.push(Buffer.from('ij'));
    expect(text(r.read())).toBe('cdefghij');
    r.push(Buffer.from('0123456789'));
    expect(text(r.read())).toBe('23456789');
    r.push(Buffer.from('x'));
    expect(text(r.read())).toBe('3456789x');
  });
});

describe('stream matcher', () => {
  it('finds text split across chunks and across the file tail', () => {
    const m = new StreamMatcher(Buffer.from('READY'), Buffer.from('RE'));
    expect(m.push(Buffer.from('AD'))).toBe(false);
    expect(m.push(Buffer.from('Yx'))).toBe(true);
    expect(new StreamMatcher(Buffer.from('READY')).push(Buffer.from('READ'))).toBe(false);
  });
});

describe('CLI text parsing', () => {
  it('understands C escapes in send', () => {
    expect(unescapeC('ls\\n')).toEqual(Buffer.from('ls\n'));
    expect(unescapeC('a\\tb\\x41\\e\\\\')).toEqual(Buffer.from('a\tbA\x1b\\'));
    expect(unescapeC('trailing\\')).toEqual(Buffer.from('trailing\\'));
  });

  it('parses port forwards', () => {
    expect(parseForward('tcp:2222:22')).toEqual({ protocol: 'tcp', hostPort: 2222, guestPort: 22 });
    expect(parseForward('udp:0.0.0.0:53:53')).toEqual({ protocol: 'udp', hostAddress: '0.0.0.0', hostPort: 53, guestPort: 53 });
    expect(() => parseForward('2222:22')).toThrow('"2222:22" is not a port forward; write it like tcp:2222:22.');
    expect(formatForward({ protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 2222, guestPort: 22 })).toBe('tcp:2222:22');
    expect(formatForward({ protocol: 'udp', hostAddress: '0.0.0.0', hostPort: 53, guestPort: 53 })).toBe('udp:0.0.0.0:53:53');
  });
});
