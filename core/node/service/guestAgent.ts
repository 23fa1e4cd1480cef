// What the service asks of a running guest through its guest agent (the guest host's
// agentSide.ts speaks to qemu-ga): its facts now, a command, a file copied in or out with
// progress events. Each call checks that the VM runs on an engine with an agent channel first
// (v86 has none: its capability's sentence), then the guest host says whether the agent answers.
import fs from 'node:fs';
import path from 'node:path';
import { capabilitiesOf, whyNot } from '../../common/capabilities';
import { GuesthouseError } from '../../common/errors';
import { EXEC_TIMEOUT_DEFAULT_S, mib, withCards, type ExecResult, type GuestInfo } from '../../common/guestAgent';
import { m } from '../../common/messages';
import type { Library, LibraryEntry } from '../library/library';
import { Progress } from './progress';
import type { RunningGuest } from './runningGuest';
import type { ServiceEvents } from './serviceEvents';
import type { StateMirror } from './stateMirror';

export class GuestAgentCalls {
  constructor(
    private readonly library: () => Library,
    private readonly mirror: StateMirror,
    private readonly events: ServiceEvents,
  ) {}

  /** The running guest behind `ref`, on an engine that has an agent channel. */
  private agentGuest(ref: string): { entry: LibraryEntry; guest: RunningGuest } {
    const entry = this.library().find(ref);
    const { uuid, name } = entry.config.identity;
    const guest = this.mirror.guest(uuid);
    if (!guest || (guest.state !== 'running' && guest.state !== 'paused')) throw this.mirror.notRunning(uuid, name);
    const engine = guest.runtime?.engine;
    const why = engine ? whyNot(capabilitiesOf(engine).guestAgent, { name }) : null;
    if (why) throw new GuesthouseError('invalid-state', why);
    if (guest.state === 'paused') throw new GuesthouseError('invalid-state', m('agent.paused', { name }));
    return { entry, guest };
  }

  async info(ref: string): Promise<GuestInfo> {
    const { entry, guest } = this.agentGuest(ref);
    const { info } = await guest.request('agentInfo');
    return withCards(info, entry.config.nics);
  }

  async exec(ref: string, argv: string[], timeoutS = EXEC_TIMEOUT_DEFAULT_S): Promise<ExecResult> {
    const { guest } = this.agentGuest(ref);
    const { result } = await guest.request('agentExec', { argv, timeoutMs: timeoutS * 1000 });
    return result;
  }

  /** A host file into the guest: `guestPath` ending in / (or naming a folder the agent cannot open as a file) gets the host file's name. */
  async copyToGuest(ref: string, hostFile: string, guestPath: string): Promise<{ bytes: number }> {
    const { entry, guest } = this.agentGuest(ref);
    const source = path.resolve(hostFile);
    const target = guestPath.endsWith('/') ? `${guestPath}${path.basename(source)}` : guestPath;
    // Said before anything starts (the guest host checks again as it opens it).
    try {
      fs.accessSync(source, fs.constants.R_OK);
      if (!fs.statSync(source).isFile()) throw Object.assign(new Error(), { code: 'EISDIR' });
    } catch (err) {
      throw new GuesthouseError('invalid-input', m('agent.hostUnreadable', { path: source, detail: (err as NodeJS.ErrnoException).code ?? 'EIO' }));
    }
    return this.copy(entry, 'copy-to-guest', source, target, (onProgress) =>
      guest.request('agentCopyIn', { hostPath: source, guestPath: target }, { onProgress }),
    );
  }

  /** A guest file to the host, written to a temp file beside `hostFile` and renamed at the end; a folder gets the guest file's name. */
  async copyFromGuest(ref: string, guestPath: string, hostFile: string): Promise<{ bytes: number }> {
    const { entry, guest } = this.agentGuest(ref);
    let target = path.resolve(hostFile);
    if (fs.statSync(target, { throwIfNoEntry: false })?.isDirectory()) target = path.join(target, path.posix.basename(guestPath));
    const folder = fs.statSync(path.dirname(target), { throwIfNoEntry: false });
    if (!folder?.isDirectory()) throw new GuesthouseError('invalid-input', m('agent.hostUnwritable', { path: target, detail: 'ENOENT' }));
    return this.copy(entry, 'copy-from-guest', guestPath, target, (onProgress) =>
      guest.request('agentCopyOut', { guestPath, hostPath: target }, { onProgress }),
    );
  }

  /** Runs a copy as an operation with progress events (a step with the bytes done at most every 100 ms, from the first chunk on). */
  private async copy(
    entry: LibraryEntry,
    operation: 'copy-to-guest' | 'copy-from-guest',
    from: string,
    to: string,
    run: (onProgress: (status: string, done?: number, total?: number) => void) => Promise<{ bytes: number }>,
  ): Promise<{ bytes: number }> {
    const progress = new Progress(this.events, entry.config.identity.uuid, operation);
    let said = 0;
    return progress.run(async () => {
      const result = await run((_status, done = 0, total = 0) => {
        if (Date.now() - said < 100 && done < total) return;
        said = Date.now();
        progress.step(m('agent.copyingStep', { from, to, done: mib(done), total: mib(total) }), total ? Math.floor((done / total) * 100) : null);
      });
      progress.done(m('agent.copied', { from, to, size: mib(result.bytes) }));
      return result;
    });
  }
}
