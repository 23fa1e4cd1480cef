/**
 * What a parent (the service) may ask of its guest host, one entry per action: the schema of
 * what the request carries besides its action, and of what the reply carries. The types
 * (`GuestAction`, `PayloadOf`, `ReplyOf`) and the messages' schemas are made from this map, so a
 * new action (a port forward, a guest-agent call, a shared folder) is one entry here, checked
 * by the compiler at both ends and by the schemas on the wire: the guest host refuses a request
 * that does not fit its action, the parent a reply that does not fit what it asked. The schemas
 * are wireShape.ts's, not zod's: the guest host loads them.
 *
 * On the wire a request is `{ type: 'request', id, action, ...payload }` and a reply
 * `{ type: 'reply', id, ...reply }` or `{ type: 'reply', id, error }`, as before the map: a
 * guest host that outlived a service of an earlier build still understands a new one.
 */
import { fromErrorData, GuesthouseError, type ErrorData } from './errors';
import { m, type Sentence } from './messages';
import { bool, bytes, int, list, object, oneOf, optional, text, type Infer, type Shape } from './wireShape';
import { execResultShape, guestInfoShape } from './guestAgent';

/** Which live snapshot a snapshot request is about: its tag, and for a load the image that holds the machine state. */
export const snapshotTargetShape = object({ tag: text({ min: 1 }), vmstateFile: optional(text({ min: 1 })) }, m('snapshot.badId'));
export type SnapshotTarget = Infer<typeof snapshotTargetShape>;

/** What a live snapshot save put where: every image that holds it, and the one with the machine state. */
export const savedSnapshotShape = object({ disks: list(text()), vmstateDisk: text() });
export type SavedSnapshot = Infer<typeof savedSnapshotShape>;

const nothing = object({});
const data = object({ data: bytes });
const snapshot = object({ snapshot: snapshotTargetShape });

/** Every guest host action: `payload`, what its request carries; `reply`, what its answer carries. */
export const guestActions = {
  pause: { payload: nothing, reply: nothing },
  resume: { payload: nothing, reply: nothing },
  reset: { payload: nothing, reply: nothing },
  /**
   * `timeoutMs`: how long the guest has to power off before it is powered off (30 s if not said).
   * `method`: asked through the guest agent, or by the ACPI power button (absent: a guest host of an earlier build).
   */
  shutdown: { payload: object({ timeoutMs: optional(int({ min: 1 })) }), reply: object({ method: optional(oneOf(['agent', 'acpi'])) }) },
  poweroff: { payload: nothing, reply: nothing },
  save: { payload: nothing, reply: nothing },
  /** The console's recent output (the ring buffer); everything after it comes as output. */
  backlog: { payload: nothing, reply: data },
  /** The screen as a PNG. */
  screenshot: { payload: nothing, reply: data },
  /** The screen's text rows (text mode only). */
  screenText: { payload: nothing, reply: object({ lines: list(text()) }) },
  /** The chords (qcode names) to press, in order. */
  keys: { payload: object({ keys: list(list(text())) }), reply: nothing },
  /** Live snapshots (QEMU's snapshot jobs); the request's id hears 'progress' messages meanwhile. */
  snapshotSave: { payload: snapshot, reply: object({ snapshot: savedSnapshotShape }) },
  snapshotLoad: { payload: snapshot, reply: nothing },
  snapshotDelete: { payload: snapshot, reply: nothing },
  /** The CD drive of a running guest: `iso` to put in, or out. */
  mediaInsert: { payload: object({ iso: text({ min: 1 }) }), reply: nothing },
  mediaEject: { payload: nothing, reply: nothing },
  /**
   * A port forward of a running guest's user network (`netdev`, a card's id), added or removed
   * at once: `rule` in QEMU's words (add: `tcp:127.0.0.1:8080-:80`; remove: `tcp:127.0.0.1:8080`).
   * The reply is QEMU's own text, which says every outcome ("" when added); the service reads it.
   */
  hostfwd: { payload: object({ op: text({ min: 1 }), netdev: text({ min: 1 }), rule: text({ min: 1 }) }), reply: object({ text: text() }) },
  /** The guest agent (QEMU): the guest's facts asked now. */
  agentInfo: { payload: nothing, reply: object({ info: guestInfoShape }) },
  /** A command run in the guest (guest-exec), waited for at most `timeoutMs`. */
  agentExec: { payload: object({ argv: list(text()), timeoutMs: int({ min: 1 }) }), reply: object({ result: execResultShape }) },
  /** A host file copied into the guest, or a guest file to the host (temp file, renamed at the end); 'progress' messages say the bytes done. */
  agentCopyIn: { payload: object({ hostPath: text({ min: 1 }), guestPath: text({ min: 1 }) }), reply: object({ bytes: int() }) },
  agentCopyOut: { payload: object({ guestPath: text({ min: 1 }), hostPath: text({ min: 1 }) }), reply: object({ bytes: int() }) },
  /** The guest's clock set to the host's (guest-set-time); `set` false when the guest cannot (its facts then carry one note). */
  agentSetTime: { payload: nothing, reply: object({ set: bool }) },
} as const satisfies Record<string, { payload: Shape<object>; reply: Shape<object> }>;

export type GuestAction = keyof typeof guestActions;
export const guestActionNames = Object.keys(guestActions) as GuestAction[];
/** What a request for `A` carries besides its action. */
export type PayloadOf<A extends GuestAction> = Infer<(typeof guestActions)[A]['payload']>;
/** What the guest host answers a request for `A` with. */
export type ReplyOf<A extends GuestAction> = Infer<(typeof guestActions)[A]['reply']>;
/** Actions whose request carries nothing besides the action. */
export type BareAction = { [A in GuestAction]: object extends PayloadOf<A> ? A : never }[GuestAction];

/** One request message, discriminated by its action. */
export type GuestRequest = { [A in GuestAction]: { type: 'request'; id: number; action: A } & PayloadOf<A> }[GuestAction];
/** A request message for `A`. */
export type RequestOf<A extends GuestAction> = Extract<GuestRequest, { action: A }>;
/** One reply message: what the action answers, or why it failed. */
export type GuestReply =
  { type: 'reply'; id: number; error: ErrorData } | { [A in GuestAction]: { type: 'reply'; id: number; error?: undefined } & ReplyOf<A> }[GuestAction];

const isGuestAction = (action: string): action is GuestAction => Object.hasOwn(guestActions, action);

/** The fields of a message besides its envelope (type, id, action). */
function body(message: Record<string, unknown>, envelope: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(message).filter(([key]) => !envelope.includes(key)));
}

/**
 * A request as the guest host receives it, checked against its action's schema: an unknown
 * action or a payload that does not fit it is refused with one sentence (invalid-input).
 */
export function parseGuestRequest(raw: unknown): GuestRequest {
  const head = raw as { type?: unknown; id?: unknown; action?: unknown } | null;
  if (typeof head !== 'object' || head === null || head.type !== 'request' || !Number.isSafeInteger(head.id) || typeof head.action !== 'string')
    throw new GuesthouseError('invalid-input', m('guestHost.badMessage', { list: [m('guestHost.requestHead')] }));
  const { action } = head;
  if (!isGuestAction(action)) throw new GuesthouseError('invalid-input', m('guestHost.noAction', { action, list: guestActionNames.join(', ') }));
  const problems = guestActions[action].payload.problems(body(raw as Record<string, unknown>, ['type', 'id', 'action']), 'request');
  if (problems.length) throw new GuesthouseError('invalid-input', m('guestHost.badRequest', { action, list: problems }));
  return raw as GuestRequest;
}

/**
 * A reply as the parent receives it for a request for `action`: the reply's own fields, or
 * the error it carries thrown as it came. A reply that fits neither is refused with one sentence
 * (a bug: the guest host and the parent disagree on the protocol).
 */
export function parseGuestReply<A extends GuestAction>(action: A, raw: unknown): ReplyOf<A> {
  const head = raw as { type?: unknown; id?: unknown; error?: unknown } | null;
  if (typeof head !== 'object' || head === null || head.type !== 'reply' || !Number.isSafeInteger(head.id)) throw badReply(action, [m('guestHost.replyHead')]);
  if (head.error !== undefined) throw fromErrorData(head.error as ErrorData);
  const reply = body(raw as Record<string, unknown>, ['type', 'id', 'error']);
  const problems = guestActions[action].reply.problems(reply, 'reply');
  if (problems.length) throw badReply(action, problems);
  return reply as ReplyOf<A>;
}

function badReply(action: GuestAction, list: Sentence[]): GuesthouseError {
  return new GuesthouseError('internal', m('guestHost.badReply', { action, list }));
}
