/**
 * Hosts: where VMs live. The local library is the host `local` (no prefix anywhere); a libvirt
 * host is a named connection (`qemu:///system`, `qemu+ssh://user@host[:port]/system`). A VM on a
 * libvirt host is referred to as `HOST:NAME` (or `HOST:UUID`): library VM names cannot hold a
 * colon, so a ref with one always names a host first.
 */
import { z } from 'zod';
import { said } from './config';
import type { SentenceData } from './messages';

export const LOCAL_HOST = 'local';

export const hostNameSchema = z
  .string({ error: said('hosts.nameText') })
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, { error: said('hosts.nameText') })
  .refine((s) => s !== LOCAL_HOST, { error: said('hosts.nameLocal') });

/** `SHA256:` and 43 base64 characters, as OpenSSH prints a host key's fingerprint. */
export const fingerprintSchema = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, { error: said('hosts.fingerprint') });

/** A libvirt URI this version can reach: qemu on this machine, or qemu over SSH. */
export const libvirtUriSchema = z.string().refine(
  (s) => {
    try {
      const u = new URL(s);
      if (u.protocol === 'qemu:') return u.host === '' && (u.pathname === '/system' || u.pathname === '/session');
      if (u.protocol === 'qemu+ssh:') return u.hostname !== '' && (u.pathname === '/system' || u.pathname === '/session') && !u.password;
      return false;
    } catch {
      return false;
    }
  },
  { error: said('hosts.uri') },
);

/** One host as the registry file keeps it. Never a password: keys come from a file or the SSH agent. */
export const hostRecordSchema = z.strictObject({
  name: hostNameSchema,
  uri: libvirtUriSchema,
  /** A private key file (SSH URIs); without one the SSH agent is asked. */
  keyFile: z.string().min(1).optional(),
  /** The SSH host key fingerprint the user accepted (SSH URIs). */
  hostKey: fingerprintSchema.optional(),
});
export type HostRecord = z.infer<typeof hostRecordSchema>;

export const hostsFileSchema = z.strictObject({ version: z.literal(1), hosts: z.array(hostRecordSchema) });

export const addHostRequestSchema = z.strictObject({
  name: hostNameSchema,
  uri: libvirtUriSchema,
  keyFile: z.string().min(1).optional(),
  acceptHostKey: fingerprintSchema.optional(),
});
export type AddHostRequest = z.input<typeof addHostRequestSchema>;

export type HostStatus = 'connected' | 'connecting' | 'unreachable';

export interface HostSummary {
  name: string;
  uri: string;
  status: HostStatus;
  /** Why it is unreachable. */
  reason?: SentenceData;
  /** The SSH host key fingerprint accepted for it. */
  hostKey?: string;
}

/** A ref split into its host (null: the local library) and the VM's name or uuid there. */
export function splitRef(ref: string): { host: string | null; vm: string } {
  const i = ref.indexOf(':');
  return i < 0 ? { host: null, vm: ref } : { host: ref.slice(0, i), vm: ref.slice(i + 1) };
}

/** The ref of a VM on a host (`host` null or `local`: the library's own ref). */
export function hostRef(host: string | null | undefined, vm: string): string {
  return host && host !== LOCAL_HOST ? `${host}:${vm}` : vm;
}
