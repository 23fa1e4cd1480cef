// The text of `guesthouse help`, made from the command table and the engines' records.
import { capabilitySummary } from '../../core/common/capabilities';
import {
  acceleratorSettings,
  diskBuses,
  diskFormats,
  displayAdapters,
  engineKinds,
  engineSettings,
  firmwareKinds,
  networkModes,
  nicModels,
  osTypes,
  pointerKinds,
} from '../../core/common/config';
import { libraryHome } from '../../core/node/shared/paths';
import { choices } from './args';
import { commands } from './commands';

/** The text of `guesthouse help`, from the table. */
export function usage(): string {
  const lines = commands.flatMap((c) =>
    c.usage.map(([synopsis, description]) => {
      const [first, ...more] = description.split('\n');
      const head = synopsis.length <= 35 ? `  ${synopsis.padEnd(36)}${first}` : `  ${synopsis}\n${' '.repeat(38)}${first}`;
      return [head, ...more.map((l) => ' '.repeat(38) + l)].join('\n');
    }),
  );
  return `Usage: guesthouse COMMAND [ARGS]

${lines.join('\n')}

Options for create and modify (modify: --disk adds a new disk, --attach-disk an existing one):
  --os ${choices(osTypes)}   sets the defaults
  --engine ${choices(engineSettings)}   --accelerator ${choices(acceleratorSettings)}   --firmware ${choices(firmwareKinds)}
  --memory MIB   --cpus N   --disk SIZE (new disk, e.g. 8G) [--disk-format ${choices(diskFormats)}]
  --attach-disk FILE   --detach-disk FILE (modify; the file stays; repeatable)
  --cdrom ISO   --kernel FILE   --initrd FILE   --append "CMDLINE"
  --net ${choices([...networkModes, 'private:NETWORK'])}[,model=${choices(nicModels)}][,mac=MAC] (once per card, in order; replaces the cards; a card's MAC keeps that card)
  --network ${choices(networkModes)}, --nic ${choices(nicModels)}, --forward tcp:HOSTPORT:GUESTPORT (repeatable): the first card's
  --share HOSTPATH[,tag=TAG][,ro] (repeatable; the tag is the folder's name unless said)   --unshare TAG (modify; repeatable)
  --shutdown-timeout-s N
  --display ${choices(displayAdapters)}   --pointer ${choices(pointerKinds)}   --disk-bus ${choices(diskBuses)}
What each engine takes:${engineKinds.map((e) => `\n  ${capabilitySummary(e)}`).join('')}

GUESTHOUSE_HOME selects the library (default: ${libraryHome()}).`;
}
