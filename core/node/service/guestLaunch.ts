// How a guest comes to be this service's, and who holds its VM's lock meanwhile: a guest
// started here (the lock is this process's, or, for a guest host that outlives the service,
// handed to that guest host; a restored state file is spent once the guest runs), or a guest
// host an earlier service left running, found by its control socket and taken over.
import fs from 'node:fs';
import path from 'node:path';
import type { HostInfo } from '../../common/api';
import type { BootSpec } from '../../common/protocol';
import { assertAction } from '../../common/state';
import type { Library, LibraryEntry } from '../library/library';
import { isGuestHostSocket, stateAgentMarker } from '../shared/vmFolder';
import { runtimeDir } from '../shared/paths';
import { bootSpec, type BootContext } from './bootSpec';
import { leavePrivateNetworks, rejoinPrivateNetworks } from './privateNetworks';
import { RunningGuest } from './runningGuest';
import { ended, type StateMirror } from './stateMirror';
import { connectGuestHost, type GuestHostLauncher } from './supervisor';
import type { VmQueue } from './vmQueue';

export interface LaunchContext {
  /** The library's home (its runtime folder holds the guest hosts' control sockets). */
  home: string;
  library: Library;
  mirror: StateMirror;
  launcher: GuestHostLauncher;
  /** Guest hosts outlive this process (the headless service). */
  survivable: boolean;
}

/**
 * Starts a VM in its turn (after a snapshot, clone, disk or forward change under way, and before
 * the next: a forward asked for while it starts goes live in its QEMU); `extra` goes into its
 * boot spec (a live snapshot it starts from).
 */
export function startInTurn(
  c: LaunchContext & { queue: VmQueue; host: () => Promise<HostInfo>; boot: Omit<BootContext, 'running'> },
  ref: string,
  extra: Pick<BootSpec, 'loadSnapshot'> & { noGuestAgent?: boolean } = {},
): Promise<void> {
  return c.queue.run(c.library.find(ref).config.identity.uuid, async () => {
    const entry = c.library.find(ref);
    const { uuid, name } = entry.config.identity;
    assertAction('start', c.mirror.summary(entry).state, name);
    // A guest host that has just stopped (a failed start, a power-off) may still be exiting:
    // its goodbye (lock, last state) must come before the new one starts, not after.
    await c.mirror.guest(uuid)?.gone;
    const spec = await bootSpec(entry, await c.host(), { ...c.boot, running: () => c.mirror.runningVms(c.library, uuid) });
    assertAction('start', c.mirror.summary(entry).state, name); // another start may have won meanwhile
    const { noGuestAgent, ...boot } = extra;
    await startGuest(c, entry, { ...spec, ...boot, ...(noGuestAgent && spec.qemu ? { qemu: { ...spec.qemu, noGuestAgent } } : {}) });
  });
}

/** Starts the VM's guest with `spec`, under its lock; resolves once it runs. */
async function startGuest({ home, library, mirror, launcher, survivable }: LaunchContext, entry: LibraryEntry, spec: BootSpec): Promise<void> {
  const { uuid, name } = entry.config.identity;
  const unlock = library.lock(entry.dir, name);
  let handedOver: () => void = () => undefined;
  let guest: RunningGuest | undefined;
  const release = () => {
    unlock();
    handedOver();
    void leavePrivateNetworks(home, spec);
  };
  try {
    guest = new RunningGuest(
      uuid,
      name,
      spec,
      launcher,
      mirror.guestCallbacks(uuid, name, release, () => guest),
    );
  } catch (err) {
    unlock();
    throw err;
  }
  // A guest host that outlives this process holds its VM's lock itself (see reattachGuests).
  if (survivable && guest.runtime?.guestHostPid && !ended(guest)) handedOver = library.handOver(entry.dir, guest.runtime.guestHostPid);
  mirror.add(uuid, guest);
  mirror.forget(uuid);
  await guest.started;
  // Restored: the state file is spent (as in VirtualBox); the guest runs on from here.
  if (spec.restoreState) for (const file of [spec.stateFile, stateAgentMarker(spec.stateFile)]) fs.rmSync(file, { force: true });
}

/**
 * Finds the guest hosts an earlier service left running (their control sockets in the
 * runtime folder) and takes them over: state, runtime details, console and requests.
 * Sockets nobody listens on any more are removed. Returns how many guests were taken over.
 */
export async function reattachGuests({ home, library, mirror }: LaunchContext): Promise<number> {
  const dir = runtimeDir(home);
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter(isGuestHostSocket);
  } catch {
    return 0;
  }
  const found = await Promise.all(
    names.map(async (n) => {
      const file = path.join(dir, n);
      const link = await connectGuestHost(file);
      if (link === 'stale') fs.rmSync(file, { force: true });
      return link === 'stale' ? null : link;
    }),
  );
  let count = 0;
  const { entries } = library.scan();
  for (const link of found) {
    if (!link) continue;
    const { hello } = link;
    const spec = hello.spec;
    const entry = spec ? entries.find((e) => e.config.identity.uuid === spec.config.identity.uuid) : undefined;
    // A guest host whose VM is gone from this library, or one already taken over, is left alone.
    if (!spec || !entry || mirror.guest(spec.config.identity.uuid)) {
      link.bind({ onMessage: () => undefined, onExit: () => undefined });
      continue;
    }
    const { uuid, name } = entry.config.identity;
    const handedOver = library.handOver(entry.dir, link.pid, library.lockOwner(entry.dir) !== link.pid);
    const release = () => {
      handedOver();
      void leavePrivateNetworks(home, spec);
    };
    const guest: RunningGuest = new RunningGuest(
      uuid,
      name,
      spec,
      (_o, callbacks) => link.bind(callbacks),
      mirror.guestCallbacks(uuid, name, release, () => guest),
      hello,
    );
    mirror.add(uuid, guest);
    count++;
    // What its agent says, asked again (the guest host sends it only when it changes); an older guest host or an engine without an agent: nothing.
    if (hello.state === 'running')
      void guest.request('agentInfo').then(
        (r) => ((guest.guestInfo = r.info), undefined),
        () => undefined,
      );
    // Its private networks' switches outlive the service too; one that did not comes back.
    await rejoinPrivateNetworks(home, spec).catch(() => undefined);
  }
  return count;
}
