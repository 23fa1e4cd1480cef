// virsh on a remote host over ONE SSH connection (the ssh2 package: pure JavaScript, so the
// same on Windows, macOS and Linux). Each virsh call is an exec channel whose command line is
// `virsh -q -c URI` and every argument single-quoted for the remote POSIX shell; XML goes in
// on stdin. The host key is verified against the fingerprint the user accepted; keys come
// from a file or the SSH agent, never a password.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { GuesthouseError } from '../../common/errors';
import { m, type Sentence } from '../../common/messages';
import { checkArgs, failed, lineSplitter, shellQuote, virshError, type LineStream, type RunOptions, type Virsh, type VirshResult } from './virsh';

export interface SshTarget {
  /** The host's name (for sentences). */
  host: string;
  /** qemu+ssh://user@address[:port]/system */
  uri: string;
  keyFile?: string;
  /** The accepted host key fingerprint (SHA256:…); absent: the first connection is refused with the one offered. */
  hostKey?: string;
  env?: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
}

/** OpenSSH's SHA256 fingerprint of a host key blob. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${crypto.createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

export function sshAddress(uri: URL): string {
  return `${uri.hostname}${uri.port ? `:${uri.port}` : ''}`;
}

/** Opens the connection; fails with one sentence (host key unknown or changed, key refused, unreachable). */
export async function connectSsh(target: SshTarget): Promise<SshVirsh> {
  const uri = new URL(target.uri);
  const address = sshAddress(uri);
  const user = decodeURIComponent(uri.username) || (target.env ?? process.env).USER || 'root';
  const config: ConnectConfig = {
    host: uri.hostname.replace(/^\[|\]$/g, ''),
    port: uri.port ? Number(uri.port) : 22,
    username: user,
    readyTimeout: target.readyTimeoutMs ?? 15_000,
    keepaliveInterval: 5_000,
    keepaliveCountMax: 3,
  };
  const how: Sentence = target.keyFile ? m('hosts.withKeyFile', { path: target.keyFile }) : m('hosts.withAgent');
  if (target.keyFile) {
    try {
      config.privateKey = fs.readFileSync(target.keyFile);
    } catch (err) {
      throw new GuesthouseError('invalid-input', m('hosts.keyFile', { path: target.keyFile, reason: (err as Error).message }));
    }
  } else {
    const agent = (target.env ?? process.env).SSH_AUTH_SOCK;
    if (!agent) throw new GuesthouseError('invalid-input', m('hosts.noAgent'));
    config.agent = agent;
  }
  let offered: string | undefined;
  config.hostVerifier = (key: Buffer) => {
    offered = fingerprint(key);
    return offered === target.hostKey;
  };
  const client = new Client();
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('error', (err: Error & { level?: string; code?: string }) => {
      client.end();
      if (offered && offered !== target.hostKey) {
        reject(
          new GuesthouseError(
            'invalid-state',
            target.hostKey
              ? m('hosts.hostKeyChanged', { address, expected: target.hostKey, actual: offered })
              : m('hosts.hostKeyUnknown', { address, fingerprint: offered }),
          ),
        );
      } else if (err.level === 'client-authentication') {
        reject(new GuesthouseError('invalid-state', m('hosts.authFailed', { address, user, how })));
      } else if (err.message.includes('private key') || err.message.includes('Cannot parse')) {
        reject(new GuesthouseError('invalid-input', m('hosts.keyFile', { path: target.keyFile ?? '', reason: err.message })));
      } else {
        reject(new GuesthouseError('service-unavailable', m('hosts.connectFailed', { address, reason: err.code ?? err.message })));
      }
    });
    client.connect(config);
  });
  return new SshVirsh(target.host, client, `qemu://${uri.pathname}`);
}

/** virsh over an open SSH connection. `onClose` hears when the connection goes. */
export class SshVirsh implements Virsh {
  private closed = false;
  private readonly closeListeners = new Set<(reason: string) => void>();

  constructor(
    readonly host: string,
    private readonly client: Client,
    private readonly remoteUri: string,
  ) {
    const gone = (reason: string) => {
      if (this.closed) return;
      this.closed = true;
      for (const l of this.closeListeners) l(reason);
    };
    client.on('error', (err) => gone(err.message));
    client.on('close', () => gone(m('hosts.closed').message));
  }

  onClose(listener: (reason: string) => void): void {
    this.closeListeners.add(listener);
  }

  /** The remote command line: every argument quoted, so names with quotes, $( ), ; or newlines reach virsh as data. */
  commandLine(args: readonly string[]): string {
    return ['LC_ALL=C', 'virsh', '-q', '-c', shellQuote(this.remoteUri), ...args.map(shellQuote)].join(' ');
  }

  private exec(command: string): Promise<ClientChannel> {
    if (this.closed) return Promise.reject(new GuesthouseError('service-unavailable', m('hosts.unreachable', { host: this.host, reason: m('hosts.closed') })));
    return new Promise((resolve, reject) => {
      this.client.exec(command, (err, channel) =>
        err ? reject(new GuesthouseError('service-unavailable', m('hosts.unreachable', { host: this.host, reason: err.message }))) : resolve(channel),
      );
    });
  }

  private async collect(command: string, stdin?: string): Promise<VirshResult & { bytes: Buffer }> {
    const channel = await this.exec(command);
    return await new Promise((resolve) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      channel.on('data', (d: Buffer) => out.push(d));
      channel.stderr.on('data', (d: Buffer) => err.push(d));
      channel.on('close', (code: number | null) => {
        const bytes = Buffer.concat(out);
        resolve({ code: code ?? 255, stdout: bytes.toString(), stderr: Buffer.concat(err).toString(), bytes });
      });
      channel.end(stdin ?? '');
    });
  }

  async run(args: readonly string[], options: RunOptions = {}): Promise<VirshResult> {
    checkArgs(args);
    const { code, stdout, stderr } = await this.collect(this.commandLine(args), options.stdin);
    return { code, stdout, stderr };
  }

  async ok(args: readonly string[], options?: RunOptions): Promise<string> {
    const r = await this.run(args, options);
    if (r.code !== 0) throw failed(this.host, r);
    return r.stdout;
  }

  async readFile(file: string, offset = 0): Promise<Buffer> {
    const r = await this.collect(['tail', '-c', `+${offset + 1}`, '--', shellQuote(file)].join(' '));
    if (r.code !== 0) throw new Error(r.stderr.trim() || `tail exited with status ${r.code}`);
    return r.bytes;
  }

  stream(args: readonly string[], onLine: (line: string) => void, onEnd: (reason: string) => void): LineStream {
    checkArgs(args);
    return this.channel(this.commandLine(args), lineSplitter(onLine), onEnd);
  }

  follow(file: string, maxSeconds: number, onData: (data: Buffer) => void, onEnd: (reason: string) => void): LineStream {
    // `timeout`: the remote tail ends by itself even where sshd ignores the channel's signal.
    return this.channel(['exec', 'timeout', String(maxSeconds), 'tail', '-c', '+1', '-F', '--', shellQuote(file)].join(' '), onData, onEnd);
  }

  private channel(command: string, onData: (data: Buffer) => void, onEnd: (reason: string) => void): LineStream {
    let disposed = false;
    let channel: ClientChannel | undefined;
    let err = '';
    this.exec(command).then(
      (c) => {
        channel = c;
        if (disposed) return void c.close();
        c.on('data', onData);
        c.stderr.on('data', (d: Buffer) => (err += d.toString()));
        c.on('close', (code: number | null) => !disposed && onEnd(virshError({ code: code ?? 255, stdout: '', stderr: err })));
      },
      (e: Error) => !disposed && onEnd(e.message),
    );
    return {
      dispose: () => {
        disposed = true;
        // The remote virsh ends with the channel (SIGPIPE at its next write) or at the signal.
        channel?.signal('TERM');
        channel?.close();
      },
    };
  }

  close(): void {
    this.closed = true;
    this.client.end();
  }
}
