// What the screen calls ask of a running guest: a VM without a screen is refused at once
// (the keyboard is there without one), a wait for text looks at the screen a few times a
// second until the text shows, the time is up or the guest ends, and keys become chords.
import { GuesthouseError } from '../../common/errors';
import { chordsForText, parseChord } from '../../common/keys';
import { m } from '../../common/messages';
import type { KeyInput } from '../../common/api';
import type { LibraryEntry } from '../library/library';
import type { RunningGuest } from './runningGuest';
import { ended, waitEnded, type StateMirror } from './stateMirror';

/** A running guest for a screen request; a VM without a screen gets its sentence at once. */
export function screenGuest(mirror: StateMirror, entry: LibraryEntry, needsScreen = true): RunningGuest {
  const { uuid, name } = entry.config.identity;
  const guest = mirror.guest(uuid);
  if (!guest) throw mirror.notRunning(uuid, name);
  if (needsScreen && entry.config.display.adapter === 'none') throw new GuesthouseError('invalid-input', m('display.none', { name }));
  return guest;
}

export async function waitForScreen(guest: RunningGuest, text: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  // The screen has no stream of changes to match against: look at it a few times a second.
  for (;;) {
    try {
      if ((await guest.request('screenText')).lines.some((row) => row.includes(text))) return true;
    } catch (err) {
      if (ended(guest)) throw waitEnded(guest);
      // Graphics for now, or a screen not up yet: look again; anything else is the answer.
      if (!(err instanceof GuesthouseError && err.code === 'invalid-state')) throw err;
    }
    if (ended(guest)) throw waitEnded(guest);
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, Math.min(250, Math.max(0, deadline - Date.now()))));
  }
}

/** The chords to press for a chord's name or for text typed on a US layout; a sentence for what cannot be pressed. */
export function keyChords(keys: KeyInput): string[][] {
  if ('chord' in keys) {
    const chord = parseChord(keys.chord);
    if (!chord) throw new GuesthouseError('invalid-input', m('keys.unknown', { chord: keys.chord }));
    return [chord];
  }
  const typed = chordsForText(keys.text);
  if ('untypable' in typed) throw new GuesthouseError('invalid-input', m('keys.untypable', { char: typed.untypable }));
  return typed.chords;
}

/** The screen calls of IVmService over the guests `mirror` runs. */
export class GuestScreens {
  constructor(private readonly c: { mirror: StateMirror; library: { find(ref: string): LibraryEntry } }) {}

  private guest(ref: string, needsScreen = true): RunningGuest {
    return screenGuest(this.c.mirror, this.c.library.find(ref), needsScreen);
  }

  async screenshot(ref: string): Promise<Uint8Array> {
    return (await this.guest(ref).request('screenshot')).data;
  }

  async screenText(ref: string): Promise<string[]> {
    return (await this.guest(ref).request('screenText')).lines;
  }

  waitForScreen(ref: string, text: string, timeoutMs: number): Promise<boolean> {
    return waitForScreen(this.guest(ref), text, timeoutMs);
  }

  async sendKeys(ref: string, keys: KeyInput): Promise<void> {
    // The keyboard is there without a screen too (a serial-only guest still has its PS/2 keyboard).
    await this.guest(ref, false).request('keys', { keys: keyChords(keys) });
  }
}
