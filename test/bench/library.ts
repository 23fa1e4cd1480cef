// The library with 200 VMs: a scan (what every list, lookup and find does) with the index,
// against parsing every vm.json as a library without one does (a fresh Library each time).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { VmConfig } from '../../core/common/config';
import { sampleConfig } from '../support/sampleConfig';
import { Library } from '../../core/node/library/library';
import { pairResult, type PairResult } from './stats';

const VMS = 200;

function config(i: number): VmConfig {
  const hex = i.toString(16).padStart(12, '0');
  return { ...sampleConfig, disks: [], identity: { ...sampleConfig.identity, uuid: `00000000-0000-4000-8000-${hex}`, name: `vm-${i}` } };
}

const ms = (f: () => void, times: number): number => {
  const t = performance.now();
  for (let i = 0; i < times; i++) f();
  return (performance.now() - t) / times;
};

export function benchLibrary(o: { pairs: number; warmup: number }): PairResult {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-bench-lib-'));
  try {
    const library = new Library(home);
    for (let i = 0; i < VMS; i++) library.create(config(i));
    const pairs: [number, number][] = [];
    for (let i = 0; i < o.warmup + o.pairs; i++) {
      const indexed = ms(() => library.scan(), 10);
      const parsed = ms(() => new Library(home).scan(), 10);
      if (i >= o.warmup) pairs.push([indexed, parsed]);
    }
    return pairResult(`list ${VMS} VMs`, 'ms', 'indexed scan', 'parse every vm.json', pairs, 'lower', 'what each list, lookup and find costs');
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}
