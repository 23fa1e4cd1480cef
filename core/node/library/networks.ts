// The library's private networks (`guesthouse network create|list|delete`): a list of names in
// `networks.json` in the library folder, written atomically. Which VMs are on a network is read
// from their configs (a card attached to `private:NAME`), never stored twice.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { GuesthouseError } from '../../common/errors';
import { m } from '../../common/messages';
import { networkNameSchema, privateNetworksOf } from '../../common/nics';
import type { VmConfig } from '../../common/config';
import { writeFileAtomic } from '../shared/atomicFile';

const fileSchema = z.object({ version: z.literal(1), networks: z.array(z.object({ name: z.string(), createdAt: z.string() })) });
type NetworksFile = z.infer<typeof fileSchema>;

export const networksFile = (home: string): string => path.join(home, 'networks.json');

/** The stored list (none when the file is missing). */
export function readNetworks(home: string): NetworksFile['networks'] {
  let text: string;
  try {
    text = fs.readFileSync(networksFile(home), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return fileSchema.parse(JSON.parse(text)).networks;
}

const write = (home: string, networks: NetworksFile['networks']) => {
  fs.mkdirSync(home, { recursive: true });
  writeFileAtomic(networksFile(home), `${JSON.stringify({ version: 1, networks } satisfies NetworksFile, null, 2)}\n`);
};

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Adds a network; an empty, malformed or taken name is one sentence and nothing changes. */
export function addNetwork(home: string, name: unknown): string {
  const parsed = networkNameSchema.safeParse(name);
  if (!parsed.success) throw new GuesthouseError('invalid-input', m('network.badName').about('network'));
  const networks = readNetworks(home);
  if (networks.some((n) => same(n.name, parsed.data)))
    throw new GuesthouseError('already-exists', m('network.exists', { network: parsed.data }).about('network'));
  write(home, [...networks, { name: parsed.data, createdAt: new Date().toISOString() }]);
  return parsed.data;
}

/** The VMs (by name) whose cards are on `network`. */
export const membersOf = (network: string, configs: readonly VmConfig[]): string[] =>
  configs.filter((c) => privateNetworksOf(c.nics).some((n) => same(n, network))).map((c) => c.identity.name);

/** Removes a network no VM is attached to; otherwise one sentence naming the VMs. Returns the stored name. */
export function removeNetwork(home: string, name: string, configs: readonly VmConfig[]): string {
  const networks = readNetworks(home);
  const found = networks.find((n) => same(n.name, name));
  if (!found) throw new GuesthouseError('not-found', m('network.unknown', { network: name }).about('network'));
  const members = membersOf(found.name, configs);
  if (members.length) throw new GuesthouseError('invalid-state', m('network.inUse', { network: found.name, vms: members.map((v) => `"${v}"`).join(', ') }));
  write(
    home,
    networks.filter((n) => n !== found),
  );
  return found.name;
}

/** One sentence per private network a config names that the library lacks. */
export function unknownNetworkProblems(home: string, config: Pick<VmConfig, 'nics'>): ReturnType<typeof m>[] {
  const known = readNetworks(home);
  return privateNetworksOf(config.nics)
    .filter((n) => !known.some((k) => same(k.name, n)))
    .map((n) => m('network.unknown', { network: n }).about('network'));
}
