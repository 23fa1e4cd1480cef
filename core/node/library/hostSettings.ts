import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { hostSettingsSchema, type HostSettings } from '../../common/apiSchemas';
import { writeFileAtomic } from '../shared/atomicFile';

export type { HostSettings };

/** The host-wide settings file of a library (the host panel's choices). */
export function hostSettingsFile(home: string): string {
  return path.join(home, 'settings.json');
}

const fileSchema = z.strictObject({ version: z.literal(1), ...hostSettingsSchema.shape });

export const defaultHostSettings: HostSettings = { accelerator: 'auto' };

/** The saved host settings; an absent or unreadable file gives the defaults (and is left alone). */
export function readHostSettings(home: string): HostSettings {
  try {
    const parsed = fileSchema.safeParse(JSON.parse(fs.readFileSync(hostSettingsFile(home), 'utf8')));
    if (parsed.success) {
      const { version: _version, ...settings } = parsed.data;
      return settings;
    }
  } catch {
    // absent or not JSON: defaults
  }
  return { ...defaultHostSettings };
}

/** Saves the settings; mirrors not given are kept (the host panel sends the accelerator alone). */
export function writeHostSettings(home: string, settings: HostSettings): void {
  fs.mkdirSync(home, { recursive: true });
  const mirrors = settings.mirrors ?? readHostSettings(home).mirrors;
  writeFileAtomic(hostSettingsFile(home), JSON.stringify({ version: 1, ...settings, ...(mirrors && { mirrors }) }, null, 2) + '\n');
}
