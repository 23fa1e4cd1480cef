import type { IVmService } from '../../core/common/api';
import { connectService, type ClientMessage, type ServerMessage, type Transport } from '../../core/common/rpc';
import { decodeJson, encodeJson } from '../../core/common/wire';

declare global {
  interface Window {
    /** Set by the Electron preload: the typed service over IPC. */
    guesthouse?: IVmService;
  }
}

function webSocketTransport(ws: WebSocket): Transport<ServerMessage, ClientMessage> {
  const queue: string[] = [];
  ws.addEventListener('open', () => {
    for (const m of queue.splice(0)) ws.send(m);
  });
  return {
    send: (m) => {
      const text = encodeJson(m);
      if (ws.readyState === WebSocket.OPEN) ws.send(text);
      else if (ws.readyState === WebSocket.CONNECTING) queue.push(text);
    },
    onMessage: (h) => ws.addEventListener('message', (e) => h(decodeJson(String(e.data)) as ServerMessage)),
    onClose: (h) => ws.addEventListener('close', () => h()),
    close: () => ws.close(),
  };
}

export interface Connection {
  service: IVmService;
  /** Resolves when the connection to the service is lost (browser only). */
  lost: Promise<void>;
}

/** The service: from the Electron preload, or over a WebSocket to `guesthouse serve`. */
export function connect(): Connection {
  if (window.guesthouse) return { service: window.guesthouse, lost: new Promise(() => undefined) };
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/rpc`);
  const lost = new Promise<void>((resolve) => ws.addEventListener('close', () => resolve()));
  return { service: connectService(webSocketTransport(ws)), lost };
}
