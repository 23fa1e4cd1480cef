import { z } from 'zod';
import type { AttachOptions, ConsoleAttachment, Disposable, IVmService, StateChangeEvent } from './api';
import { methodParams, serviceMethods, type ServiceMethod } from './api';
import { describeIssues, parseOrThrow } from './config';
import { fromErrorData, GuesthouseError, toErrorData, type ErrorData } from './errors';

/**
 * IVmService over any message channel (local socket, WebSocket, Electron IPC):
 * requests carry an id, subscriptions push events. Defined once, used by every transport.
 */
export const clientMessageSchema = z.discriminatedUnion('t', [
  z.strictObject({ t: z.literal('call'), id: z.number().int(), method: z.string(), params: z.array(z.unknown()) }),
  z.strictObject({ t: z.literal('attach'), id: z.number().int(), ref: z.string(), flowControl: z.boolean().optional() }),
  z.strictObject({ t: z.literal('ack'), id: z.number().int(), bytes: z.number().int().min(0) }),
  z.strictObject({ t: z.literal('detach'), id: z.number().int() }),
  z.strictObject({ t: z.literal('subscribe') }),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

export type ServerMessage =
  | { t: 'result'; id: number; result: unknown }
  | { t: 'error'; id: number; error: ErrorData }
  | { t: 'state'; event: StateChangeEvent }
  | { t: 'vms' }
  | { t: 'console'; id: number; data: Uint8Array };

export interface Transport<In, Out> {
  send(message: Out): void;
  onMessage(handler: (message: In) => void): void;
  onClose(handler: () => void): void;
  close(): void;
}

/** Serves one connection: validates every message, then calls the service. */
export function serveConnection(service: IVmService, transport: Transport<unknown, ServerMessage>): void {
  const attachments = new Map<number, ConsoleAttachment>();
  let subscriptions: Disposable[] | undefined;

  const fail = (id: number, err: unknown) => transport.send({ t: 'error', id, error: toErrorData(err) });

  transport.onMessage(async (raw) => {
    const parsed = clientMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : -1;
      fail(id, new GuesthouseError('invalid-input', `Bad request: ${describeIssues(parsed.error).join(' ')}`));
      return;
    }
    const msg = parsed.data;
    try {
      switch (msg.t) {
        case 'call': {
          if (!(serviceMethods as readonly string[]).includes(msg.method)) {
            throw new GuesthouseError('invalid-input', `There is no method called ${msg.method}.`);
          }
          const method = msg.method as ServiceMethod;
          const params = parseOrThrow(methodParams[method], msg.params, 'request');
          const fn = service[method] as (...args: unknown[]) => Promise<unknown>;
          const result = await fn.apply(service, params as unknown[]);
          transport.send({ t: 'result', id: msg.id, result: result ?? null });
          break;
        }
        case 'attach': {
          const attachment = await service.attachConsole(msg.ref, (data) => transport.send({ t: 'console', id: msg.id, data }), {
            flowControl: msg.flowControl ?? false,
          });
          attachments.set(msg.id, attachment);
          transport.send({ t: 'result', id: msg.id, result: attachment.backlog });
          break;
        }
        case 'ack':
          attachments.get(msg.id)?.ack(msg.bytes);
          break;
        case 'detach':
          attachments.get(msg.id)?.dispose();
          attachments.delete(msg.id);
          break;
        case 'subscribe':
          subscriptions ??= [
            service.onDidChangeState((event) => transport.send({ t: 'state', event })),
            service.onDidChangeVms(() => transport.send({ t: 'vms' })),
          ];
          break;
      }
    } catch (err) {
      if ('id' in msg) fail(msg.id, err);
    }
  });

  transport.onClose(() => {
    for (const a of attachments.values()) a.dispose();
    attachments.clear();
    for (const s of subscriptions ?? []) s.dispose();
  });
}

/** An IVmService that forwards every call over a transport. */
export function connectService(transport: Transport<ServerMessage, ClientMessage>): IVmService & { close(): void } {
  let nextId = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const consoleListeners = new Map<number, (data: Uint8Array) => void>();
  const stateListeners = new Set<(e: StateChangeEvent) => void>();
  const vmsListeners = new Set<() => void>();
  let subscribed = false;
  let closed = false;
  const subscribe = () => {
    if (!subscribed && !closed) transport.send({ t: 'subscribe' });
    subscribed = true;
  };

  transport.onMessage((msg) => {
    switch (msg.t) {
      case 'result':
      case 'error': {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.t === 'result') p?.resolve(msg.result);
        else p?.reject(fromErrorData(msg.error));
        break;
      }
      case 'state':
        for (const l of stateListeners) l(msg.event);
        break;
      case 'vms':
        for (const l of vmsListeners) l();
        break;
      case 'console':
        consoleListeners.get(msg.id)?.(msg.data);
        break;
    }
  });
  transport.onClose(() => {
    closed = true;
    for (const p of pending.values()) p.reject(new GuesthouseError('service-unavailable', 'The connection to the Guesthouse service was lost.'));
    pending.clear();
  });

  const send = (msg: ClientMessage & { id: number }) =>
    new Promise<unknown>((resolve, reject) => {
      if (closed) return reject(new GuesthouseError('service-unavailable', 'The connection to the Guesthouse service is closed.'));
      pending.set(msg.id, { resolve, reject });
      transport.send(msg);
    });

  const call = (method: ServiceMethod) => (...params: unknown[]) => send({ t: 'call', id: nextId++, method, params: params.filter((p) => p !== undefined) });

  const client = Object.fromEntries(serviceMethods.map((m) => [m, call(m)])) as unknown as IVmService;
  return Object.assign(client, {
    async attachConsole(ref: string, onData: (data: Uint8Array) => void, options?: AttachOptions): Promise<ConsoleAttachment> {
      const id = nextId++;
      consoleListeners.set(id, onData);
      try {
        const backlog = (await send({ t: 'attach', id, ref, ...(options?.flowControl ? { flowControl: true } : {}) })) as Uint8Array;
        return {
          backlog,
          ack: (bytes: number) => {
            if (!closed) transport.send({ t: 'ack', id, bytes });
          },
          dispose: () => {
            consoleListeners.delete(id);
            if (!closed) transport.send({ t: 'detach', id });
          },
        };
      } catch (err) {
        consoleListeners.delete(id);
        throw err;
      }
    },
    onDidChangeState(listener: (e: StateChangeEvent) => void): Disposable {
      subscribe();
      stateListeners.add(listener);
      return { dispose: () => stateListeners.delete(listener) };
    },
    onDidChangeVms(listener: () => void): Disposable {
      subscribe();
      vmsListeners.add(listener);
      return { dispose: () => vmsListeners.delete(listener) };
    },
    close: () => transport.close(),
  });
}
