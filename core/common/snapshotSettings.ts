// The settings a snapshot keeps: the slice of the VM's config a revert restores (all but the
// version, the identity and the tree), and what must match for a live snapshot to load into
// the running machine.
import { vmConfigSchema, type VmConfig } from './config';

/** The settings a snapshot keeps, restored on revert: all but the identity and the tree. */
export function settingsOf(config: VmConfig): Record<string, unknown> {
  const { version: _v, identity: _i, snapshots: _s, ...settings } = config;
  return settings;
}

/** What must match for a live snapshot to load into the running machine (the CD and timeouts may differ). */
export function machineOf(settings: Record<string, unknown> | null): string {
  if (!settings) return '';
  const { optical: _o, shutdownTimeoutMs: _t, engine: _e, accelerator: _a, ...machine } = settings;
  return JSON.stringify(machine, Object.keys(machine).sort());
}

/** The config with a snapshot's settings back (what does not validate any more stays as it is now). */
export function withSettings(config: VmConfig, settings: Record<string, unknown> | null): VmConfig {
  if (!settings) return config;
  const next = vmConfigSchema.safeParse({ ...config, ...settings, version: config.version, identity: config.identity, snapshots: config.snapshots });
  return next.success ? next.data : config;
}
