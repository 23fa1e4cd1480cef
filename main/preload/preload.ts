/**
 * The sandboxed preload: exposes the typed IVmService as window.guesthouse and nothing
 * else. Bundled into one CommonJS file (a sandboxed preload cannot require our modules).
 */
import { contextBridge, ipcRenderer } from 'electron';
import { serviceMethods, type AttachOptions, type ConsoleAttachment, type DisplayOptions, type DisplayStream, type IVmService } from '../../core/common/api';
import { toErrorData } from '../../core/common/errors';
import type { FromConsolePort, ToConsolePort } from '../../core/common/protocol';
import { connectService, type ClientMessage, type ServerMessage } from '../../core/common/rpc';
import { CONSOLE_PORT_CHANNEL, DISPLAY_PORT_CHANNEL, RPC_CHANNEL, type FromDisplayPort, type ToDisplayPort } from './channels';

const service = connectService({
  send: (m: ClientMessage) => ipcRenderer.send(RPC_CHANNEL, m),
  onMessage: (h: (m: ServerMessage) => void) => ipcRenderer.on(RPC_CHANNEL, (_e, m: ServerMessage) => h(m)),
  onClose: () => undefined,
  close: () => undefined,
});

const portWaiters = new Map<string, (port: MessagePort) => void>();
const takePort = (event: Electron.IpcRendererEvent, data: { nonce: string }) => {
  const port = event.ports[0];
  if (port) portWaiters.get(data.nonce)?.(port);
  portWaiters.delete(data.nonce);
};
ipcRenderer.on(CONSOLE_PORT_CHANNEL, takePort);
ipcRenderer.on(DISPLAY_PORT_CHANNEL, takePort);

/** Console bytes straight from the guest host over a MessagePort; RPC where the app does not own the guest. */
async function attachConsole(ref: string, onData: (data: Uint8Array) => void, options?: AttachOptions): Promise<ConsoleAttachment> {
  const nonce = crypto.randomUUID();
  const portArrives = new Promise<MessagePort>((resolve) => portWaiters.set(nonce, resolve));
  const direct = (await ipcRenderer.invoke(CONSOLE_PORT_CHANNEL, ref, nonce)) as boolean;
  if (!direct) {
    portWaiters.delete(nonce);
    return service.attachConsole(ref, onData, options);
  }
  const port = await portArrives;
  const send = (m: FromConsolePort) => port.postMessage(m);
  const backlog = await new Promise<Uint8Array>((resolve) => {
    port.onmessage = (e: MessageEvent<ToConsolePort>) => {
      const m = e.data;
      if (m.type === 'backlog') resolve(m.data);
      else if (m.type === 'data') {
        onData(m.data);
        // Without flow control the viewer is taken to keep up: acknowledge at once.
        if (!options?.flowControl) send({ type: 'ack', bytes: m.data.length });
      } else if (m.type === 'closed') port.close();
    };
    port.start();
  });
  return { backlog, ack: (bytes) => send({ type: 'ack', bytes }), dispose: () => port.close() };
}

/** The guest's screen (RFB bytes): a MessagePort straight to the guest host where the app runs the guest, else the RPC. */
async function openDisplay(ref: string, onData: (data: Uint8Array) => void, options?: DisplayOptions): Promise<DisplayStream> {
  const nonce = crypto.randomUUID();
  const portArrives = new Promise<MessagePort>((resolve) => portWaiters.set(nonce, resolve));
  const direct = (await ipcRenderer.invoke(DISPLAY_PORT_CHANNEL, ref, nonce)) as boolean;
  if (!direct) {
    portWaiters.delete(nonce);
    // A headless service's guest, or a refusal: the service says which, in its sentence.
    return service.openDisplay(ref, onData, options).catch((err: unknown) => Promise.reject(toErrorData(err)));
  }
  const port = await portArrives;
  let closed = false;
  const finish = (tell: boolean) => {
    if (closed) return;
    closed = true;
    port.close();
    if (tell) options?.onClose?.();
  };
  port.onmessage = (e: MessageEvent<ToDisplayPort>) => {
    if (e.data.type === 'data') onData(e.data.data);
    else finish(true);
  };
  port.start();
  const post = (m: FromDisplayPort) => port.postMessage(m);
  return {
    write: (data) => void (closed || post({ type: 'data', data })),
    // The port is the guest host's own stream: nothing here holds the screen back.
    ack: () => undefined,
    dispose: () => {
      if (!closed) post({ type: 'close' });
      finish(false);
    },
  };
}

/** What the page sees as window.guesthouse: the service (console and screen over MessagePorts where the app runs the guest). */
export type PreloadApi = IVmService;

/**
 * The context bridge copies only an Error's message into the page, so a refusal would lose its
 * key, parameters, form field and bug flag (and the GUI would show English, on no field). The
 * page gets the error's plain data instead, which the bridge copies whole (toUiError reads it).
 */
const plainErrors = Object.fromEntries(
  serviceMethods.map((name) => [
    name,
    (...args: unknown[]) => (service[name] as (...a: unknown[]) => Promise<unknown>)(...args).catch((err: unknown) => Promise.reject(toErrorData(err))),
  ]),
) as unknown as Pick<IVmService, (typeof serviceMethods)[number]>;

const api: PreloadApi = { ...service, ...plainErrors, attachConsole, openDisplay };
contextBridge.exposeInMainWorld('guesthouse', api);
