/**
 * ISO images for detection tests, built with xorriso (installed here and in CI) the way the
 * vendors' installers are laid out: their file names, volume ids and boot entries (no real OS
 * inside, only the names detection reads).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface IsoLayout {
  volumeId: string;
  /** Files by path inside the image, with their content. */
  files: Record<string, string>;
  publisher?: string;
  application?: string;
  /** An El Torito BIOS entry (no emulation) booting this file of `files`. */
  bios?: string;
  /** An El Torito UEFI entry for this file of `files` (an EFI system partition image). */
  uefi?: string;
}

/** Builds `name`.iso in `dir` from the layout; answers its path. */
export function makeIso(dir: string, name: string, layout: IsoLayout): string {
  const tree = path.join(dir, `${name}.tree`);
  for (const [file, content] of Object.entries(layout.files)) {
    fs.mkdirSync(path.dirname(path.join(tree, file)), { recursive: true });
    fs.writeFileSync(path.join(tree, file), content);
  }
  const iso = path.join(dir, `${name}.iso`);
  const boot: string[] = [];
  if (layout.bios) boot.push('-b', layout.bios, '-no-emul-boot', '-boot-load-size', '4');
  if (layout.uefi) boot.push(...(layout.bios ? ['-eltorito-alt-boot'] : []), '-e', layout.uefi, '-no-emul-boot');
  execFileSync(
    'xorriso',
    [
      '-as',
      'mkisofs',
      '-quiet',
      '-o',
      iso,
      '-V',
      layout.volumeId,
      ...(layout.publisher ? ['-publisher', layout.publisher] : []),
      ...(layout.application ? ['-A', layout.application] : []),
      '-r',
      '-J',
      ...boot,
      tree,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return iso;
}
