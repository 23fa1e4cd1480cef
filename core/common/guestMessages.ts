/**
 * The shapes of every other message between a parent and its guest host (requests and replies
 * are guestActions.ts's), checked where they arrive: the guest host checks what its parent
 * sends, the parent what its guest host sends. Zod-free (wireShape.ts), as the guest host loads it.
 * Each map has one entry per message type, and the compiler holds each entry to its type in
 * protocol.ts.
 */
import { acceleratorKinds, engineKinds } from './engines';
import { GuesthouseError, type ErrorCode } from './errors';
import { isSentenceData, m, type SentenceData } from './messages';
import type { BootSpec, FromGuestHost, PrivateLink, ToGuestHost } from './protocol';
import { vmStates } from './state';
import { guestInfoShape } from './guestAgent';
import type { VmConfig } from './config';
import { bool, bytes, check, int, nullable, number, object, oneOf, optional, text, type Shape } from './wireShape';

/** The config was checked against its schema when the service read it from vm.json; here it is only an object. */
const config = check((v): v is VmConfig => typeof v === 'object' && v !== null && !Array.isArray(v), 'an object');
const path = text({ min: 1 });
const udpPort = (v: unknown) => Number.isInteger(v) && (v as number) > 0 && (v as number) < 65536;
/** Each card's ports on a private network, by card id. */
const privateLinks = check(
  (v): v is Record<string, PrivateLink> =>
    typeof v === 'object' &&
    v !== null &&
    Object.values(v).every(
      (l: unknown) => typeof l === 'object' && l !== null && udpPort((l as PrivateLink).localPort) && udpPort((l as PrivateLink).switchPort),
    ),
  'the UDP ports of each card on a private network',
);

const bootSpec: Shape<BootSpec> = object({
  config,
  vmDir: path,
  runtimeDir: path,
  engine: oneOf(engineKinds),
  qemu: optional(
    object({
      binary: path,
      accelerator: oneOf(acceleratorKinds),
      uefi: optional(object({ code: path, vars: path })),
      privateLinks: optional(privateLinks),
      noGuestAgent: optional(bool),
    }),
  ),
  v86: optional(object({ bios: path, vgaBios: nullable(path), wasm: path })),
  stateFile: path,
  restoreState: bool,
  // Only its type: a size the ring buffer refuses is a bug the guest host reports as one (test/integration/cliFaults.test.ts).
  ringBytes: int(),
  silenceMs: optional(number),
  loadSnapshot: optional(object({ tag: text({ min: 1 }), vmstateFile: path })),
});

const sentence = check((v): v is SentenceData => isSentenceData(v), 'a sentence');
const state = oneOf(vmStates);
const runtime = { enginePid: optional(int({ min: 1 })), accelerator: nullable(oneOf(acceleratorKinds)), displaySocket: optional(path) };

/** Each message's fields besides its type, held to protocol.ts's type by the compiler. */
type ShapesOf<M extends { type: string }, Skip extends string> = { [T in Exclude<M['type'], Skip>]: Shape<Omit<Extract<M, { type: T }>, 'type'>> };

/** Parent → guest host, but requests. */
const parentMessages: ShapesOf<ToGuestHost, 'request'> = {
  boot: object({ spec: bootSpec }),
  input: object({ data: bytes }),
  flow: object({ paused: bool }),
  attachPort: object({}),
  attachDisplayPort: object({}),
  hello: object({}),
};

/** Guest host → parent, but replies. */
const guestHostMessages: ShapesOf<FromGuestHost, 'reply'> = {
  state: object({ state, reason: optional(sentence) }),
  output: object({ data: bytes }),
  progress: object({ id: int(), status: text(), done: optional(int()), total: optional(int()) }),
  guestInfo: object({ info: guestInfoShape }),
  runtime: object(runtime),
  firstOutput: object({ at: number }),
  silent: object({ seconds: number }),
  logPaused: object({ log: oneOf(['console', 'engine']), pause: oneOf(['full', 'failed', null]) }),
  hello: object({
    pid: int({ min: 1 }),
    spec: nullable(bootSpec),
    state,
    reason: optional(sentence),
    runtime: optional(object(runtime)),
    firstOutputAt: optional(number),
  }),
};

function parse<M>(shapes: Record<string, Shape<unknown>>, raw: unknown, code: ErrorCode): M {
  const type = (raw as { type?: unknown } | null)?.type;
  const known = typeof type === 'string' && Object.hasOwn(shapes, type);
  const { type: _, ...fields } = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const problems = known
    ? shapes[type]!.problems(fields, 'message')
    : [m('guestHost.messageType', { type: String(type), list: Object.keys(shapes).join(', ') })];
  if (problems.length) throw new GuesthouseError(code, m('guestHost.badMessage', { list: problems }));
  return raw as M;
}

/** A message from the parent (not a request: guestActions.ts checks those); a sentence if it does not fit. */
export const parseParentMessage = (raw: unknown): Exclude<ToGuestHost, { type: 'request' }> => parse(parentMessages, raw, 'invalid-input');

/** A message from a guest host (not a reply: the request it answers checks it); a sentence if it does not fit (a bug). */
export const parseGuestHostMessage = (raw: unknown): Exclude<FromGuestHost, { type: 'reply' }> => parse(guestHostMessages, raw, 'internal');
