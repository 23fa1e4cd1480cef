import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { DisplayStream, IVmService } from '../../core/common/api';
import type { ServerMessage, Transport } from '../../core/common/rpc';
import { serveConnection } from '../../core/common/rpcServer';
import { decodeJson, encodeJson } from '../../core/common/wire';
import { m } from '../../core/common/messages';
import { GuesthouseError } from '../../core/common/errors';
import { staticFile } from './staticFiles';

export interface WebServerOptions {
  service: IVmService;
  /** Folder of the built renderer (index.html and assets). */
  rendererDir: string;
  host?: string;
  port?: number;
  token?: string;
}

export interface WebServer {
  url: string;
  token: string;
  /**
   * Closes every browser's /rpc connection (code 1012, service restart), as when the service
   * they were subscribed to went away: the page connects again.
   */
  closeRpcClients(): void;
  close(): Promise<void>;
}

const COOKIE = 'guesthouse_token';
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** The same policy the Electron window gets: our own scripts only, no framing. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:", // blob: the screen preview
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function tokenFrom(req: http.IncomingMessage, url: URL): string | undefined {
  const fromQuery = url.searchParams.get('token');
  if (fromQuery) return fromQuery;
  const cookie = req.headers.cookie ?? '';
  return /(?:^|;\s*)guesthouse_token=([A-Za-z0-9_-]+)/.exec(cookie)?.[1];
}

function sameToken(a: string | undefined, b: string): boolean {
  if (!a || a.length !== b.length) return false;
  return crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

function wsTransport(ws: WebSocket): Transport<unknown, ServerMessage> {
  return {
    send: (m) => {
      if (ws.readyState === ws.OPEN) ws.send(encodeJson(m));
    },
    onMessage: (h) =>
      ws.on('message', (data, isBinary) => {
        if (isBinary) return h({ malformed: true });
        try {
          h(decodeJson(data.toString()));
        } catch {
          h({ malformed: true });
        }
      }),
    onClose: (h) => ws.once('close', h),
    close: () => ws.close(),
  };
}

/** The address's path with its escapes decoded, or null where an escape is malformed (`/%E0%A4%A`, `/%`). */
function decodePath(pathname: string): string | null {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return null;
  }
}

/** The request's address, or null where it cannot be parsed. */
function requestUrl(req: http.IncomingMessage): URL | null {
  try {
    return new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return null;
  }
}

function refuse(socket: Duplex, status: string, sentence?: string): void {
  const body = sentence ? `${sentence}\n` : '';
  const type = body ? 'Content-Type: text/plain; charset=utf-8\r\n' : '';
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n${type}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

/**
 * Joins a browser's WebSocket to a guest's screen (IVmService.openDisplay): binary frames both
 * ways; the service reads the screen no further while the browser is behind (each frame is
 * acknowledged once sent), and each end is closed when the other ends.
 */
function pipeDisplay(ws: WebSocket, display: DisplayStream, sink: { toBrowser(data: Uint8Array): void; closed(): void }): void {
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    display.dispose();
    if (ws.readyState === ws.OPEN) ws.close(1000);
    else if (ws.readyState !== ws.CLOSED) ws.terminate();
  };
  sink.toBrowser = (data) => {
    if (ws.readyState === ws.OPEN) ws.send(data, { binary: true }, () => display.ack(data.length));
  };
  sink.closed = end;
  ws.on('message', (data: Buffer, isBinary) => {
    // RFB is a byte stream: a text frame is not from our viewer.
    if (!isBinary) return void ws.close(1003, m('web.binaryOnly').message);
    display.write(new Uint8Array(data.buffer, data.byteOffset, data.length));
  });
  ws.once('close', end);
  ws.on('error', end);
}

/**
 * Serves the built GUI and IVmService (over a WebSocket at /rpc) to a browser.
 * Loopback by default; every request needs the token, which the first visit turns
 * into an HttpOnly cookie so the URL need not carry it afterwards.
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const token = options.token ?? crypto.randomBytes(24).toString('base64url');
  const host = options.host ?? '127.0.0.1';
  const root = path.resolve(options.rendererDir);
  if (!fs.existsSync(path.join(root, 'index.html'))) throw new GuesthouseError('invalid-state', m('web.notBuilt', { file: path.join(root, 'index.html') }));

  const server = http.createServer((req, res) => {
    const headers = {
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    };
    const url = requestUrl(req);
    if (!url) {
      res.writeHead(400, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end(`${m('web.badAddress')}\n`);
      return;
    }
    const given = tokenFrom(req, url);
    if (!sameToken(given, token)) {
      res.writeHead(401, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`${m('web.needsToken')}\n`);
      return;
    }
    if (url.searchParams.has('token')) {
      // Trade the token in the address for a cookie, and drop it from the address bar.
      res.writeHead(303, { ...headers, 'Set-Cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`, Location: '/' });
      res.end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, headers).end();
      return;
    }
    const found = staticFile(root, url.pathname);
    if ('error' in found) {
      const [status, key] = found.error === 'badEscape' ? ([400, 'web.badEscape'] as const) : ([404, 'web.notFound'] as const);
      res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end(`${m(key)}\n`);
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': found.type });
    fs.createReadStream(found.file).pipe(res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const rpcClients = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => undefined);
    const url = requestUrl(req);
    if (!url) return void refuse(socket, '400 Bad Request');
    const origin = req.headers.origin;
    // A page from another site may not drive this host, even in the same browser.
    const originOk = !origin || origin === `http://${req.headers.host}`;
    const display = /^\/display\/([^/]+)$/.exec(url.pathname);
    if ((url.pathname !== '/rpc' && !display) || !sameToken(tokenFrom(req, url), token) || !originOk) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    if (display) {
      const ref = decodePath(display[1]!);
      return void (ref === null ? refuse(socket, '400 Bad Request') : upgradeDisplay(req, socket, head, ref));
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      rpcClients.add(ws);
      ws.once('close', () => rpcClients.delete(ws));
      serveConnection(options.service, wsTransport(ws));
    });
  });

  /** /display/<vm>: the guest's screen from the service (openDisplay), once it has been opened. */
  async function upgradeDisplay(req: http.IncomingMessage, socket: Duplex, head: Buffer, ref: string): Promise<void> {
    // Until the browser's WebSocket is up, the screen's first bytes (RFB's greeting) wait here.
    const early: Uint8Array[] = [];
    let endedEarly = false;
    const sink = { toBrowser: (data: Uint8Array) => void early.push(data), closed: () => void (endedEarly = true) };
    let display: DisplayStream | undefined;
    // The browser may go while we look: nothing is left waiting for it then.
    const gone = () => display?.dispose();
    socket.on('error', gone);
    socket.once('close', gone);
    try {
      display = await options.service.openDisplay(ref, (data) => sink.toBrowser(data), { flowControl: true, onClose: () => sink.closed() });
    } catch (err) {
      socket.off('close', gone);
      // The service's sentence ("x is not running", "x has no screen") goes with the refusal.
      const unavailable = err instanceof GuesthouseError && err.code === 'service-unavailable';
      return refuse(socket, unavailable ? '502 Bad Gateway' : '404 Not Found', err instanceof Error ? err.message : undefined);
    }
    socket.off('error', gone);
    socket.off('close', gone);
    if (socket.destroyed) return void display.dispose();
    const opened = display;
    // An upgrade the WebSocket server refuses (a bad handshake) never calls back: the screen goes with the socket.
    let upgraded = false;
    socket.once('close', () => upgraded || opened.dispose());
    wss.handleUpgrade(req, socket, head, (ws) => {
      upgraded = true;
      pipeDisplay(ws, opened, sink);
      for (const data of early.splice(0)) sink.toBrowser(data);
      if (endedEarly) sink.closed();
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 7380, host, () => resolve());
  });
  const address = server.address() as { port: number };
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${address.port}/?token=${token}`,
    token,
    closeRpcClients: () => {
      for (const ws of rpcClients) ws.close(1012, m('web.serviceRestarted').message);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
