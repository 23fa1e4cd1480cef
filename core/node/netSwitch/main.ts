// The entry of a private network's switch process (see switch.ts): `main.js RUNTIME_DIR NAME [PORT]`.
// Started detached by the service, so that it outlives the service as guests do; it prints
// `ready PORT` once it listens, and says nothing after (its parent may be gone).
import { runSwitch } from './switch';

const [runtimeDir, name, port] = process.argv.slice(2);
process.stdout.on('error', () => undefined);
process.title = `guesthouse-switch ${name ?? ''}`;
if (!runtimeDir || !name) {
  process.stderr.write('usage: main.js RUNTIME_DIR NETWORK\n');
  process.exit(2);
}
runSwitch(runtimeDir, name, port ? { port: Number(port) } : {}).then(
  ({ port, done }) => {
    process.stdout.write(`ready ${port}\n`);
    void done.then(() => process.exit(0));
  },
  (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  },
);
