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

/** A child process that rewrites vm.json in a loop with the real library code, `configs[0]` first. */
function writerScript(dir: string, configs: string[]): string {
  return `
    const { Library } = require(${JSON.stringify(path.join(OUT, 'library', 'library.js'))});
    const lib = new Library(${JSON.stringify(path.dirname(path.dirname(dir)))});
    const configs = ${JSON.stringify(configs.map((c) => JSON.parse(c)))};
    // One dot after each config written, so the test can pull the plug at a chosen write.
    for (let i = 0; ; i++) {
      lib.writeConfig(${JSON.stringify(dir)}, configs[i % 2]);
      process.stdout.write('.');
    }
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
    let killedMidWrite = 0;
    // At least 25 rounds, and on until the case this test is for has happened a few times (a
    // kill that lands mid-write leaves a temp file): where it lands is up to the scheduler.
    let round = 0;
    for (; round < 25 || (killedMidWrite < 3 && round < 400); round++) {
      // The file holds a; the writer starts with b, so every write changes it.
      const child = spawn(process.execPath, ['-e', writerScript(dir, [valid[1]!, valid[0]!])], { stdio: ['ignore', 'pipe', 'inherit'] });
      // Pull the plug once it has written a varying number of configs: the kill lands in a later write.
      const writes = 1 + (round % 4);
      await new Promise<void>((resolve) => {
        let dots = 0;
        child.stdout.on('data', (chunk: Buffer) => {
          dots += chunk.length;
          if (dots >= writes) resolve();
        });
      });
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      // A temp file left behind (vm.json's or its backup's): the kill landed while a file was half written.
      if (fs.readdirSync(dir).some((name) => name.endsWith(`.${child.pid}.tmp`))) killedMidWrite++;
      const backup = path.join(dir, 'vm.json.bak');
      if (fs.existsSync(backup)) expect(valid).toContain(fs.readFileSync(backup, 'utf8'));
      const text = fs.readFileSync(file, 'utf8');
      expect(valid).toContain(text);
      seen.add(valid.indexOf(text));
      expect(parseConfigText(text, file).identity.uuid).toBe(sampleConfig.identity.uuid);
    }
    // The library still lists the VM (leftover temp files are ignored).
    expect(lib.list().map((e) => e.config.identity.name)).toEqual([sampleConfig.identity.name]);
    // The case this test is for happened: some kills landed mid-write, and the writes
    // between them went through, each config replacing the other.
    expect(killedMidWrite, `kills that landed mid-write in ${round} rounds`).toBeGreaterThan(0);
    expect(seen.size).toBe(2);
  });

  it('a VM locked by another live process cannot be taken; a dead owner’s lock can', async () => {
    const home = tempHome();
    const lib = new Library(home);
    const dir = lib.create(sampleConfig);
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const { Library } = require(${JSON.stringify(path.join(OUT, 'library', 'library.js'))}); new Library(${JSON.stringify(home)}).lock(${JSON.stringify(dir)}, 'web'); process.stdout.write('locked\\n'); setInterval(() => {}, 1000);`,
      ],
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
