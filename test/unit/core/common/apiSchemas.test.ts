import { describe, expect, it } from 'vitest';
import { vmNameSchema } from '../../../../core/common/config';
import { CONSOLE_WRITE_MAX_BYTES, methodParams } from '../../../../core/common/apiSchemas';

describe('input the service bounds or normalizes', () => {
  it('a name typed as e + accent (NFD) is the same name as é (NFC)', () => {
    expect(vmNameSchema.parse('cafe\u0301')).toBe('caf\u00e9');
    expect(vmNameSchema.parse('caf\u00e9')).toBe('caf\u00e9');
  });

  it('one console write takes at most 64 KiB, and a larger one gets a sentence', () => {
    expect(methodParams.writeConsole.safeParse(['vm', new Uint8Array(CONSOLE_WRITE_MAX_BYTES)]).success).toBe(true);
    const r = methodParams.writeConsole.safeParse(['vm', new Uint8Array(CONSOLE_WRITE_MAX_BYTES + 1)]);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe('One console write takes at most 64 KiB; send longer input in parts, as "guesthouse send NAME --file FILE" does.');
  });

  it('a path with a NUL in it (import, ISO, disk) gets a sentence, not an internal error from the file system', () => {
    // What the fuzz test sent (seed 1968080879): importDisk with a NUL in the source path.
    for (const [method, params] of [
      ['importDisk', ['vm', 'a\u0000.vmdk']],
      ['insertMedia', ['vm', 'a\u0000.iso']],
      ['resizeDisk', ['vm', 'a\u0000.qcow2', 2 ** 30]],
      ['convertDisk', ['vm', 'a\u0000.raw', 'qcow2']],
    ] as const) {
      const r = methodParams[method].safeParse(params);
      expect(r.success, method).toBe(false);
      expect(r.error?.issues[0]?.message, method).toMatch(/must not contain a NUL character\.$/);
    }
  });
});
