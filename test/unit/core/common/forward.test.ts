import { describe, expect, it } from 'vitest';
import { forwardExposure, formatForward, hostfwdRefusal, parseForward } from '../../../../core/common/forward';

// QEMU 7.2's answers to hostfwd_add / hostfwd_remove through QMP's human-monitor-command, as
// recorded from qemu-system-x86_64 on this machine (a held port, a netdev that is not there,
// one that is not a user network, a port out of range, a removal twice).
const f = { protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 23456, guestPort: 80 };
const said = (op: 'add' | 'remove', text: string) => hostfwdRefusal(op, text, f, 'net0')?.message ?? null;

describe('QEMU hostfwd answers', () => {
  it('are taken when QEMU says it added or removed the rule', () => {
    expect(said('add', '')).toBeNull();
    expect(said('remove', 'host forwarding rule for tcp:127.0.0.1:23456 removed\r\n')).toBeNull();
  });

  it('each refusal becomes its own sentence, naming the port or the card', () => {
    expect(said('add', "Could not set up host forwarding rule 'tcp:127.0.0.1:23456-:80'\r\n")).toBe(
      'QEMU could not listen on host port 23456 (tcp) on 127.0.0.1: another program holds it, or it needs privileges. Nothing was changed.',
    );
    const noNetdev =
      'The running guest has no user network for card net0 (it was started with other cards); power it off to change its forwards. Nothing was changed.';
    expect(said('add', "unrecognized netdev id 'nope'\r\n")).toBe(noNetdev);
    expect(said('add', 'invalid device specified\r\n')).toBe(noNetdev);
    expect(said('add', "Invalid host forwarding rule 'tcp:127.0.0.1:99999-:80' (Bad host port)\r\n")).toBe(
      'QEMU refused the forward from host port 23456 to guest port 80 as invalid. Nothing was changed.',
    );
    expect(said('remove', 'host forwarding rule for tcp:127.0.0.1:23456 not found\r\n')).toBe(
      'The running guest has no forward on host port 23456 (tcp) on 127.0.0.1. Nothing was changed.',
    );
    // An answer this build does not know is said with QEMU's words; so is an empty one to a removal.
    expect(said('add', 'something new\r\n')).toBe('QEMU did not change the forward on host port 23456: something new. Nothing was changed.');
    expect(said('remove', '')).toBe('QEMU did not change the forward on host port 23456: "". Nothing was changed.');
  });
});

describe('forwards as text', () => {
  it('parse and format round trip, loopback left out', () => {
    expect(parseForward('tcp:8080:80')).toEqual({ protocol: 'tcp', hostPort: 8080, guestPort: 80 });
    expect(formatForward(parseForward('udp:0.0.0.0:5353:53'))).toBe('udp:0.0.0.0:5353:53');
    expect(formatForward({ ...f })).toBe('tcp:23456:80');
  });

  it('warn only of a forward that listens beyond loopback', () => {
    expect(forwardExposure({ hostPort: 1 })).toBeNull();
    expect(forwardExposure({ hostAddress: '127.0.0.2', hostPort: 1 })).toBeNull();
    expect(forwardExposure({ hostAddress: '0.0.0.0', hostPort: 8080 })?.message).toBe(
      'Host port 8080 listens on 0.0.0.0: other machines that reach this address can reach the guest through it.',
    );
  });
});
