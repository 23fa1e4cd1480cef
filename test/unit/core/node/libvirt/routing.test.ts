// HostedService sends a call whose first argument reads as `HOST:VM` to that libvirt host. A
// method whose first argument is not a VM ref (a path, an id, a request) must never be routed
// so: each such method of the contract is listed in `notAboutAVm` or answered by HostedService
// itself. A new method that forgets it fails here, not on a user's path with a colon in it.
import { describe, expect, it } from 'vitest';
import { methodParams, vmRefSchema } from '../../../../../core/common/apiSchemas';
import { notAboutAVm } from '../../../../../core/node/libvirt/hostedService';

/** Answered by HostedService itself (hosts, and the list and create that span every host). */
const ownAnswers = new Set(['listHosts', 'addHost', 'removeHost', 'listVms', 'createVm']);

describe('which calls may go to a libvirt host', () => {
  it('every contract method whose first argument is not a VM ref stays with the library', () => {
    const notRefs = Object.entries(methodParams)
      .filter(([, tuple]) => (tuple.def.items as unknown[])[0] !== vmRefSchema)
      .map(([method]) => method);
    expect(notRefs.length).toBeGreaterThan(5);
    for (const method of notRefs) expect(notAboutAVm.has(method) || ownAnswers.has(method), method).toBe(true);
  });
});
