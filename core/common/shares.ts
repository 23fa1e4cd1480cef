// A VM's shared folders (config `shares`): host folders the guest mounts over virtio-9p by a
// tag, read-only or writable. This module is the data and its pure rules; the folders are
// checked on the host in core/node (preflight.ts) and given to QEMU in qemu/argv.ts.
import { z } from 'zod';
import { m, said, type Sentence } from './messages';

/** At most this many shared folders per VM (each is a PCI device). */
export const MAX_SHARES = 8;
/** QEMU's virtio-9p takes a mount tag of at most 31 bytes. */
export const SHARE_TAG_MAX_LENGTH = 31;

const tagError = { error: said('share.badTag', { max: SHARE_TAG_MAX_LENGTH }) };
/** A mount tag: it goes into QEMU's -device option and the guest's mount command, so only safe characters. */
export const shareTagSchema = z.string(tagError).regex(new RegExp(`^[A-Za-z0-9][A-Za-z0-9._-]{0,${SHARE_TAG_MAX_LENGTH - 1}}$`), tagError);

const pathError = { error: said('share.badPath') };
export const sharePathSchema = z
  .string(pathError)
  .min(1, pathError)
  .refine((s) => !s.includes('\u0000'), pathError);

export const shareSchema = z.strictObject({
  /** What the guest mounts: `mount -t 9p -o trans=virtio TAG /mnt`. */
  tag: shareTagSchema,
  /** The host folder, absolute. */
  path: sharePathSchema,
  /** The guest may read but not write. */
  readOnly: z.boolean(),
});
export type ShareConfig = z.infer<typeof shareSchema>;

export const sharesSchema = z
  .array(shareSchema)
  .max(MAX_SHARES, { error: said('share.max', { max: MAX_SHARES }) })
  .superRefine((shares, ctx) => {
    const seen = new Set<string>();
    for (const share of shares) {
      if (seen.has(share.tag)) ctx.addIssue({ code: 'custom', message: said('share.tagTaken', { tag: share.tag }) });
      seen.add(share.tag);
    }
  });

/** A share as a request names it: the folder, and if said its tag and whether it is read-only. */
export const shareRequestSchema = z.strictObject({ path: sharePathSchema, tag: shareTagSchema.optional(), readOnly: z.boolean().optional() });
export type ShareRequest = z.infer<typeof shareRequestSchema>;

/** The tag a folder gets when none is said: its name, with every character a tag cannot hold as `_`. */
export function defaultShareTag(folder: string): string {
  const name =
    folder
      .replace(/[/\\]+$/, '')
      .split(/[/\\]/)
      .pop() ?? '';
  const tag = name
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^[._-]+/, '')
    .slice(0, SHARE_TAG_MAX_LENGTH);
  return tag || 'share';
}

/** The guest's command that mounts a share (at /mnt; any empty folder will do). */
export const mountCommand = (tag: string): string => `mount -t 9p -o trans=virtio,version=9p2000.L ${tag} /mnt`;

/**
 * The shares after a request's: `unshare` tags go first (each must be there), then `add` (each
 * with its tag or its folder's name, which no other share may have). Problems are said, one each.
 */
export function applyShareChanges(
  current: readonly ShareConfig[],
  add: readonly ShareRequest[] | undefined,
  unshare: readonly string[] | undefined,
  resolve: (p: string) => string,
): { shares: ShareConfig[]; problems: Sentence[] } {
  const problems: Sentence[] = [];
  let shares = [...current];
  for (const tag of unshare ?? []) {
    if (!shares.some((s) => s.tag === tag)) problems.push(m('share.notShared', { tag }).about('shares'));
    shares = shares.filter((s) => s.tag !== tag);
  }
  for (const req of add ?? []) {
    const folder = resolve(req.path);
    const tag = req.tag ?? defaultShareTag(folder);
    if (shares.some((s) => s.tag === tag)) problems.push(m('share.tagTaken', { tag }).about('shares'));
    else shares.push({ tag, path: folder, readOnly: req.readOnly ?? false });
  }
  if (shares.length > MAX_SHARES) problems.push(m('share.max', { max: MAX_SHARES }).about('shares'));
  return { shares, problems };
}

/**
 * Why a running VM with shares can keep no machine state (a live snapshot or a saved state):
 * QEMU cannot migrate a mounted virtio-9p device. Null without shares.
 */
export function sharesBlockMachineState(shares: readonly ShareConfig[], name: string, what: 'snapshot' | 'save'): Sentence | null {
  const [first] = shares;
  if (!first) return null;
  return m(what === 'snapshot' ? 'share.noLiveSnapshot' : 'share.noSave', { name, tag: first.tag, path: first.path });
}
