import { GuesthouseError } from './errors';

/** Parses a port forward written tcp:HOSTPORT:GUESTPORT (or tcp:ADDR:HOSTPORT:GUESTPORT), as the CLI and the GUI take it. */
export function parseForward(text: string): { protocol: 'tcp' | 'udp'; hostAddress?: string; hostPort: number; guestPort: number } {
  const m = /^(tcp|udp):(?:([^:]+):)?(\d+):(\d+)$/.exec(text);
  if (!m) throw new GuesthouseError('invalid-input', `"${text}" is not a port forward; write it like tcp:2222:22.`);
  return { protocol: m[1] as 'tcp' | 'udp', ...(m[2] ? { hostAddress: m[2] } : {}), hostPort: Number(m[3]), guestPort: Number(m[4]) };
}

/** The same, written back. */
export function formatForward(f: { protocol: string; hostAddress?: string; hostPort: number; guestPort: number }): string {
  return `${f.protocol}:${f.hostAddress && f.hostAddress !== '127.0.0.1' ? `${f.hostAddress}:` : ''}${f.hostPort}:${f.guestPort}`;
}
