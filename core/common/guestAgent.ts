/**
 * What the guest agent (qemu-guest-agent) tells of a running guest, and what a command run in
 * it gives back: the types front ends see (IVmService) and the shapes the guest host's messages
 * are checked against. Light on imports, as guestActions.ts: the guest host loads this.
 */
import { isSentenceData, type SentenceData } from './messages';
import { bool, bytes, check, int, list, nullable, object, optional, text, type Infer } from './wireShape';

/** One network interface of the guest as its agent reports it. */
export const guestNicShape = object({
  /** The guest's name for it (eth0). */
  name: text(),
  /** Its hardware address, lower case. */
  mac: text(),
  /** Each address with its prefix length: 10.0.2.15/24, fe80::5054:ff:fe12:3456/64. */
  addresses: list(text()),
  /** The VM's card with this MAC (net0…), where one has it; the loopback and others have none. */
  card: optional(text()),
});
export type GuestNic = Infer<typeof guestNicShape>;

export const guestInfoShape = object({
  /** The agent answered the last time it was asked. */
  agent: bool,
  /** When it was last asked (ISO 8601). */
  checkedAt: text(),
  /** The guest's OS, as guest-get-osinfo names it. */
  os: optional(object({ name: text(), version: text() })),
  nics: list(guestNicShape),
  /** Said once when the guest cannot set its clock from the host (after a restore, a revert, a long pause). */
  clockNote: optional(check((v): v is SentenceData => isSentenceData(v), 'a sentence')),
});
export type GuestInfo = Infer<typeof guestInfoShape>;

/** What a command run in the guest (guest-exec) gave back. */
export const execResultShape = object({
  exitCode: int(),
  /** The signal that ended it, or null. */
  signal: nullable(int()),
  stdout: bytes,
  stderr: bytes,
  /** The agent kept only the start of an output (qemu-ga keeps 16 MiB). */
  truncated: bool,
});
export type ExecResult = Infer<typeof execResultShape>;

/** How a shutdown was asked of the guest: through its agent, or the ACPI power button. */
export type ShutdownMethod = 'agent' | 'acpi';

/** The most `exec` waits for a command (s), and the default. */
export const EXEC_TIMEOUT_MAX_S = 24 * 3600;
export const EXEC_TIMEOUT_DEFAULT_S = 60;

/** The guest's interfaces, each with the VM's card that has its MAC (net0…). */
export function withCards(info: GuestInfo, cards: readonly { id: string; mac: string }[]): GuestInfo {
  const byMac = new Map(cards.map((c) => [c.mac.toLowerCase(), c.id]));
  return { ...info, nics: info.nics.map((n) => (byMac.has(n.mac) ? { ...n, card: byMac.get(n.mac)! } : n)) };
}

/** A byte count in MiB with one decimal, for a copy's progress. */
export const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
