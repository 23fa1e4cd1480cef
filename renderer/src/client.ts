import type { RawChannel } from '@novnc/novnc';
import type { DisplayStream, IVmService } from '../../core/common/api';
import { connectService, type ClientMessage, type ServerMessage, type Transport } from '../../core/common/rpc';
import { decodeJson, encodeJson } from '../../core/common/wire';

declare global {
  interface Window {
    /** Set by the Electron preload: the typed service over IPC (console and screen over MessagePorts where it can). */
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
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/rpc`;
  const ws = new WebSocket(url);
  const lost = new Promise<void>((resolve) => ws.addEventListener('close', () => resolve()));
  // The page's subscriptions went with the connection: once serve answers again (it reaches
  // a restarted service by itself), the page loads afresh.
  void lost.then(() => reloadWhenBack(url));
  return { service: connectService(webSocketTransport(ws)), lost };
}

/** Tries /rpc every 2 s and reloads the page once it opens. */
function reloadWhenBack(url: string): void {
  setTimeout(() => {
    const probe = new WebSocket(url);
    let opened = false;
    probe.addEventListener('open', () => {
      opened = true;
      probe.close();
      location.reload();
    });
    probe.addEventListener('close', () => opened || reloadWhenBack(url));
  }, 2000);
}

/**
 * The WebSocket-like object noVNC's RFB takes, over the service's openDisplay (the preload's).
 * noVNC checks for these properties by name (own fields or accessors of the class).
 */
class ChannelSocket implements RawChannel {
  binaryType = 'arraybuffer';
  protocol = '';
  readyState: 'open' | 'closed' = 'open';
  onopen: RawChannel['onopen'] = null;
  onclose: RawChannel['onclose'] = null;
  onerror: RawChannel['onerror'] = null;
  private handler: RawChannel['onmessage'] = null;
  /** What the guest host said before noVNC listened (its RFB greeting comes at once). */
  private early: ArrayBuffer[] = [];

  private stream: DisplayStream | undefined;

  static async open(service: IVmService, vmId: string): Promise<ChannelSocket> {
    const socket = new ChannelSocket();
    socket.stream = await service.openDisplay(vmId, (data) => socket.received(data), { flowControl: true, onClose: () => socket.closed() });
    return socket;
  }

  private received(data: Uint8Array): void {
    const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
    const buffer = (whole ? data.buffer : data.slice().buffer) as ArrayBuffer;
    if (this.handler && !this.early.length) this.handler({ data: buffer });
    else this.early.push(buffer);
    // noVNC takes each message whole as it comes: taken from the service's stream.
    this.stream?.ack(data.byteLength);
  }

  get onmessage(): RawChannel['onmessage'] {
    return this.handler;
  }

  set onmessage(h: RawChannel['onmessage']) {
    this.handler = h;
    // Delivered once noVNC has finished attaching; what comes meanwhile queues behind.
    if (h && this.early.length) setTimeout(() => this.early.splice(0).forEach((data) => this.handler?.({ data })));
  }

  send(data: ArrayBuffer | ArrayBufferView): void {
    if (this.readyState !== 'open') return;
    // noVNC reuses its send buffer: copy what is handed over.
    this.stream?.write(
      data instanceof ArrayBuffer ? new Uint8Array(data.slice(0)) : new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)),
    );
  }

  close(): void {
    this.stream?.dispose();
    this.closed();
  }

  private closed(): void {
    if (this.readyState === 'closed') return;
    this.readyState = 'closed';
    // As a WebSocket does: the close event comes after the call that caused it.
    setTimeout(() => this.onclose?.({ code: 1000, reason: '', wasClean: true }));
  }
}

/** What noVNC connects to for a VM's screen: the preload's MessagePort in Electron, else /display/<id> on this server. */
export async function displayTarget(vmId: string): Promise<string | RawChannel> {
  if (window.guesthouse) return ChannelSocket.open(window.guesthouse, vmId);
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/display/${encodeURIComponent(vmId)}`;
}
