/**
 * The commands that go through a running guest's agent (qemu-guest-agent): `exec` runs a
 * command in the guest and exits with its code, as VBoxManage guestcontrol run does; `copy`
 * copies a file in or out (the guest's side written :PATH), with a progress line on stderr.
 */
import path from 'node:path';
import { EXEC_TIMEOUT_MAX_S } from '../../core/common/guestAgent';
import { m } from '../../core/common/messages';
import { UsageError, words } from './args';
import type { Command } from './command';
import { withProgress } from './storageCommands';

const execOptions = { 'timeout-s': { type: 'string' } } as const;

/** A guest path as typed after its colon. */
const guestSide = (arg: string): string | null => (arg.startsWith(':') ? arg.slice(1) : null);

export const agentCommands: Command[] = [
  {
    name: 'exec',
    usage: [
      [
        'exec NAME [--timeout-s N] -- CMD ARGS…',
        'run a command in the guest through its guest agent; prints its\noutput and exits with its exit code (timeout 60 s unless said)',
      ],
    ],
    options: execOptions,
    positionals: (argv) => words(argv, execOptions).length,
    service: true,
    prepare: ({ values: v, args }) => {
      const [vm, ...argv] = args;
      if (!vm || !argv.length || !argv[0]) throw new UsageError(m('agent.noCommand'));
      let timeoutS: number | undefined;
      if (v['timeout-s'] !== undefined) {
        timeoutS = Number(v['timeout-s']);
        if (!Number.isInteger(timeoutS) || timeoutS < 1 || timeoutS > EXEC_TIMEOUT_MAX_S)
          throw new UsageError(m('agent.badTimeout', { max: EXEC_TIMEOUT_MAX_S }));
      }
      return async (client) => {
        const result = await client.execInGuest(vm, argv, timeoutS);
        process.stdout.write(result.stdout);
        process.stderr.write(result.stderr);
        if (result.truncated) process.stderr.write(`${m('cli.execTruncated').message}\n`);
        return result.signal !== null ? 128 + result.signal : result.exitCode;
      };
    },
  },
  {
    name: 'copy',
    usage: [
      ['copy NAME HOSTFILE :GUESTPATH', 'copy a host file into the guest through its guest agent\n(:DIR/ keeps the file name)'],
      ['copy NAME :GUESTPATH HOSTFILE', 'copy a guest file to the host (written whole or not at all)'],
    ],
    options: {},
    positionals: 3,
    service: true,
    prepare: ({ args: [vm, from, to] }) => {
      const [inGuestFrom, inGuestTo] = [guestSide(from!), guestSide(to!)];
      if ((inGuestFrom === null) === (inGuestTo === null) || inGuestFrom === '' || inGuestTo === '') throw new UsageError(m('cli.copyWhich'));
      return async (client) => {
        const { bytes } = await withProgress(client, vm!, () =>
          inGuestTo !== null ? client.copyToGuest(vm!, path.resolve(from!), inGuestTo) : client.copyFromGuest(vm!, inGuestFrom!, path.resolve(to!)),
        );
        return bytes >= 0 ? 0 : 1;
      };
    },
  },
];
