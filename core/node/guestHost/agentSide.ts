import fs from 'node:fs';
import { GuesthouseError } from '../../common/errors';
import type { ExecResult, GuestInfo, GuestNic, ShutdownMethod } from '../../common/guestAgent';
import { m } from '../../common/messages';
import type { VmName } from './engineParts';
import type { BootSpec, FromGuestHost, ReplyOf } from '../../common/protocol';
import type { Engine } from './engine';
import type { RequestOf } from '../../common/guestActions';
import { writeStreamAtomic } from '../shared/atomicFile';
import { AgentError, GuestAgentClient, type AgentSession } from './qemu/guestAgent';

/** Bytes per guest-file-read/-write: base64 makes each request line a third larger. */
export const COPY_CHUNK_BYTES = 1024 * 1024;
/** How often the guest's facts are asked for: until the agent first answers, and after. */
const POLL_UNANSWERED_MS = 3000;
const POLL_ANSWERED_MS = 15_000;
/** How long a shutdown waits to hear the agent before it presses the ACPI power button instead. */
const SHUTDOWN_SYNC_MS = 3000;

interface AgentInterface {
  name: string;
  'hardware-address'?: string;
  'ip-addresses'?: { 'ip-address': string; prefix: number }[];
}

/** The last part of an agent's error ("failed to open file '/x' (mode: 'r'): No such file or directory" → the errno words). */
const detailOf = (err: unknown): string => {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split(': ').at(-1) ?? text).replace(/[.]$/, '');
};

/**
 * The guest host's use of the guest agent (core/node/guestHost/qemu/guestAgent.ts): the guest's
 * facts, asked for while it runs and sent to the parent when they change ('guestInfo'); commands;
 * file copies in chunks between a host file and a guest file; shutdown; the clock.
 */
export class AgentSide {
  private readonly client: GuestAgentClient;
  private timer: NodeJS.Timeout | undefined;
  private last: GuestInfo | undefined;
  private clockNoteSaid = false;
  private stopped = false;

  constructor(
    socketPath: string,
    private readonly send: (message: FromGuestHost) => void,
    /** Whether the guest can answer now (running, not paused or stopping). */
    private readonly running: () => boolean,
  ) {
    this.client = new GuestAgentClient(socketPath);
  }

  /**
   * The agent of a guest whose engine has its channel, asking for the guest's facts from now on
   * (first after a second: the agent starts with the guest); a restored guest's clock is set first.
   */
  static watch(engine: Engine, spec: BootSpec, parent: { send(message: FromGuestHost): void }, running: () => boolean): AgentSide | undefined {
    if (!engine.agentSocket) return undefined;
    const agent = new AgentSide(engine.agentSocket, (message) => parent.send(message), running);
    if (spec.restoreState || spec.loadSnapshot) void agent.setTime();
    agent.schedule(1000);
    return agent;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh().finally(() => this.schedule(this.last?.agent ? POLL_ANSWERED_MS : POLL_UNANSWERED_MS)), ms);
    this.timer.unref();
  }

  /** Asks the agent for the OS and the interfaces now; a guest that does not answer gives `agent: false`. */
  async refresh(): Promise<GuestInfo> {
    if (!this.running()) return this.publish({ agent: false, checkedAt: new Date().toISOString(), nics: [] });
    try {
      const { os, nics } = await this.client.session(async (s) => {
        const osinfo = await s.call<Record<string, string | undefined>>('guest-get-osinfo');
        const ifaces = await s.call<AgentInterface[]>('guest-network-get-interfaces');
        return { os: osinfo, nics: ifaces };
      });
      const name = os['pretty-name'] ?? os.name ?? os.id ?? '';
      return this.publish({
        agent: true,
        checkedAt: new Date().toISOString(),
        ...(name ? { os: { name, version: os.version ?? os['version-id'] ?? os['kernel-release'] ?? '' } } : {}),
        nics: nics.map((n): GuestNic => ({
          name: n.name,
          mac: (n['hardware-address'] ?? '').toLowerCase(),
          addresses: (n['ip-addresses'] ?? []).map((a) => `${a['ip-address']}/${a.prefix}`),
        })),
      });
    } catch {
      return this.publish({ agent: false, checkedAt: new Date().toISOString(), nics: [] });
    }
  }

  private publish(info: GuestInfo): GuestInfo {
    const withNote = this.last?.clockNote ? { ...info, clockNote: this.last.clockNote } : info;
    const changed = JSON.stringify({ ...withNote, checkedAt: '' }) !== JSON.stringify({ ...this.last, checkedAt: '' });
    this.last = withNote;
    if (changed) this.send({ type: 'guestInfo', info: withNote });
    return withNote;
  }

  /** The agent answered a request: facts that still say it does not are asked for again now, not at the next poll. */
  private answered(): void {
    if (!this.last?.agent) this.schedule(0);
  }

  /** A session with an agent that answers, or the sentence that says it does not. */
  private async session<T>(name: VmName, fn: (s: AgentSession) => Promise<T>): Promise<T> {
    if (!this.running()) throw new GuesthouseError('invalid-state', m('vm.notRunning', { name }));
    try {
      const answer = await this.client.session(fn);
      this.answered();
      return answer;
    } catch (err) {
      if (err instanceof AgentError && err.kind === 'command' && !err.message.includes('guest-sync-delimited')) this.answered(); // it answered, with a refusal
      if (err instanceof AgentError && err.message.includes('guest-sync-delimited')) throw new GuesthouseError('invalid-state', m('agent.noAnswer', { name }));
      if (err instanceof AgentError && err.kind !== 'command') throw new GuesthouseError('engine-failed', m('agent.lost', { name, detail: err.message }));
      if (err instanceof AgentError) throw new GuesthouseError('engine-failed', m('agent.refused', { name, detail: detailOf(err) }));
      throw err;
    }
  }

  /** Runs `argv` in the guest (guest-exec), polling its status until it ends or `timeoutMs` passes. */
  exec(name: VmName, argv: string[], timeoutMs: number): Promise<ExecResult> {
    const command = argv[0] ?? '';
    return this.session(name, async (s) => {
      let pid: number;
      try {
        ({ pid } = await s.call<{ pid: number }>('guest-exec', { path: command, arg: argv.slice(1), 'capture-output': true }));
      } catch (err) {
        if (err instanceof AgentError && err.kind === 'command')
          throw new GuesthouseError('invalid-input', m('agent.execFailed', { command, detail: detailOf(err) }));
        throw err;
      }
      const deadline = Date.now() + timeoutMs;
      // Quick first looks (a short command ends in milliseconds), then at most every 100 ms.
      for (let wait = 0; ; wait = Math.min(100, Math.max(2, wait * 2))) {
        const status = await s.call<Record<string, unknown>>('guest-exec-status', { pid });
        if (status.exited) {
          const b64 = (key: string) => Buffer.from(typeof status[key] === 'string' ? status[key] : '', 'base64');
          return {
            exitCode: typeof status.exitcode === 'number' ? status.exitcode : -1,
            signal: typeof status.signal === 'number' ? status.signal : null,
            stdout: new Uint8Array(b64('out-data')),
            stderr: new Uint8Array(b64('err-data')),
            truncated: Boolean(status['out-truncated'] || status['err-truncated']),
          };
        }
        if (Date.now() > deadline) throw new GuesthouseError('timeout', m('agent.execTimeout', { command, seconds: Math.round(timeoutMs / 1000) }));
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    });
  }

  /** Opens a guest file (mode r or w), or says why not in one sentence. */
  private async openGuest(s: AgentSession, guestPath: string, mode: 'r' | 'w'): Promise<number> {
    try {
      return await s.call<number>('guest-file-open', { path: guestPath, mode });
    } catch (err) {
      if (err instanceof AgentError && err.kind === 'command')
        throw new GuesthouseError('invalid-input', m('agent.guestOpen', { path: guestPath, detail: detailOf(err) }));
      throw err;
    }
  }

  /** Copies a host file into the guest in chunks (guest-file-write), saying how far it got. */
  async copyIn(name: VmName, hostPath: string, guestPath: string, progress: (done: number, total: number) => void): Promise<number> {
    let fd: fs.promises.FileHandle;
    let total: number;
    try {
      fd = await fs.promises.open(hostPath, 'r');
      total = (await fd.stat()).size;
    } catch (err) {
      throw new GuesthouseError('invalid-input', m('agent.hostUnreadable', { path: hostPath, detail: (err as NodeJS.ErrnoException).code ?? detailOf(err) }));
    }
    try {
      return await this.session(name, async (s) => {
        const handle = await this.openGuest(s, guestPath, 'w');
        // A write the guest refuses (its disk full): one sentence.
        const writeError = (err: unknown) =>
          err instanceof AgentError && err.kind === 'command'
            ? new GuesthouseError('engine-failed', m('agent.guestWrite', { path: guestPath, detail: detailOf(err) }))
            : err;
        try {
          const buf = Buffer.alloc(COPY_CHUNK_BYTES);
          let done = 0;
          for (;;) {
            const { bytesRead } = await fd.read(buf, 0, buf.length, null);
            if (!bytesRead) break;
            await s.call('guest-file-write', { handle, 'buf-b64': buf.toString('base64', 0, bytesRead) }, 60_000).catch((err: unknown) => {
              throw writeError(err);
            });
            done += bytesRead;
            progress(done, total);
          }
          await s.call('guest-file-flush', { handle }).catch((err: unknown) => {
            throw writeError(err);
          });
          return done;
        } finally {
          await s.call('guest-file-close', { handle }).catch(() => undefined);
        }
      });
    } finally {
      await fd.close();
    }
  }

  /** Copies a guest file to the host in chunks (guest-file-read): to a temp file beside it, renamed into place at the end, so nothing is half-written. */
  async copyOut(name: VmName, guestPath: string, hostPath: string, progress: (done: number, total: number) => void): Promise<number> {
    return this.session(name, async (s) => {
      const handle = await this.openGuest(s, guestPath, 'r');
      try {
        const readError = (err: unknown) =>
          err instanceof AgentError && err.kind === 'command'
            ? new GuesthouseError('invalid-input', m('agent.guestRead', { path: guestPath, detail: detailOf(err) }))
            : err;
        const { position: total } = await s.call<{ position: number }>('guest-file-seek', { handle, offset: 0, whence: 'end' }).catch((err: unknown) => {
          throw readError(err);
        });
        await s.call('guest-file-seek', { handle, offset: 0, whence: 'set' });
        let done = 0;
        try {
          await writeStreamAtomic(hostPath, async (out) => {
            for (;;) {
              const chunk = await s
                .call<{ count: number; 'buf-b64': string; eof: boolean }>('guest-file-read', { handle, count: COPY_CHUNK_BYTES }, 60_000)
                .catch((err: unknown) => {
                  throw readError(err);
                });
              if (chunk.count) {
                if (!out.write(Buffer.from(chunk['buf-b64'], 'base64'))) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
                done += chunk.count;
                progress(done, Math.max(total, done));
              }
              if (chunk.eof || !chunk.count) break;
            }
            await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
          });
        } catch (err) {
          if (err instanceof GuesthouseError || err instanceof AgentError) throw err;
          throw new GuesthouseError(
            'invalid-input',
            m('agent.hostUnwritable', { path: hostPath, detail: (err as NodeJS.ErrnoException).code ?? detailOf(err) }),
          );
        }
        return done;
      } finally {
        await s.call('guest-file-close', { handle }).catch(() => undefined);
      }
    });
  }

  /** Asks the guest to power off through its agent when it answers in a few seconds; false (nothing asked) when it does not. */
  async shutdown(): Promise<ShutdownMethod> {
    // An agent that did not answer when last asked gets a second rather than three (a guest without one powers off about as fast as before).
    const wait = this.last && !this.last.agent ? 1000 : SHUTDOWN_SYNC_MS;
    try {
      await this.client.session((s) => s.send('guest-shutdown', { mode: 'powerdown' }), wait);
      return 'agent';
    } catch {
      return 'acpi';
    }
  }

  /**
   * Sets the guest's clock to the host's (after a restore, a live revert, a long pause). A guest
   * that cannot (no agent, no hwclock) gets one note in its facts, not an error each time.
   */
  async setTime(): Promise<boolean> {
    try {
      // Nanoseconds since the epoch; a double holds them to within a microsecond.
      await this.client.call('guest-set-time', { time: Date.now() * 1e6 });
      return true;
    } catch (err) {
      if (!this.clockNoteSaid) {
        this.clockNoteSaid = true;
        const clockNote = m('agent.clockNote', { detail: detailOf(err) });
        this.publish({ ...(this.last ?? { agent: false, checkedAt: new Date().toISOString(), nics: [] }), clockNote });
      }
      return false;
    }
  }
}

/** The guest host's actions that go to the agent. */
type AgentAction = 'agentInfo' | 'agentExec' | 'agentCopyIn' | 'agentCopyOut' | 'agentSetTime';
type AgentHandlers = { [A in AgentAction]: (request: RequestOf<A>, name: VmName) => Promise<ReplyOf<A>> };

/**
 * The handlers of the agent's actions, for the guest host's table: `agent` is its AgentSide
 * (none: the engine has no agent channel, said with the capability's sentence); a copy's bytes
 * done go to `parent` as the request's 'progress'.
 */
export function agentHandlers(agent: () => AgentSide | undefined, parent: { send(message: FromGuestHost): void }): AgentHandlers {
  const progress = (id: number, done: number, total: number) => parent.send({ type: 'progress', id, status: 'copying', done, total });
  const side = (name: VmName): AgentSide => {
    const a = agent();
    if (!a) throw new GuesthouseError('invalid-state', m('agent.engine', { name }));
    return a;
  };
  return {
    agentInfo: async (_request, name) => ({ info: await side(name).refresh() }),
    agentExec: async ({ argv, timeoutMs }, name) => {
      if (!argv.length || !argv[0]) throw new GuesthouseError('invalid-input', m('agent.noCommand'));
      return { result: await side(name).exec(name, argv, timeoutMs) };
    },
    agentCopyIn: async ({ id, hostPath, guestPath }, name) => ({ bytes: await side(name).copyIn(name, hostPath, guestPath, (d, t) => progress(id, d, t)) }),
    agentCopyOut: async ({ id, guestPath, hostPath }, name) => ({ bytes: await side(name).copyOut(name, guestPath, hostPath, (d, t) => progress(id, d, t)) }),
    agentSetTime: async (_request, name) => ({ set: await side(name).setTime() }),
  };
}
