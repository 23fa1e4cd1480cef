// How the details read a VM's shared folders: loosely, since VM files older than version 5 have none.
import { describe, expect, it } from 'vitest';
import { guestShares } from '../../../../renderer/src/components/SharedFolders';
import { sampleConfig } from '../../../support/sampleConfig';

describe('shared folders in the details', () => {
  it('reads the shares of a version-5 config, none of an older one, and skips what is not a share', () => {
    const shares = [
      { tag: 'src', path: '/home/me/src', readOnly: false },
      { tag: 'docs', path: '/home/me/docs', readOnly: true },
    ];
    expect(guestShares({ ...sampleConfig, shares })).toEqual(shares);
    const { shares: _s, ...old } = sampleConfig;
    expect(guestShares(old as never)).toEqual([]);
    expect(guestShares(undefined)).toEqual([]);
    expect(guestShares({ ...sampleConfig, shares: [{ tag: 7 }, { tag: 'x', path: '/x' }] } as never)).toEqual([{ tag: 'x', path: '/x', readOnly: false }]);
  });
});
