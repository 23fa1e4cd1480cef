// The library's libvirt hosts: `<home>/hosts.json`, checked with zod when read (a file that
// does not pass is left alone and read as no hosts, and said so once). Never a password.
import fs from 'node:fs';
import path from 'node:path';
import { describeIssues } from '../../common/config';
import { hostsFileSchema, type HostRecord } from '../../common/hosts';
import { writeFileAtomic } from '../shared/atomicFile';

export function hostsFile(home: string): string {
  return path.join(home, 'hosts.json');
}

/** The hosts kept, and what is wrong with the file if it cannot be used. */
export function readHosts(home: string): { hosts: HostRecord[]; problem: string | null } {
  let text: string;
  try {
    text = fs.readFileSync(hostsFile(home), 'utf8');
  } catch {
    return { hosts: [], problem: null };
  }
  try {
    const parsed = hostsFileSchema.safeParse(JSON.parse(text));
    if (parsed.success) return { hosts: parsed.data.hosts, problem: null };
    return {
      hosts: [],
      problem: describeIssues(parsed.error)
        .map((s) => s.message)
        .join(' '),
    };
  } catch (err) {
    return { hosts: [], problem: (err as Error).message };
  }
}

export function writeHosts(home: string, hosts: readonly HostRecord[]): void {
  fs.mkdirSync(home, { recursive: true });
  writeFileAtomic(hostsFile(home), JSON.stringify({ version: 1, hosts }, null, 2) + '\n');
}
