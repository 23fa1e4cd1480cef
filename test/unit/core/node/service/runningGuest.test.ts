// RunningGuest, the service's side of a guest host, over a fake guest host process: each
// request goes out as its action's message, and each reply is checked against what was asked.
import { describe, expect, it, vi } from 'vitest';
import { GuesthouseError } from '../../../../../core/common/errors';
import type { BootSpec, FromGuestHost, ToGuestHost } from '../../../../../core/common/protocol';
import { RunningGuest } from '../../../../../core/node/service/runningGuest';
import type { GuestHostCallbacks } from '../../../../../core/node/service/supervisor';
import { sampleConfig } from '../../../../support/sampleConfig';

const spec: BootSpec = {
  config: sampleConfig,
  vmDir: '/vms/web',
  runtimeDir: '/tmp/gh-1',
  engine: 'qemu',
  stateFile: '/vms/web/state/machine.qemustate',
  restoreState: false,
  ringBytes: 4096,
};

/** A guest that talks to a fake process: what it sent, and a way to answer as the guest host. */
function fakeGuest() {
  const sent: ToGuestHost[] = [];
  let host: GuestHostCallbacks | undefined;
  const guest = new RunningGuest(
    '2f1c7a4e',
    'web',
    spec,
    (_options, callbacks) => {
      host = callbacks;
      return { pid: 99, send: (message) => void sent.push(message), kill: () => undefined };
    },
    { onState: () => undefined, onGone: () => undefined },
  );
  const answer = (message: unknown) => host!.onMessage(message as FromGuestHost);
  const lastRequest = () => sent.filter((m) => m.type === 'request').at(-1)!;
  return { guest, sent, answer, lastRequest };
}

describe('RunningGuest requests', () => {
  it("a request goes out as its action's message, and its reply comes back typed", async () => {
    const t = fakeGuest();
    const steps: string[] = [];
    const saved = t.guest.request('snapshotSave', { snapshot: { tag: 'gh-1' } }, { onProgress: (status) => steps.push(status) });
    const request = t.lastRequest();
    expect(request).toEqual({ type: 'request', id: 1, action: 'snapshotSave', snapshot: { tag: 'gh-1' } });
    t.answer({ type: 'progress', id: request.id, status: 'running' });
    t.answer({ type: 'reply', id: request.id, snapshot: { disks: ['/vms/web/web.qcow2'], vmstateDisk: '/vms/web/web.qcow2' } });
    expect(await saved).toEqual({ snapshot: { disks: ['/vms/web/web.qcow2'], vmstateDisk: '/vms/web/web.qcow2' } });
    expect(steps).toEqual(['running']);

    const text = t.guest.request('screenText');
    expect(t.lastRequest()).toEqual({ type: 'request', id: 2, action: 'screenText' });
    t.answer({ type: 'reply', id: 2, lines: ['login:'] });
    expect((await text).lines).toEqual(['login:']);
  });

  it('the compiler holds each call to its action (test/tsconfig.json type-checks this)', () => {
    const typed = (guest: RunningGuest) => {
      // @ts-expect-error keys needs its chords
      void guest.request('keys');
      // @ts-expect-error an ISO is a path
      void guest.request('mediaInsert', { iso: 1 });
      // @ts-expect-error pause carries nothing
      void guest.request('pause', { iso: '/x.iso' });
      // @ts-expect-error there is no such action
      void guest.request('format');
      return guest.request('screenshot').then((reply) => reply.data.byteLength);
    };
    expect(typeof typed).toBe('function');
  });

  it('a reply of the wrong shape is refused with one sentence; the error a reply carries is thrown as it came', async () => {
    const t = fakeGuest();
    const text = t.guest.request('screenText');
    t.answer({ type: 'reply', id: 1, data: new Uint8Array([1]) });
    const err = await text.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GuesthouseError);
    expect(err).toMatchObject({ code: 'internal', key: 'guestHost.badReply' });
    expect((err as Error).message).toBe(
      'The guest host answered the screenText request with a reply that does not fit it: Unknown setting: data. The lines is not valid (it must be a list).',
    );

    const pause = t.guest.request('pause');
    t.answer({ type: 'reply', id: 2, error: { code: 'invalid-state', message: 'Cannot pause "web" because it is paused.', bug: false } });
    await expect(pause).rejects.toMatchObject({ code: 'invalid-state', message: 'Cannot pause "web" because it is paused.' });
  });

  it('another message that does not fit its shape is passed over, and said on stderr', () => {
    const t = fakeGuest();
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    t.answer({ type: 'state', state: 'asleep' });
    t.answer({ type: 'state', state: 'running' });
    expect(stderr).toHaveBeenCalledTimes(1);
    expect(String(stderr.mock.calls[0]![0])).toMatch(/^"web": A message between the service and a guest host was malformed: The state is not valid/);
    stderr.mockRestore();
    expect(t.guest.state).toBe('running');
  });
});
