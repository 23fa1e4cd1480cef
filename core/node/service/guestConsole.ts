// What the console and log calls answer: input only to a running guest and within its bound,
// a wait for text that this run's console log or the live output answers (never a previous
// run's log, and a guest that ends meanwhile says why), and the VM's logs as one text.
import fs from 'node:fs';
import path from 'node:path';
import { CONSOLE_WRITE_MAX_BYTES } from '../../common/apiSchemas';
import { GuesthouseError } from '../../common/errors';
import { m } from '../../common/messages';
import type { LibraryEntry } from '../library/library';
import { LOG_NAMES, logFile } from '../shared/vmFolder';
import { findInFile } from './fileSearch';
import type { RunningGuest } from './runningGuest';
import { ended, waitEnded, type StateMirror } from './stateMirror';

/** The VM's running guest, for its console; else "x is not running". */
export function consoleGuest(mirror: StateMirror, entry: LibraryEntry): RunningGuest {
  const guest = mirror.guest(entry.config.identity.uuid);
  if (!guest) throw new GuesthouseError('invalid-state', m('vm.notRunning', { name: entry.config.identity.name }));
  return guest;
}

export function writeConsole(mirror: StateMirror, entry: LibraryEntry, data: Uint8Array): void {
  const guest = consoleGuest(mirror, entry);
  // The transports check this too; callers in this process are held to the same bound.
  if (data.length > CONSOLE_WRITE_MAX_BYTES) throw new GuesthouseError('invalid-input', m('request.consoleTooLong', { max: CONSOLE_WRITE_MAX_BYTES / 1024 }));
  guest.write(data);
}

/**
 * `log` hears a line once the wait watches the live output (the text was not in the log):
 * the service's log shows each wait that is under way.
 */
export async function waitForConsole(
  mirror: StateMirror,
  entry: LibraryEntry,
  text: string,
  timeoutMs: number,
  log: (line: string) => void = () => undefined,
): Promise<boolean> {
  const needle = Buffer.from(text);
  const { uuid, name } = entry.config.identity;
  const guest = mirror.guest(uuid);
  // The log of a VM that is not running is a previous run's: matching it would answer wrongly.
  if (!guest) throw mirror.notRunning(uuid, name);
  // Until the guest host has begun this run's log, the file is still the last run's.
  if (guest.state === 'starting') await guest.started.catch(() => undefined);
  if (ended(guest)) throw waitEnded(guest);
  // The guest host writes the log before it passes output on, so the file holds
  // at least what has reached us; what comes later is matched as it arrives.
  const { found, tail } = findInFile(logFile(entry.dir, 'console'), needle);
  if (found) return true;
  const waiting = guest.waitFor(needle, tail, timeoutMs);
  log(`${name}: a wait for console text watches the output (at most ${Math.ceil(timeoutMs / 1000)} s)`);
  if (await waiting) return true;
  // Output comes before the exit, so a guest that is gone did not print the text: say why it went.
  if (ended(guest)) throw waitEnded(guest);
  return false;
}

/** The VM's logs, each under its name, each cut to its last million characters. */
export function readLog(vmDir: string): string {
  const parts: string[] = [];
  for (const log of LOG_NAMES) {
    const file = logFile(vmDir, log);
    if (!fs.existsSync(file)) continue;
    const text = fs.readFileSync(file, 'latin1');
    parts.push(`==> ${path.basename(file)} <==\n${text.length > 1_000_000 ? text.slice(-1_000_000) : text}`);
  }
  return parts.join('\n');
}
