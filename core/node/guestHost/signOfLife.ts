/** What the sign-of-life watch asks of its guest. */
export interface SignOfLifeGuest {
  /** Whether there is nothing left to watch for: the guest has printed, or is no longer up. */
  settled(): boolean;
  /** A hash of what the screen shows (null: no screen, or it cannot be read now). */
  screen(): Promise<string | null>;
  /** The guest showed no sign of life for `seconds`. */
  silent(seconds: number): void;
}

/**
 * Under hardware acceleration, a guest that has printed nothing since start and whose
 * screen has stood still through the second half of the first `ms` may be stuck in a
 * broken accelerator (nested KVM hangs in 64-bit mode after the firmware and the boot
 * loader have drawn their screens, which real-mode code still does): the guest host is told
 * (`silent`), so the user can be. Nothing is switched silently. Returns what ends the watch.
 */
export function watchForSignOfLife(ms: number, guest: SignOfLifeGuest): () => void {
  const started = performance.now();
  let reference: string | null | undefined;
  let timer: NodeJS.Timeout | undefined;
  const check = async () => {
    timer = undefined;
    if (guest.settled()) return;
    const screen = await guest.screen();
    if (reference === undefined) reference = screen;
    else if (screen !== reference) return; // the screen moves: the guest is alive
    const elapsed = performance.now() - started;
    if (elapsed >= ms) return guest.silent(Math.round(ms / 1000));
    timer = setTimeout(() => void check(), Math.min(ms - elapsed, Math.max(250, ms / 12)));
  };
  timer = setTimeout(() => void check(), ms / 2);
  return () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
}
