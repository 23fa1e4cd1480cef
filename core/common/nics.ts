// A VM's network cards (config `nics`): each with a stable id (QEMU's netdev id), a MAC made
// once and kept, the model the guest sees, what it is attached to, and the port forwards of
// a NAT attachment. One card today; the list is ready for more.
import { z } from 'zod';
import { said } from './messages';
import { nicModels, type NicModel } from './presets';

export { nicModels, type NicModel };

/**
 * What a card is attached to: QEMU's user network (NAT); the same restricted to the host
 * (`host-only`: the guest reaches the host's forwards and nothing outside); or nothing (the
 * guest gets no card). A string union, so more kinds (`private:${name}`) can join it.
 */
export const nicAttachments = ['nat', 'host-only', 'none'] as const;
/** A card on one of the library's private networks (`guesthouse network create NAME`). */
export type PrivateAttachment = `private:${string}`;
export type NicAttachment = (typeof nicAttachments)[number] | PrivateAttachment;

/** A private network's name: as short and safe as a socket's or a file's name needs. */
export const NETWORK_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/i;
export const networkNameSchema = z.string({ error: said('network.badName') }).regex(NETWORK_NAME, { error: said('network.badName') });

/** The private network a card is attached to, or null (NAT, host-only, none, or a word that is not one). */
export function privateNetworkOf(attachment: string): string | null {
  if (!attachment.startsWith('private:')) return null;
  const name = attachment.slice('private:'.length);
  return NETWORK_NAME.test(name) ? name : null;
}

/** The private networks a VM's cards are attached to, each once. */
export const privateNetworksOf = (nics: readonly Pick<NicConfig, 'attachment'>[]): string[] => [
  ...new Set(nics.map((n) => privateNetworkOf(n.attachment)).filter((n): n is string => n !== null)),
];

/** At most this many cards per VM; the ids are net0 … net{MAX_NICS - 1}. */
export const MAX_NICS = 8;

export const nicModelSchema = z.enum(nicModels, { error: said('config.nicModel', { list: nicModels.join(', ') }) });
const attachmentError = { error: said('config.network', { list: [...nicAttachments, 'private:NAME'].join(', ') }) };
export const nicAttachmentSchema = z.custom<NicAttachment>(
  (v) => typeof v === 'string' && ((nicAttachments as readonly string[]).includes(v) || privateNetworkOf(v) !== null),
  attachmentError,
);

export const portSchema = z
  .number({ error: said('port.number') })
  .int({ error: said('port.whole') })
  .min(1, { error: said('port.range') })
  .max(65535, { error: said('port.range') });

/** A forward's name: what `forward remove` and the rules table call it. */
export const forwardNameSchema = z.string({ error: said('forward.badName') }).regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, { error: said('forward.badName') });

export const portForwardSchema = z.strictObject({
  /** Absent in forwards made before rules had names: then it is called `<protocol>-<host port>` (forwardName). */
  name: forwardNameSchema.optional(),
  protocol: z.enum(['tcp', 'udp'], { error: said('config.protocol', { list: 'tcp, udp' }) }),
  /** Host address the forward listens on; loopback unless the user opens it up. */
  hostAddress: z
    .string({ error: said('forward.badAddress') })
    // It goes into QEMU's -netdev option: nothing but an address's or a host name's characters.
    .regex(/^[A-Za-z0-9.:-]{1,253}$/, { error: said('forward.badAddress') })
    .default('127.0.0.1'),
  hostPort: portSchema,
  guestPort: portSchema,
});
export type PortForward = z.infer<typeof portForwardSchema>;

/** The id of the card at `index`: net0, net1, … (QEMU's netdev id). */
export const nicId = (index: number): string => `net${index}`;

const nicIdError = { error: said('config.nicId', { max: MAX_NICS - 1 }) };
export const nicIdSchema = z.string(nicIdError).regex(new RegExp(`^net[0-${MAX_NICS - 1}]$`), nicIdError);

const macError = { error: said('config.nicMac') };
/** Six hex pairs, written lower case; a unicast address (the lowest bit of the first byte clear). It goes into QEMU's -device option. */
export const macSchema = z
  .string(macError)
  .toLowerCase()
  .regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/, macError)
  .refine((mac) => (parseInt(mac.slice(0, 2), 16) & 1) === 0, macError);

export const nicSchema = z.strictObject({
  /** Stable for the card's life: QEMU's netdev id. */
  id: nicIdSchema,
  /** Made once (QEMU's locally administered 52:54:00 range) and kept; a clone gets its own. */
  mac: macSchema,
  /** The network card the guest sees. */
  model: nicModelSchema,
  attachment: nicAttachmentSchema,
  /** Host ports forwarded into the guest (NAT only; kept, unused, while attached to nothing). */
  forwards: z.array(portForwardSchema).max(32),
});
export type NicConfig = z.infer<typeof nicSchema>;

export const nicsSchema = z
  .array(nicSchema)
  .max(MAX_NICS, { error: said('config.nicsMax', { max: MAX_NICS }) })
  .superRefine((nics, ctx) => {
    const seen = { id: new Set<string>(), mac: new Set<string>() };
    for (const nic of nics) {
      if (seen.id.has(nic.id)) ctx.addIssue({ code: 'custom', message: said('config.nicIdRepeated', { id: nic.id }) });
      if (seen.mac.has(nic.mac)) ctx.addIssue({ code: 'custom', message: said('config.nicMacRepeated', { mac: nic.mac }) });
      seen.id.add(nic.id);
      seen.mac.add(nic.mac);
    }
  });

/** The MAC QEMU gives a card that names none: every VM had it before config version 4, so no card is given it now. */
export const QEMU_DEFAULT_MAC = '52:54:00:12:34:56';

/** A MAC in QEMU's locally administered range, 52:54:00:xx:xx:xx, from the first three of `bytes` (random ones for a new card). */
export function macFromBytes(bytes: ArrayLike<number>): string {
  if (bytes.length < 3) throw new Error('macFromBytes: needs three bytes');
  const tail = [0, 1, 2].map((i) => (bytes[i]! & 0xff).toString(16).padStart(2, '0'));
  return ['52', '54', '00', ...tail].join(':');
}

/**
 * A MAC that `seed` always gives (FNV-1a over its characters): what a migrated config's card
 * gets from the VM's uuid, so it reads the same each time until the config is written back.
 */
export function macFromSeed(seed: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    hash ^= seed.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  const mac = macFromBytes([hash >>> 16, hash >>> 8, hash]);
  return mac === QEMU_DEFAULT_MAC ? macFromSeed(`${seed}.`) : mac;
}

/** The cards the guest is given: those attached to something. */
export const attachedNics = (nics: readonly NicConfig[]): NicConfig[] => nics.filter((n) => n.attachment !== 'none');

/** The attachments that run QEMU's user network, and so take forwards. */
export const forwardingAttachments: readonly NicAttachment[] = ['nat', 'host-only'];
export const takesForwards = (nic: Pick<NicConfig, 'attachment'>): boolean => forwardingAttachments.includes(nic.attachment);

/** The forwards that are live: those of the cards on QEMU's user network (NAT or host-only). */
export const natForwards = (nics: readonly NicConfig[]): PortForward[] => nics.filter(takesForwards).flatMap((n) => n.forwards);

/** What a forward is called: its name, or `<protocol>-<host port>` for one made before forwards had names. */
export const forwardName = (f: Pick<PortForward, 'name' | 'protocol' | 'hostPort'>): string => f.name ?? `${f.protocol}-${f.hostPort}`;

/** QEMU's words for a forward (hostfwd_add's and -netdev's): `tcp:127.0.0.1:8080-:80`. */
/** The host side alone (hostfwd_remove's words): `tcp:127.0.0.1:8080`. */
export const hostfwdHost = (f: Pick<PortForward, 'protocol' | 'hostAddress' | 'hostPort'>): string => `${f.protocol}:${f.hostAddress}:${f.hostPort}`;
export const hostfwdRule = (f: Pick<PortForward, 'protocol' | 'hostAddress' | 'hostPort' | 'guestPort'>): string => `${hostfwdHost(f)}-:${f.guestPort}`;
