// What a `guesthouse` command is: the shape of one entry of the table in commands.ts.
import path from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import type { ServiceClient } from '../../core/node/transport/serviceClient';

export const SERVICE_ENTRY = path.join(__dirname, '..', 'server', 'main.js');

/** A command line as parsed: option values, positional arguments, and the library it is about. */
export interface Input {
  values: Record<string, unknown>;
  args: string[];
  home: string;
}

interface CommandBase {
  name: string;
  /** Lines of the help text: what to type, and what it does (a `\n` starts a further line). */
  usage: [synopsis: string, description: string][];
  options: NonNullable<ParseArgsConfig['options']>;
  /** How many positional arguments it takes; a function when an option replaces one. */
  positionals: number | ((argv: string[]) => number);
}

/** A command that speaks to the service: main.ts connects (starting one if need be) after prepare. */
export interface ServiceCommand extends CommandBase {
  service: true;
  /** Works out every flag before the service starts, so bad input changes nothing; returns the work. */
  prepare(input: Input): (client: ServiceClient) => Promise<number>;
}

/** A command that manages its own connection, or none. */
export interface LocalCommand extends CommandBase {
  service: false;
  /** Arguments as typed, not parsed: the command checks them itself. */
  raw?: boolean;
  prepare(input: Input): () => Promise<number>;
}

export type Command = ServiceCommand | LocalCommand;
