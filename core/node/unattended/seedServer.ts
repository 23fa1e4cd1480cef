// Serves an install's answer files to its guest for the length of the install: an HTTP server
// on the host's loopback, on a port of its own, answering GET of the files it was given and
// nothing else (404), and telling who asked what (the installer's progress, seen from outside).
// A guest on NAT reaches the host's loopback as its gateway, 10.0.2.2.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a NAT guest calls the host's loopback. */
export const NAT_HOST_ADDRESS = '10.0.2.2';

export interface SeedServer {
  port: number;
  /** The URL the guest fetches `file` at. */
  urlFor(file: string): string;
  /** Every path asked for, in order (files served or not). */
  readonly asked: readonly string[];
  close(): Promise<void>;
}

export async function serveSeed(files: Record<string, string>): Promise<SeedServer> {
  const asked: string[] = [];
  const server = http.createServer((req, res) => {
    const file = decodeURIComponent((req.url ?? '/').split('?')[0]!).replace(/^\/+/, '');
    asked.push(`/${file}`);
    const body = req.method === 'GET' ? files[file] : undefined;
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    urlFor: (file) => `http://${NAT_HOST_ADDRESS}:${port}/${file}`,
    asked,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
