// The guest host protocol's schemas: what the guest host accepts as a request for each action,
// and what the parent accepts as the reply to it. Each refusal is one sentence.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GuesthouseError, toErrorData } from '../../../../core/common/errors';
import { guestActionNames, parseGuestReply, parseGuestRequest, type GuestAction } from '../../../../core/common/guestActions';
import { m } from '../../../../core/common/messages';

/** The error a parse throws, as the other side of the wire would get it. */
function refusal(parse: () => unknown): GuesthouseError {
  try {
    parse();
  } catch (err) {
    expect(err).toBeInstanceOf(GuesthouseError);
    return err as GuesthouseError;
  }
  throw new Error('was not refused');
}

describe('guest host requests', () => {
  it('a request that fits its action comes back as it went, typed by its action', () => {
    expect(parseGuestRequest({ type: 'request', id: 3, action: 'pause' })).toEqual({ type: 'request', id: 3, action: 'pause' });
    expect(parseGuestRequest({ type: 'request', id: 4, action: 'shutdown', timeoutMs: 5000 })).toEqual({
      type: 'request',
      id: 4,
      action: 'shutdown',
      timeoutMs: 5000,
    });
    expect(parseGuestRequest({ type: 'request', id: 5, action: 'keys', keys: [['ctrl', 'alt', 'delete']] })).toMatchObject({
      keys: [['ctrl', 'alt', 'delete']],
    });
    const load = parseGuestRequest({ type: 'request', id: 6, action: 'snapshotLoad', snapshot: { tag: 'gh-1', vmstateFile: '/vm/a.qcow2' } });
    expect(load.action === 'snapshotLoad' && load.snapshot).toEqual({ tag: 'gh-1', vmstateFile: '/vm/a.qcow2' });
  });

  it('a malformed request for an action is refused with one sentence naming the action', () => {
    for (const [raw, action] of [
      [{ type: 'request', id: 1, action: 'keys', keys: 'ctrl-alt-delete' }, 'keys'],
      [{ type: 'request', id: 1, action: 'keys' }, 'keys'],
      [{ type: 'request', id: 1, action: 'shutdown', timeoutMs: -1 }, 'shutdown'],
      [{ type: 'request', id: 1, action: 'snapshotSave' }, 'snapshotSave'],
      [{ type: 'request', id: 1, action: 'snapshotDelete', snapshot: { tag: '' } }, 'snapshotDelete'],
      [{ type: 'request', id: 1, action: 'mediaInsert', iso: 7 }, 'mediaInsert'],
      // A field another action carries is not this one's.
      [{ type: 'request', id: 1, action: 'pause', iso: '/x.iso' }, 'pause'],
    ] as const) {
      const err = refusal(() => parseGuestRequest(raw));
      expect(err.code, action).toBe('invalid-input');
      expect(err.key, action).toBe('guestHost.badRequest');
      expect(err.message, action).toMatch(new RegExp(`^The guest host refused a malformed ${action} request: [^\\n]+[.)]$`));
      expect(err.problems, action).toEqual([]);
    }
    // A snapshot request without its target says what a snapshot id is.
    expect(refusal(() => parseGuestRequest({ type: 'request', id: 1, action: 'snapshotSave', snapshot: null })).message).toBe(
      `The guest host refused a malformed snapshotSave request: ${m('snapshot.badId').message}`,
    );
  });

  it('an unknown action is refused with a sentence listing the actions there are', () => {
    const err = refusal(() => parseGuestRequest({ type: 'request', id: 1, action: 'format', disk: 0 }));
    expect(err.code).toBe('invalid-input');
    expect(err.message).toBe(`A guest host has no action called format (only ${guestActionNames.join(', ')}).`);
    // `toString` is no action, though every object has it.
    expect(refusal(() => parseGuestRequest({ type: 'request', id: 1, action: 'toString' })).key).toBe('guestHost.noAction');
  });

  it('a message that is not a request at all is refused', () => {
    for (const raw of [null, 'pause', { type: 'request', action: 'pause' }, { type: 'request', id: 1.5, action: 'pause' }, { type: 'request', id: 1 }]) {
      expect(refusal(() => parseGuestRequest(raw)).key).toBe('guestHost.badMessage');
    }
  });

  it('the guest host loads no zod for them (what it loads is paid once per guest)', () => {
    for (const file of ['guestActions.ts', 'guestMessages.ts', 'wireShape.ts']) {
      const source = fs.readFileSync(path.join(__dirname, '../../../../core/common', file), 'utf8');
      expect(source, file).not.toMatch(/^import (?!type ).*from '(zod|\.\/config|\.\/apiSchemas)'/m);
    }
  });

  it('every action has a schema for its request and its reply', () => {
    expect(guestActionNames).toContain<GuestAction>('snapshotSave');
    for (const action of guestActionNames) expect(() => parseGuestRequest({ type: 'request', id: 1, action })).not.toThrow(/no action/);
  });
});

describe('guest host replies', () => {
  it('a reply that fits what was asked comes back without its envelope', () => {
    expect(parseGuestReply('pause', { type: 'reply', id: 1 })).toEqual({});
    const data = new Uint8Array([1, 2, 3]);
    expect(parseGuestReply('backlog', { type: 'reply', id: 1, data })).toEqual({ data });
    expect(parseGuestReply('screenshot', { type: 'reply', id: 1, data: Buffer.from('PNG') }).data).toBeInstanceOf(Uint8Array);
    expect(parseGuestReply('screenText', { type: 'reply', id: 1, lines: ['login:'] })).toEqual({ lines: ['login:'] });
    const snapshot = { disks: ['/vm/a.qcow2'], vmstateDisk: '/vm/a.qcow2' };
    expect(parseGuestReply('snapshotSave', { type: 'reply', id: 1, snapshot })).toEqual({ snapshot });
  });

  it('a reply of the wrong shape is refused with one sentence (an internal error: the two sides disagree)', () => {
    for (const [action, raw] of [
      ['screenText', { type: 'reply', id: 1, data: new Uint8Array() }],
      ['screenText', { type: 'reply', id: 1, lines: 'login:' }],
      ['backlog', { type: 'reply', id: 1, data: 'bytes' }],
      ['snapshotSave', { type: 'reply', id: 1 }],
      ['snapshotSave', { type: 'reply', id: 1, snapshot: { disks: [] } }],
      ['pause', { type: 'reply', id: 1, lines: [] }],
      ['pause', { type: 'state', id: 1 }],
    ] as const) {
      const err = refusal(() => parseGuestReply(action, raw));
      expect(err.code, action).toBe('internal');
      expect(err.key, action).toBe('guestHost.badReply');
      expect(err.message, action).toMatch(new RegExp(`^The guest host answered the ${action} request with a reply that does not fit it: `));
      expect(err.problems, action).toEqual([]);
    }
  });

  it('a reply carrying an error throws that error as the guest host said it', () => {
    const error = toErrorData(new GuesthouseError('invalid-state', m('vm.noEngine', { name: 'web' })));
    const err = refusal(() => parseGuestReply('pause', { type: 'reply', id: 1, error }));
    expect(err).toMatchObject({ code: 'invalid-state', key: 'vm.noEngine', message: '"web" has no running engine.' });
    // Not an error at all: an internal error saying what came.
    expect(refusal(() => parseGuestReply('pause', { type: 'reply', id: 1, error: 'nope' })).code).toBe('internal');
  });
});
