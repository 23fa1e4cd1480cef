/** The IPC channel names, defined once for main and preload. */
export const RPC_CHANNEL = 'guesthouse:rpc';
/** Renderer asks main for a console MessagePort straight to a guest host. */
export const CONSOLE_PORT_CHANNEL = 'guesthouse:console-port';
/**
 * Renderer asks main for a display MessagePort that carries the guest's RFB stream:
 * `invoke(DISPLAY_PORT_CHANNEL, ref, nonce)` answers whether a port follows, and the
 * port arrives as a `DISPLAY_PORT_CHANNEL` message with `{ nonce }`.
 */
export const DISPLAY_PORT_CHANNEL = 'guesthouse:display-port';

/** Viewer → guest host on a display port: RFB bytes, or the viewer is done. */
export type FromDisplayPort = { type: 'data'; data: Uint8Array } | { type: 'close' };
/** Guest host → viewer on a display port: RFB bytes, or the RFB connection ended. */
export type ToDisplayPort = { type: 'data'; data: Uint8Array } | { type: 'closed' };

/**
 * A display connection as the preload hands it to the page (renderer/src/client.ts spells
 * the same shape: the renderer imports nothing from main). Only functions: what crosses
 * the context bridge is copied, so the page wraps this into the WebSocket-like object
 * noVNC takes (properties it sets on a copy would never reach the preload).
 */
export interface DisplayChannel {
  send(data: Uint8Array): void;
  close(): void;
  /** One handler each; the latest set wins. */
  onMessage(handler: (data: Uint8Array) => void): void;
  onClose(handler: () => void): void;
}
/** The origin the app's pages are served from (a privileged custom scheme, not file://). */
export const APP_ORIGIN = 'app://guesthouse';

/**
 * Whether a URL is one of the app's own pages. Compares scheme and host: Node's URL
 * gives a custom scheme the origin "null", so `.origin` cannot be compared.
 */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'app:' && u.host === 'guesthouse';
  } catch {
    return false;
  }
}
