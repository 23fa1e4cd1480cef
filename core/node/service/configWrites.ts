// "Write the config, then say so": the one way the service changes a VM's vm.json. The config
// is checked whole against the schema, written (atomically, the one it replaces kept as the
// backup: Library.writeConfig), and only then do the VM list's listeners hear of it.
import { parseOrThrow, vmConfigSchema, type VmConfig } from '../../common/config';
import type { ProblemsOf } from '../../common/errors';
import type { Sentence } from '../../common/messages';
import type { Library, LibraryEntry } from '../library/library';
import type { ServiceEvents } from './serviceEvents';

export interface ConfigWriter {
  library: Library;
  events: ServiceEvents;
}

/** Writes `config` into the VM folder `dir` and tells the listeners; a config that does not validate is refused with its sentences. */
export function writeVmConfig(c: ConfigWriter, dir: string, config: VmConfig, what: ProblemsOf | Sentence = 'VM'): LibraryEntry {
  const checked = parseOrThrow(vmConfigSchema, config, what);
  c.library.writeConfig(dir, checked);
  c.events.emitVms();
  return { config: checked, dir };
}

/** Writes the VM's config as it is on disk now (an operation that waited its turn re-reads it), with `change` applied. */
export function updateVmConfig(c: ConfigWriter, uuid: string, change: (config: VmConfig) => VmConfig, what: ProblemsOf | Sentence = 'VM'): LibraryEntry {
  const entry = c.library.find(uuid);
  return writeVmConfig(c, entry.dir, change(entry.config), what);
}
