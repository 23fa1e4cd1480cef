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
});
