import { z } from 'zod';
import type { ConsoleAttachment, DisplayStream, Disposable, IVmService } from './api';
import { DISPLAY_WRITE_MAX_BYTES, serviceMethods, type ServiceMethod } from './api';
import { methodParams, vmRefSchema } from './apiSchemas';
import { describeIssues, parseOrThrow, said } from './config';
import { GuesthouseError, toErrorData } from './errors';
import type { ClientMessage, ServerMessage, Transport } from './rpc';
import { m } from './messages';

/** Every message a client may send; anything else is refused with a sentence. */
export const clientMessageSchema: z.ZodType<ClientMessage> = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('call'), id: z.number().int(), method: z.string(), params: z.array(z.unknown()) }),
    z.strictObject({ type: z.literal('attach'), id: z.number().int(), ref: z.string(), flowControl: z.boolean().optional() }),
    z.strictObject({ type: z.literal('display'), id: z.number().int(), ref: vmRefSchema, flowControl: z.boolean().optional() }),
    z.strictObject({
      type: z.literal('input'),
      id: z.number().int(),
      data: z
        .instanceof(Uint8Array, { error: said('request.displayBytes') })
        .refine((b) => b.length <= DISPLAY_WRITE_MAX_BYTES, { error: said('request.displayTooLong', { max: DISPLAY_WRITE_MAX_BYTES / 1024 }) }),
    }),
    z.strictObject({ type: z.literal('ack'), id: z.number().int(), bytes: z.number().int().min(0) }),
    z.strictObject({ type: z.literal('detach'), id: z.number().int() }),
    z.strictObject({ type: z.literal('subscribe') }),
  ],
  { error: said('request.kind', { list: 'call, attach, display, input, ack, detach, subscribe' }) },
);

/** Serves one connection: validates every message, then calls the service. */
export function serveConnection(service: IVmService, transport: Transport<unknown, ServerMessage>): void {
  const attachments = new Map<number, ConsoleAttachment | DisplayStream>();
  const displays = new Map<number, DisplayStream>();
  let gone = false;
  let subscriptions: Disposable[] | undefined;

  const fail = (id: number, err: unknown) => transport.send({ type: 'error', id, error: toErrorData(err) });

  transport.onMessage(async (raw) => {
    const parsed = clientMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : -1;
      // The transports hand on a line or frame that is not JSON as { malformed: true }.
      const notJson = (raw as { malformed?: unknown } | null)?.malformed === true;
      fail(id, new GuesthouseError('invalid-input', notJson ? m('request.notJson') : m('request.bad', { list: describeIssues(parsed.error) })));
      return;
    }
    const msg = parsed.data;
    try {
      switch (msg.type) {
        case 'call': {
          if (!(serviceMethods as readonly string[]).includes(msg.method)) {
            throw new GuesthouseError('invalid-input', m('request.noMethod', { method: msg.method }));
          }
          const method = msg.method as ServiceMethod;
          const params = parseOrThrow(methodParams[method], msg.params, 'request');
          const fn = service[method] as (...args: unknown[]) => Promise<unknown>;
          const result = await fn.apply(service, params as unknown[]);
          transport.send({ type: 'result', id: msg.id, result: result ?? null });
          break;
        }
        case 'attach': {
          const attachment = await service.attachConsole(msg.ref, (data) => transport.send({ type: 'console', id: msg.id, data }), {
            flowControl: msg.flowControl ?? false,
          });
          attachments.set(msg.id, attachment);
          transport.send({ type: 'result', id: msg.id, result: attachment.backlog });
          break;
        }
        case 'display': {
          const { id } = msg;
          let display: DisplayStream | undefined;
          let endedEarly = false;
          const ended = () => {
            if (!display) return void (endedEarly = true);
            if (attachments.get(id) !== display) return;
            attachments.delete(id);
            displays.delete(id);
            transport.send({ type: 'closed', id });
          };
          display = await service.openDisplay(msg.ref, (data) => transport.send({ type: 'display', id, data }), {
            flowControl: msg.flowControl ?? false,
            onClose: () => ended(),
          });
          // The client went while the screen was being opened: nobody will read it.
          if (gone) return void display.dispose();
          attachments.set(id, display);
          displays.set(id, display);
          transport.send({ type: 'result', id, result: null });
          if (endedEarly) ended();
          break;
        }
        case 'input':
          displays.get(msg.id)?.write(msg.data);
          break;
        case 'ack':
          attachments.get(msg.id)?.ack(msg.bytes);
          break;
        case 'detach':
          attachments.get(msg.id)?.dispose();
          attachments.delete(msg.id);
          displays.delete(msg.id);
          break;
        case 'subscribe':
          subscriptions ??= [
            service.onDidChangeState((event) => transport.send({ type: 'state', event })),
            service.onDidChangeVms(() => transport.send({ type: 'vms' })),
            service.onDidProgress((event) => transport.send({ type: 'progress', event })),
          ];
          break;
      }
    } catch (err) {
      if ('id' in msg) fail(msg.id, err);
    }
  });

  transport.onClose(() => {
    gone = true;
    for (const a of attachments.values()) a.dispose();
    attachments.clear();
    displays.clear();
    for (const s of subscriptions ?? []) s.dispose();
  });
}
