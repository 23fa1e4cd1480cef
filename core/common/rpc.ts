import type { AttachOptions, ConsoleAttachment, DisplayOptions, DisplayStream, Disposable, IVmService, ProgressEvent, StateChangeEvent } from './api';
import { DISPLAY_WRITE_MAX_BYTES, serviceMethods, type ServiceMethod } from './api';
import { fromErrorData, GuesthouseError, type ErrorData } from './errors';
import { m } from './messages';

/**
 * IVmService over any message channel (local socket, WebSocket, Electron IPC):
 * requests carry an id, subscriptions push events. Defined once, used by every
 * transport. This is the client side (no zod); rpcServer.ts validates and serves.
 */
export type ClientMessage =
  | { type: 'call'; id: number; method: string; params: unknown[] }
  | { type: 'attach'; id: number; ref: string; flowControl?: boolean }
  | { type: 'display'; id: number; ref: string; flowControl?: boolean }
  /** A viewer's RFB bytes for the display stream `id`. */
  | { type: 'input'; id: number; data: Uint8Array }
  /** Console or display stream `id`: the viewer has taken this many more bytes. */
  | { type: 'ack'; id: number; bytes: number }
  /** Console or display stream `id`: the viewer is done. */
  | { type: 'detach'; id: number }
  | { type: 'subscribe' };

export type ServerMessage =
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; error: ErrorData }
  | { type: 'state'; event: StateChangeEvent }
  | { type: 'vms' }
  | { type: 'progress'; event: ProgressEvent }
  | { type: 'console'; id: number; data: Uint8Array }
  | { type: 'display'; id: number; data: Uint8Array }
  /** The display stream `id` ended (the guest stopped, its screen went). */
  | { type: 'closed'; id: number };

export interface Transport<In, Out> {
  send(message: Out): void;
  onMessage(handler: (message: In) => void): void;
  onClose(handler: () => void): void;
  close(): void;
}

/** An IVmService that forwards every call over a transport. */
export function connectService(transport: Transport<ServerMessage, ClientMessage>): IVmService & { close(): void } {
  let nextId = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const consoleListeners = new Map<number, (data: Uint8Array) => void>();
  const displays = new Map<number, { onData(data: Uint8Array): void; onClose?: () => void }>();
  const stateListeners = new Set<(e: StateChangeEvent) => void>();
  const vmsListeners = new Set<() => void>();
  const progressListeners = new Set<(e: ProgressEvent) => void>();
  let subscribed = false;
  let closed = false;
  const subscribe = () => {
    if (!subscribed && !closed) transport.send({ type: 'subscribe' });
    subscribed = true;
  };

  transport.onMessage((msg) => {
    switch (msg.type) {
      case 'result':
      case 'error': {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.type === 'result') p?.resolve(msg.result);
        else p?.reject(fromErrorData(msg.error));
        break;
      }
      case 'state':
        for (const l of stateListeners) l(msg.event);
        break;
      case 'vms':
        for (const l of vmsListeners) l();
        break;
      case 'progress':
        for (const l of progressListeners) l(msg.event);
        break;
      case 'console':
        consoleListeners.get(msg.id)?.(msg.data);
        break;
      case 'display':
        displays.get(msg.id)?.onData(msg.data);
        break;
      case 'closed': {
        const display = displays.get(msg.id);
        displays.delete(msg.id);
        display?.onClose?.();
        break;
      }
      default: {
        // A service of an earlier build: its messages say `t` where ours say `type`, and it
        // answers each of our calls with an error we would not read. Say so, instead of waiting.
        const earlier = msg as unknown as { t?: unknown; id?: unknown };
        if (typeof earlier.t === 'string' && typeof earlier.id === 'number') {
          pending.get(earlier.id)?.reject(new GuesthouseError('service-unavailable', m('rpc.olderService')));
          pending.delete(earlier.id);
        }
      }
    }
  });
  transport.onClose(() => {
    closed = true;
    for (const p of pending.values()) p.reject(new GuesthouseError('service-unavailable', m('rpc.lost')));
    pending.clear();
    const lost = [...displays.values()];
    displays.clear();
    for (const d of lost) d.onClose?.();
  });

  const send = (msg: ClientMessage & { id: number }) =>
    new Promise<unknown>((resolve, reject) => {
      if (closed) return reject(new GuesthouseError('service-unavailable', m('rpc.closed')));
      pending.set(msg.id, { resolve, reject });
      transport.send(msg);
    });

  const call =
    (method: ServiceMethod) =>
    (...params: unknown[]) =>
      send({ type: 'call', id: nextId++, method, params: params.filter((p) => p !== undefined) });

  const client = Object.fromEntries(serviceMethods.map((m) => [m, call(m)])) as unknown as IVmService;
  return Object.assign(client, {
    async attachConsole(ref: string, onData: (data: Uint8Array) => void, options?: AttachOptions): Promise<ConsoleAttachment> {
      const id = nextId++;
      consoleListeners.set(id, onData);
      try {
        const backlog = (await send({ type: 'attach', id, ref, ...(options?.flowControl ? { flowControl: true } : {}) })) as Uint8Array;
        return {
          backlog,
          ack: (bytes: number) => {
            if (!closed) transport.send({ type: 'ack', id, bytes });
          },
          dispose: () => {
            consoleListeners.delete(id);
            if (!closed) transport.send({ type: 'detach', id });
          },
        };
      } catch (err) {
        consoleListeners.delete(id);
        throw err;
      }
    },
    async openDisplay(ref: string, onData: (data: Uint8Array) => void, options?: DisplayOptions): Promise<DisplayStream> {
      const id = nextId++;
      displays.set(id, { onData, ...(options?.onClose ? { onClose: options.onClose } : {}) });
      try {
        await send({ type: 'display', id, ref, ...(options?.flowControl ? { flowControl: true } : {}) });
      } catch (err) {
        displays.delete(id);
        throw err;
      }
      const live = () => !closed && displays.has(id);
      return {
        write: (data: Uint8Array) => {
          // One message carries at most DISPLAY_WRITE_MAX_BYTES (a viewer's events are far smaller).
          for (let at = 0; at < data.length && live(); at += DISPLAY_WRITE_MAX_BYTES) {
            transport.send({ type: 'input', id, data: data.subarray(at, at + DISPLAY_WRITE_MAX_BYTES) });
          }
        },
        ack: (bytes: number) => void (live() && transport.send({ type: 'ack', id, bytes })),
        dispose: () => {
          if (live()) transport.send({ type: 'detach', id });
          displays.delete(id);
        },
      };
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
    onDidProgress(listener: (e: ProgressEvent) => void): Disposable {
      subscribe();
      progressListeners.add(listener);
      return { dispose: () => progressListeners.delete(listener) };
    },
    close: () => transport.close(),
  });
}
