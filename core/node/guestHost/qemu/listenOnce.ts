import fs from 'node:fs';
import net from 'node:net';

/** Listens on a private unix socket and resolves with the first connection. */
export function listenOnce(socketPath: string): { server: net.Server; connection: Promise<net.Socket> } {
  fs.rmSync(socketPath, { force: true });
  const server = net.createServer();
  const connection = new Promise<net.Socket>((resolve, reject) => {
    server.once('connection', (socket) => {
      server.close();
      resolve(socket);
    });
    server.once('error', reject);
  });
  server.listen(socketPath);
  return { server, connection };
}
