/**
 * `guesthouse os list | download ID | cancel ID`: the OS catalogue's images and their
 * downloads into the library's media folder (an entry of the one command table; commands.ts
 * spreads it in). A download shows one progress line on stderr: bytes, speed, time left.
 */
import type { ProgressEvent } from '../../core/common/api';
import { mediaFamilies, type MediaFamily } from '../../core/common/media';
import { m } from '../../core/common/messages';
import { osCatalogue } from '../../core/common/osCatalogue';
import type { ServiceClient } from '../../core/node/transport/serviceClient';
import { UsageError, words } from './args';
import type { Command } from './command';
import { out, printOsList } from './print';

const options = { json: { type: 'boolean' } } as const;
/** Without a terminal, a progress line at most this often (a log, not a flood). */
const LOG_EVERY_MS = 5000;

/** Shows download `id`'s progress on stderr while `work` runs: one line rewritten on a terminal, a line every few seconds otherwise. */
async function withDownloadProgress<T>(client: ServiceClient, id: string, work: () => Promise<T>): Promise<T> {
  const tty = process.stderr.isTTY === true;
  let open = false;
  let lastLog = 0;
  let lastKey = '';
  const show = (e: ProgressEvent) => {
    if (e.id !== id || e.operation !== 'os-download' || e.done) return;
    const text = `${e.step.message}${e.percent !== null ? ` (${Math.floor(e.percent)}%)` : ''}`;
    if (tty) {
      process.stderr.write(`\r${text}\x1b[K`);
      open = true;
    } else if (e.step.key !== lastKey || performance.now() - lastLog >= LOG_EVERY_MS) {
      process.stderr.write(`${text}\n`);
      lastLog = performance.now();
    }
    lastKey = e.step.key ?? '';
  };
  const sub = client.onDidProgress(show);
  try {
    return await work();
  } finally {
    sub.dispose();
    if (open) process.stderr.write('\r\x1b[K');
  }
}

export const osCommands: Command[] = [
  {
    name: 'os',
    usage: [
      ['os list [--json]', 'OSes to download (Debian, Ubuntu, Fedora, Alpine), * where downloaded'],
      [
        'os download ID | cancel ID',
        "download an OS into the library's media folder (resumes, checks\nSHA-256; GUESTHOUSE_MIRROR_<OS> sets a mirror), or stop a download",
      ],
      ['os mirror OS URL|none', "download debian, ubuntu, fedora or alpine from a mirror with\nthe vendor's layout (the setting; the environment wins)"],
    ],
    options,
    positionals: (argv) => words(argv, options).length,
    service: true,
    prepare: ({ values: v, args: [sub, id, ...rest] }) => {
      const asJson = v.json === true;
      const fits =
        (!rest.length && ((sub === 'list' && id === undefined) || ((sub === 'download' || sub === 'cancel') && id !== undefined))) ||
        (sub === 'mirror' && id !== undefined && rest.length === 1);
      if (!fits) throw new UsageError(m('cli.osWhat'));
      const families = mediaFamilies.filter((f) => osCatalogue().some((e) => e.family === f));
      if (sub === 'mirror' && !families.includes(id as MediaFamily)) throw new UsageError(m('cli.osMirrorFamily', { family: id!, list: families.join(', ') }));
      return async (client: ServiceClient) => {
        if (sub === 'mirror') {
          const family = id as MediaFamily;
          const { settings } = await client.getHostInfo();
          const { [family]: _old, ...others } = settings.mirrors ?? {};
          const url = rest[0]!;
          const next = await client.setHostSettings({ ...settings, mirrors: url === 'none' ? others : { ...others, [family]: url } });
          if (asJson) out(JSON.stringify(next.settings, null, 2));
          else out(url === 'none' ? m('cli.osMirrorUnset', { family }) : m('cli.osMirrorSet', { family, url: next.settings.mirrors![family]! }));
        } else if (sub === 'list') {
          const items = await client.listOs();
          if (asJson) out(JSON.stringify(items, null, 2));
          else printOsList(items);
        } else if (sub === 'cancel') {
          await client.cancelDownload(id!);
          if (asJson) out('{}');
        } else {
          const done = await withDownloadProgress(client, id!, () => client.downloadOs(id!));
          if (asJson) out(JSON.stringify(done, null, 2));
          else out(m('cli.osDownloaded', { name: id!, path: done.path }));
        }
        return 0;
      };
    },
  },
];
