// `guesthouse serve` (the GUI in a browser) and `guesthouse service status|stop` (the
// background service): the commands that manage a connection of their own.
import fs from 'node:fs';
import path from 'node:path';
import { GuesthouseError } from '../../core/common/errors';
import { m } from '../../core/common/messages';
import { runtimeDir } from '../../core/node/shared/paths';
import { processAlive } from '../../core/node/shared/processAlive';
import { connectToService, reconnectingClient } from '../../core/node/transport/serviceClient';
import { UsageError } from './args';
import { SERVICE_ENTRY, type Command } from './command';
import { out } from './print';

export const serviceCommands: Command[] = [
  {
    name: 'serve',
    usage: [['serve [--port N] [--host ADDR]', 'the GUI in a browser (loopback by default, with an access token)']],
    options: { port: { type: 'string' }, host: { type: 'string' } },
    positionals: 0,
    service: false,
    prepare: ({ values: v, home }) => {
      const port = v.port === undefined ? 7380 : Number(v.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(m('cli.notPort', { text: String(v.port) }));
      const host = typeof v.host === 'string' ? v.host : '127.0.0.1';
      return () => serve(home, host, port);
    },
  },
  {
    name: 'service',
    usage: [['service status|stop', 'the background service for this library']],
    options: {},
    positionals: 1,
    service: false,
    raw: true,
    prepare: ({ args, home }) => {
      const sub = args[0];
      // Before connecting: an open connection would keep this process alive after the hint.
      if ((sub !== 'status' && sub !== 'stop') || args.length > 1) throw new UsageError(m('cli.serviceWhat'));
      return () => (sub === 'status' ? serviceStatus(home) : serviceStop(home));
    },
  },
];

/** Serves the GUI to a browser until Ctrl-C; the guests stay with the service. */
async function serve(home: string, host: string, port: number): Promise<number> {
  let web: Awaited<ReturnType<typeof import('../server/web.js').startWebServer>> | undefined;
  // When the service goes (stopped, restarted), the browsers' subscriptions and consoles went
  // with it: their pages connect again, and the next call starts a service if none runs.
  const client = reconnectingClient(home, SERVICE_ENTRY, (await connectToService(home, SERVICE_ENTRY))!, () => web?.closeRpcClients());
  try {
    // Loaded here: only serve needs the web server (and its validation code).
    const { startWebServer } = await import('../server/web.js');
    web = await startWebServer({ service: client, rendererDir: path.join(__dirname, '..', '..', 'renderer'), host, port });
  } catch (err) {
    client.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new GuesthouseError('invalid-input', m('cli.portInUse', { port }));
    if (code === 'EADDRNOTAVAIL') throw new GuesthouseError('invalid-input', m('cli.noAddress', { host }));
    throw err;
  }
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) process.stderr.write(`${m('cli.openToOthers', { host })}\n`);
  out(m('cli.serving', { home, url: web.url }));
  out(m('cli.stopServing'));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await web.close();
  client.close();
  return 0;
}

async function serviceStatus(home: string): Promise<number> {
  const client = await connectToService(home, false);
  out(m(client ? 'cli.serviceRunning' : 'cli.noService', { home }));
  client?.close();
  return 0;
}

async function serviceStop(home: string): Promise<number> {
  const client = await connectToService(home, false);
  if (!client) return (out(m('cli.noService', { home })), 0);
  client.close();
  const pid = Number(fs.readFileSync(path.join(runtimeDir(home), 'service.pid'), 'utf8'));
  process.kill(pid, 'SIGTERM');
  // Wait until it is gone, so a command right after this finds no old service.
  const deadline = Date.now() + 60_000;
  while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  out(m('cli.serviceStopped'));
  return 0;
}
