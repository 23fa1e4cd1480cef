import { GuesthouseError } from './errors';
import { m } from './messages';

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
