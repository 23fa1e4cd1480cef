#!/usr/bin/env node
// Hosts this machine is not, made from the real QEMU: a KVM that hangs once the guest enters
// 64-bit mode (nested KVM on some CI machines), or one that aborts at the first vCPU run.
// A fake qemu-system-x86_64 on GUESTHOUSE_QEMU_DIR runs the real QEMU, but turns
// `-accel kvm -cpu host` into TCG with a CPU without long mode (real and protected mode run,
// 64-bit code never does), or into QEMU's "KVM internal error" abort; GUESTHOUSE_KVM_DEVICE
// points at a file standing in for /dev/kvm. Everything else is real.
//
//   node test/hosts/simulatedHost.mjs kvm-hang|kvm-abort -- COMMAND ARGS...
// runs COMMAND on such a host with an empty cache (so the accelerator probe runs afresh).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const which = (name) => execFileSync('sh', ['-c', 'command -v "$1"', 'sh', name], { encoding: 'utf8' }).trim();

/**
 * A QEMU folder under `root` whose x86_64 binary fakes a broken KVM ('hang' or 'abort'). Each
 * run with KVM appends "run PID" to `calls` (the PID is QEMU's: the script execs it).
 * GH_TEST_EXTRA_QMP adds a monitor socket for a test.
 */
export function fakeQemuDir(kind, root) {
  const dir = path.join(root, `qemu-${kind}`);
  fs.mkdirSync(dir, { recursive: true });
  const calls = path.join(dir, 'kvm-runs.log');
  const onKvm =
    kind === 'hang'
      ? // No long mode: the CPU resets at the switch to 64-bit, and (without -no-reboot) starts over for ever.
        `for a; do shift; case "$a" in kvm) a=tcg;; host) a=qemu64,-lm;; -no-reboot) continue;; esac; set -- "$@" "$a"; done`
      : `echo "KVM internal error. Suberror: 1" >&2; echo "emulation failure" >&2; kill -ABRT $$`;
  fs.writeFileSync(
    path.join(dir, 'qemu-system-x86_64'),
    `#!/bin/sh
# Test double for a host whose KVM is broken (${kind}); see test/hosts/simulatedHost.mjs.
case " $* " in *" kvm "*) echo "run $$" >> "${calls}"; ${onKvm};; esac
if [ -n "$GH_TEST_EXTRA_QMP" ]; then set -- "$@" -qmp "unix:$GH_TEST_EXTRA_QMP,server=on,wait=off"; fi
exec ${which('qemu-system-x86_64')} "$@"
`,
    { mode: 0o755 },
  );
  for (const other of ['qemu-img', 'qemu-system-i386']) {
    const link = path.join(dir, other);
    if (!fs.existsSync(link)) fs.symlinkSync(which(other), link);
  }
  return { dir, calls };
}

/** The environment of a host with a broken KVM under `root`: the fake QEMU, a stand-in /dev/kvm, an empty cache. */
export function brokenKvmEnv(kind, root, extra = {}) {
  const { dir, calls } = fakeQemuDir(kind, root);
  const device = path.join(root, 'kvm-device');
  fs.writeFileSync(device, '');
  return { ...process.env, GUESTHOUSE_QEMU_DIR: dir, GUESTHOUSE_KVM_DEVICE: device, GUESTHOUSE_CACHE_DIR: path.join(root, 'cache'), ...extra, calls };
}

/** The "run PID" lines the fake QEMU wrote: one per KVM run. */
export function kvmRuns(calls) {
  return fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8').split('\n').filter(Boolean) : [];
}

const kinds = { 'kvm-hang': 'hang', 'kvm-abort': 'abort' };

function main(argv) {
  const [host, sep, command, ...args] = argv;
  if (!(host in kinds) || sep !== '--' || !command) {
    console.error(`Usage: simulatedHost.mjs ${Object.keys(kinds).join('|')} -- COMMAND ARGS...`);
    process.exit(2);
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `gh-${host}-`));
  const { calls: _calls, ...env } = brokenKvmEnv(kinds[host], root);
  console.log(
    `Simulated host: ${host} (GUESTHOUSE_QEMU_DIR=${env.GUESTHOUSE_QEMU_DIR}, GUESTHOUSE_KVM_DEVICE=${env.GUESTHOUSE_KVM_DEVICE}, empty GUESTHOUSE_CACHE_DIR)`,
  );
  const child = spawn(command, args, { env, stdio: 'inherit' });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward).on('SIGTERM', forward);
  child.once('exit', (code, signal) => {
    fs.rmSync(root, { recursive: true, force: true });
    process.exit(code ?? (signal ? 1 : 0));
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
