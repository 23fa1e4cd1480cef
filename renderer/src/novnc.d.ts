/** The parts of noVNC 1.7's RFB client the Display tab uses (the package ships no types). */
declare module '@novnc/novnc' {
  /** What RFB takes instead of a URL: a WebSocket, an RTCDataChannel, or an object with the same surface. */
  export interface RawChannel {
    binaryType: string;
    readonly protocol: string;
    /** WebSocket's numbers or RTCDataChannel's words ('connecting', 'open', 'closing', 'closed'). */
    readonly readyState: number | string;
    send(data: ArrayBuffer | ArrayBufferView): void;
    close(): void;
    onopen: ((e: Event) => void) | null;
    onmessage: ((e: { data: ArrayBuffer }) => void) | null;
    onclose: ((e: { code?: number; reason?: string; wasClean?: boolean }) => void) | null;
    onerror: ((e: Event) => void) | null;
  }

  export interface RfbOptions {
    shared?: boolean;
    credentials?: { username?: string; password?: string; target?: string };
    repeaterID?: string;
    wsProtocols?: string[];
  }

  export interface RfbEventMap {
    connect: CustomEvent<Record<string, never>>;
    disconnect: CustomEvent<{ clean: boolean }>;
    securityfailure: CustomEvent<{ status: number; reason?: string }>;
    desktopname: CustomEvent<{ name: string }>;
    credentialsrequired: CustomEvent<{ types: string[] }>;
    bell: CustomEvent<Record<string, never>>;
  }

  export default class RFB extends EventTarget {
    constructor(target: HTMLElement, urlOrChannel: string | WebSocket | RawChannel, options?: RfbOptions);
    viewOnly: boolean;
    /** Take the keyboard when the screen is clicked (default true). */
    focusOnClick: boolean;
    clipViewport: boolean;
    dragViewport: boolean;
    /** Scale the remote screen to fit the element, keeping its aspect. */
    scaleViewport: boolean;
    resizeSession: boolean;
    showDotCursor: boolean;
    background: string;
    qualityLevel: number;
    compressionLevel: number;
    readonly capabilities: { power: boolean };
    disconnect(): void;
    sendCtrlAltDel(): void;
    /** keysym, code (KeyboardEvent.code), and press or release (both when omitted). */
    sendKey(keysym: number, code: string | null, down?: boolean): void;
    focus(options?: FocusOptions): void;
    blur(): void;
    getImageData(): ImageData;
    toBlob(callback: (blob: Blob | null) => void, type?: string, quality?: number): void;
    addEventListener<K extends keyof RfbEventMap>(type: K, listener: (e: RfbEventMap[K]) => void): void;
    removeEventListener<K extends keyof RfbEventMap>(type: K, listener: (e: RfbEventMap[K]) => void): void;
  }
}
