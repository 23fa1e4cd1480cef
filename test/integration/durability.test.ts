// Config writes survive a service killed mid-write; the VM lock holds across processes.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../core/common/config';
import { Library } from '../../core/node/library/library';
import { sampleConfig } from '../support/sampleConfig';
import { tempHome } from '../support/service';

const OUT = path.resolve(__dirname, '..', '..', 'out', 'core', 'node');

/** A child process that rewrites vm.json in a loop with the real library code. */
function writerScript(dir: string, configs: string[]): string {
  return `
    const { Library } = require(${JSON.stringify(path.join(OUT, 'library', 'library.js'))});
    const lib = new Library(${JSON.stringify(path.dirname(path.dirname(dir)))});
    const configs = ${JSON.stringify(configs.map((c) => JSON.parse(c)))};
    let i = 0;
    process.stdout.write('writing\\n');
    for (;;) lib.save(${JSON.stringify(dir)}, configs[i++ % 2]);
  `;
}

describe('config durability', () => {
  it('a process killed while writing a config leaves the old or the new file, never a broken one', async () => {
    const home = tempHome();
    const lib = new Library(home);
    const a = { ...sampleConfig, memoryMib: 256 };
    // A large config makes each write long enough that kills land mid-write.
    const b = { ...sampleConfig, memoryMib: 512, directBoot: { kernelPath: '/k', initrdPath: null, append: 'x'.repeat(4000) } };
    const dir = lib.create(a);
    const file = path.join(dir, 'vm.json');
    const valid = [JSON.stringify(a, null, 2) + '\n', JSON.stringify(b, null, 2) + '\n'];
    const seen = new Set<number>();
    for (let round = 0; round < 25; round++) {
      const child = spawn(process.execPath, ['-e', writerScript(dir, valid)], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      // Let it write for a varying moment, then pull the plug.
      await new Promise((r) => setTimeout(r, 1 + ((round * 7) % 23)));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const text = fs.readFileSync(file, 'utf8');
      expect(valid).toContain(text);
      seen.add(valid.indexOf(text));
      expect(parseConfigText(text, file).identity.uuid).toBe(sampleConfig.identity.uuid);
    }
    // The library still lists the VM (leftover temp files are ignored).
    expect(lib.list().map((e) => e.config.identity.name)).toEqual([sampleConfig.identity.name]);
    expect(seen.size).toBeGreaterThan(0);
  });

  it('a VM locked by another live process cannot be taken; a dead owner’s lock can', async () => {
    const home = tempHome();
    const lib = new Library(home);
    const dir = lib.create(sampleConfig);
    const holder = spawn(
      process.execPath,
      ['-e', `const { Library } = require(${JSON.stringify(path.join(OUT, 'library', 'library.js'))}); new Library(${JSON.stringify(home)}).lock(${JSON.stringify(dir)}, 'web'); process.stdout.write('locked\\n'); setInterval(() => {}, 1000);`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    expect(() => lib.lock(dir, 'web')).toThrow(`"web" is already running in another Guesthouse (process ${holder.pid}).`);
    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('exit', r));
    const unlock = lib.lock(dir, 'web');
    expect(fs.readFileSync(path.join(dir, '.guesthouse.lock'), 'utf8')).toBe(String(process.pid));
    unlock();
    expect(fs.existsSync(path.join(dir, '.guesthouse.lock'))).toBe(false);
  });
});
