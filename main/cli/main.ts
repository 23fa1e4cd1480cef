#!/usr/bin/env node
/** The `guesthouse` command: a thin front end that speaks IVmService to the service. Commands are in commands.ts. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { toErrorData } from '../../core/common/errors';
import { m } from '../../core/common/messages';
import { libraryHome } from '../../core/node/shared/paths';
import { connectToService } from '../../core/node/transport/serviceClient';
import { UsageError } from './args';
import { SERVICE_ENTRY, type Command, type Input } from './command';
import { commands } from './commands';
import { onHost, takeHostFlag } from './hostCommands';
import { usage } from './help';
import { out } from './print';

/** `--memory -5` would read as a flag; hand such values on so the schema can say what is wrong. */
function joinNegativeValues(argv: string[], options: ParseArgsConfig['options']): string[] {
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]!.startsWith('--') ? argv[i]!.slice(2) : '';
    if (options?.[name]?.type === 'string' && /^-\d/.test(argv[i + 1] ?? '')) joined.push(`${argv[i]}=${argv[++i]}`);
    else joined.push(argv[i]!);
  }
  return joined;
}

/** The command's arguments as its table entry says; undefined when --help asked for the usage instead. */
function parse(command: Command, argv: string[], home: string): Input | undefined {
  if (!command.service && command.raw) return { values: {}, args: argv, home };
  const positionals = typeof command.positionals === 'number' ? command.positionals : command.positionals(argv);
  let parsed;
  try {
    const options = { ...command.options, help: { type: 'boolean', short: 'h' } } as const;
    parsed = parseArgs({ args: joinNegativeValues(argv, command.options), options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split('\n')[0]!.replace(/\. To specify.*$/, '')}.`.replace(/\.\.$/, '.'));
  }
  if ((parsed.values as { help?: boolean }).help) return undefined;
  if (parsed.positionals.length !== positionals) {
    throw new UsageError(m(positionals === 1 ? 'request.ref' : positionals === 2 ? 'cli.needsVmAndText' : 'cli.noArguments'));
  }
  return { values: parsed.values as Record<string, unknown>, args: parsed.positionals, home };
}

async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    out(usage());
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) throw new UsageError(m('cli.unknownCommand', { name }));
  const home = libraryHome();
  // Parse and check before connecting, so a typo never starts a service.
  const { argv: own, host } = takeHostFlag(command, rest);
  const input = parse(command, own, home);
  if (!input) {
    out(usage());
    return 0;
  }
  if (!command.service) return command.prepare(input)();
  const work = command.prepare(input);
  const client = (await connectToService(home, SERVICE_ENTRY))!;
  try {
    return await work(onHost(client, host));
  } finally {
    client.close();
  }
}

// A reader that goes away (guesthouse list | head) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof UsageError ? err.message : toErrorData(err).message}\n`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  },
);
