import { ipcMain, MessageChannelMain, type BrowserWindow, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import type { IVmService } from '../../core/common/api';
import type { ServerMessage, Transport } from '../../core/common/rpc';
import { serveConnection } from '../../core/common/rpcServer';
import { vmRefSchema } from '../../core/common/apiSchemas';
import { CONSOLE_PORT_CHANNEL, DISPLAY_PORT_CHANNEL, isAppUrl, RPC_CHANNEL } from '../preload/channels';

/** Only our own page in our own window's main frame may speak to the service. */
function trusted(window: BrowserWindow, event: IpcMainEvent | IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return event.sender === window.webContents && frame !== null && frame === window.webContents.mainFrame && isAppUrl(frame.url);
}

/**
 * The one place that touches ipcMain: serves IVmService to the window's renderer with
 * the same RPC (and the same per-method validation) as the socket and the WebSocket.
 * `transferPort`, where the app owns the guests, gives the renderer a MessagePort straight
 * to a guest host (its console, or its screen's RFB); elsewhere the preload uses the RPC.
 */
export function serveIpc(
  window: BrowserWindow,
  service: IVmService,
  transferPort?: (ref: string, port: unknown, kind: 'console' | 'display') => boolean,
): void {
  const contents = window.webContents;
  let handlers: ((m: unknown) => void)[] = [];
  let closers: (() => void)[] = [];

  // Each page load is a new connection: a reload must not leave old subscriptions behind.
  const connect = () => {
    for (const c of closers) c();
    handlers = [];
    closers = [];
    const transport: Transport<unknown, ServerMessage> = {
      send: (m) => {
        if (!contents.isDestroyed()) contents.send(RPC_CHANNEL, m);
      },
      onMessage: (h) => handlers.push(h),
      onClose: (h) => closers.push(h),
      close: () => undefined,
    };
    serveConnection(service, transport);
  };
  connect();
  contents.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) connect();
  });
  contents.once('destroyed', () => {
    for (const c of closers) c();
    ipcMain.removeListener(RPC_CHANNEL, onRpc);
    ipcMain.removeHandler(CONSOLE_PORT_CHANNEL);
    ipcMain.removeHandler(DISPLAY_PORT_CHANNEL);
  });

  const onRpc = (event: IpcMainEvent, message: unknown) => {
    if (!trusted(window, event)) return;
    for (const h of handlers) h(message);
  };
  ipcMain.on(RPC_CHANNEL, onRpc);

  // A MessagePort straight to the guest host: console bytes, or the screen's RFB stream.
  const portHandler = (channel: string, kind: 'console' | 'display') => async (event: IpcMainInvokeEvent, ref: unknown, nonce: unknown) => {
    if (!trusted(window, event) || !transferPort) return false;
    const parsedRef = vmRefSchema.safeParse(ref);
    if (!parsedRef.success || typeof nonce !== 'string' || nonce.length > 64) return false;
    const { port1, port2 } = new MessageChannelMain();
    if (
      !(await Promise.resolve()
        .then(() => transferPort(parsedRef.data, port1, kind))
        .catch(() => false))
    ) {
      port1.close();
      port2.close();
      return false;
    }
    event.sender.postMessage(channel, { nonce }, [port2]);
    return true;
  };
  ipcMain.handle(CONSOLE_PORT_CHANNEL, portHandler(CONSOLE_PORT_CHANNEL, 'console'));
  ipcMain.handle(DISPLAY_PORT_CHANNEL, portHandler(DISPLAY_PORT_CHANNEL, 'display'));
}
