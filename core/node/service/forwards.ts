// A VM's port forwards as rules: added and removed at once in a running guest (QEMU's
// hostfwd_add / hostfwd_remove on the card's named netdev, through the guest host), or in the
// config of a stopped one. The config changes only once QEMU has taken the change, and a host
// port that is doubled, forwarded by another running VM, or held by another program is
// refused before anything changes.
import type { ForwardRequest } from '../../common/api';
import { forwardRequestSchema } from '../../common/apiSchemas';
import {
  forwardName,
  hostfwdHost,
  hostfwdRule,
  parseOrThrow,
  takesForwards,
  vmConfigSchema,
  type NicConfig,
  type PortForward,
  type VmConfig,
} from '../../common/config';
import { GuesthouseError, throwProblems } from '../../common/errors';
import { hostfwdRefusal } from '../../common/forward';
import { m } from '../../common/messages';
import { assertAction, hasEnded, isActionAllowed } from '../../common/state';
import type { Library, LibraryEntry } from '../library/library';
import { writeVmConfig } from './configWrites';
import { forwardProblems } from './preflight';
import type { ServiceEvents } from './serviceEvents';
import type { StateMirror } from './stateMirror';
import type { VmQueue } from './vmQueue';

export interface ForwardsContext {
  library: Library;
  mirror: StateMirror;
  events: ServiceEvents;
  queue: VmQueue;
}

/** The card a new forward goes on: the one named, or the first on NAT or host-only. */
function forwardingNic(config: VmConfig, nic: string | undefined): NicConfig {
  const name = config.identity.name;
  const hit = nic === undefined ? config.nics.find(takesForwards) : config.nics.find((n) => n.id === nic && takesForwards(n));
  if (hit) return hit;
  throw new GuesthouseError(
    'invalid-input',
    nic === undefined ? m('forward.noNat', { name }).about('forwards') : m('forward.noNic', { name, nic }).about('forwards'),
  );
}

/** The forward `which` names (its name, or its host port), and its card. */
function findForward(config: VmConfig, which: string): { nic: NicConfig; forward: PortForward } {
  for (const nic of config.nics) {
    const forward = nic.forwards.find((f) => forwardName(f) === which) ?? nic.forwards.find((f) => String(f.hostPort) === which);
    if (forward) return { nic, forward };
  }
  throw new GuesthouseError('not-found', m('forward.unknown', { name: config.identity.name, which }).about('forwards'));
}

/** The config with `nic`'s forwards replaced. */
const withForwards = (config: VmConfig, nic: NicConfig, forwards: PortForward[]): VmConfig => ({
  ...config,
  nics: config.nics.map((n) => (n.id === nic.id ? { ...n, forwards } : n)),
});

export class Forwards {
  constructor(private readonly c: ForwardsContext) {}

  async add(ref: string, request: ForwardRequest): Promise<PortForward & { nic: string }> {
    const req = parseOrThrow(forwardRequestSchema, request, 'request');
    return this.change(ref, 'addForward', async (entry, live) => {
      const { config } = entry;
      const nic = forwardingNic(config, req.nic);
      const forward: PortForward = {
        name: req.name ?? forwardName(req),
        protocol: req.protocol,
        hostAddress: req.hostAddress ?? '127.0.0.1',
        hostPort: req.hostPort,
        guestPort: req.guestPort,
      };
      const name = forwardName(forward);
      if (config.nics.some((n) => n.forwards.some((f) => forwardName(f) === name)))
        throw new GuesthouseError('invalid-input', m('forward.nameTaken', { name: config.identity.name, forward: name }).about('forwards'));
      const next = withForwards(config, nic, [...nic.forwards, forward]);
      // Doubled in this VM, or forwarded by another running VM; then whether another program holds the port (only the new one: QEMU holds the others).
      const running = this.c.mirror.runningVms(this.c.library, config.identity.uuid);
      throwProblems(await forwardProblems(next, running, false), 'VM');
      throwProblems(await forwardProblems({ ...config, nics: [{ ...nic, forwards: [forward] }] }, [], true), 'VM');
      const checked = parseOrThrow(vmConfigSchema, next, 'change'); // before QEMU is asked: a config that cannot be written changes nothing
      if (live) await live('add', nic.id, hostfwdRule(forward), forward);
      try {
        this.write(entry, checked);
      } catch (err) {
        // The config could not be written (a full disk…): QEMU gives the port back, so both say what they said before.
        if (live) await live('remove', nic.id, hostfwdHost(forward), forward).catch(() => undefined);
        throw err;
      }
      return { ...forward, nic: nic.id };
    });
  }

  async remove(ref: string, which: string): Promise<void> {
    await this.change(ref, 'removeForward', async (entry, live) => {
      const { nic, forward } = findForward(entry.config, which);
      // A forward kept on a card that is not on QEMU's user network now (none, private) is in no running QEMU.
      if (live && takesForwards(nic)) await live('remove', nic.id, hostfwdHost(forward), forward);
      this.write(
        entry,
        withForwards(
          entry.config,
          nic,
          nic.forwards.filter((f) => f !== forward),
        ),
      );
    });
  }

  private write(entry: LibraryEntry, config: VmConfig): void {
    writeVmConfig(this.c, entry.dir, config, 'change');
  }

  /**
   * Runs `work` in the VM's turn: with `live` (which asks the running guest's QEMU) while it runs
   * or is paused, without while it is stopped; refused in the states between, as a change is.
   */
  private change<T>(
    ref: string,
    action: 'addForward' | 'removeForward',
    work: (entry: LibraryEntry, live: ((op: 'add' | 'remove', netdev: string, rule: string, f: PortForward) => Promise<void>) | null) => Promise<T>,
  ): Promise<T> {
    const uuid = this.c.library.find(ref).config.identity.uuid;
    return this.c.queue.run(uuid, async () => {
      const entry = this.c.library.find(uuid);
      const state = this.c.mirror.summary(entry).state;
      if (!isActionAllowed(action, state)) assertAction('modify', state, entry.config.identity.name);
      const guest = hasEnded(state) ? undefined : this.c.mirror.guest(uuid);
      const release = guest ? () => undefined : this.c.library.guard(entry.dir, entry.config.identity.name);
      try {
        const live = guest
          ? async (op: 'add' | 'remove', netdev: string, rule: string, f: PortForward) => {
              const { text } = await guest.request('hostfwd', { op, netdev, rule });
              const refusal = hostfwdRefusal(op, text, f, netdev);
              if (refusal) throw new GuesthouseError('engine-failed', refusal.about('forwards'));
            }
          : null;
        return await work(entry, live);
      } finally {
        release();
      }
    });
  }
}
