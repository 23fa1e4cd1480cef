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
