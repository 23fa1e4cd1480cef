import { GuesthouseError } from './errors';
import { m, type Sentence } from './messages';

/** Parses a port forward written tcp:HOSTPORT:GUESTPORT (or tcp:ADDR:HOSTPORT:GUESTPORT), as the CLI and the GUI take it. */
export function parseForward(text: string): { protocol: 'tcp' | 'udp'; hostAddress?: string; hostPort: number; guestPort: number } {
  const match = /^(tcp|udp):(?:([^:]+):)?(\d+):(\d+)$/.exec(text);
  if (!match) throw new GuesthouseError('invalid-input', m('forward.bad', { text }).about('forwards'));
  return { protocol: match[1] as 'tcp' | 'udp', ...(match[2] ? { hostAddress: match[2] } : {}), hostPort: Number(match[3]), guestPort: Number(match[4]) };
}

/** The same, written back. */
export function formatForward(f: { protocol: string; hostAddress?: string; hostPort: number; guestPort: number }): string {
  return `${f.protocol}:${f.hostAddress && f.hostAddress !== '127.0.0.1' ? `${f.hostAddress}:` : ''}${f.hostPort}:${f.guestPort}`;
}

/**
 * What QEMU's answer to hostfwd_add / hostfwd_remove means. QEMU answers every outcome as text
 * in a successful reply: "" when a rule was added, "host forwarding rule for … removed" when one
 * was removed; anything else is a refusal, each known one with its own sentence (the host port,
 * the card, the rule named), and an unknown one with QEMU's words.
 */
export function hostfwdRefusal(
  op: 'add' | 'remove',
  text: string,
  f: { protocol: string; hostAddress: string; hostPort: number; guestPort: number },
  nic: string,
): Sentence | null {
  const said = text.trim();
  const params = { port: f.hostPort, guestPort: f.guestPort, protocol: f.protocol, address: f.hostAddress, nic };
  if (op === 'add' && said === '') return null;
  if (op === 'remove' && /\bremoved$/.test(said)) return null;
  if (/^Could not set up host forwarding rule/i.test(said)) return m('forward.qemuInUse', params);
  if (/unrecognized netdev id|invalid device specified/i.test(said)) return m('forward.qemuNoNetdev', params);
  if (/^Invalid host forwarding rule/i.test(said)) return m('forward.qemuInvalid', params);
  if (/\bnot found$/.test(said)) return m('forward.qemuNotFound', params);
  return m('forward.qemuSaid', { ...params, text: said || '""' });
}

/** The warning a forward open beyond this machine deserves (any host address but loopback's), or null. */
export function forwardExposure(f: { hostAddress?: string; hostPort: number }): Sentence | null {
  const address = f.hostAddress ?? '127.0.0.1';
  return /^(127\.|::1$|localhost$)/.test(address) ? null : m('forward.exposed', { address, port: f.hostPort });
}
