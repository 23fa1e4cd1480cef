// The library's index: a scan parses only the vm.json files that changed since it last read
// them, whoever changed them. Real files in a temporary library; `read` is counted.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Library } from '../../../../../core/node/library/library';
import { configFile } from '../../../../../core/node/shared/vmFolder';
import { sampleConfig } from '../../../../support/sampleConfig';
import { tempHome } from '../../../../support/service';

class CountingLibrary extends Library {
  reads: string[] = [];
  protected override read(dir: string, name: string, file: string) {
    this.reads.push(name);
    return super.read(dir, name, file);
  }
}

const vm = (name: string, uuid: string) => ({ ...sampleConfig, identity: { ...sampleConfig.identity, name, uuid } });

describe('Library index', () => {
  it('parses each vm.json once, and again only when the file changes', () => {
    const library = new CountingLibrary(tempHome('lib'));
    const a = library.create(vm('a', '00000000-0000-4000-8000-00000000000a'));
    library.create(vm('b', '00000000-0000-4000-8000-00000000000b'));
    expect(library.scan().entries.map((e) => e.config.identity.name)).toEqual(['a', 'b']);
    library.reads = [];
    library.find('a');
    library.lookup('B');
    library.scan();
    expect(library.reads).toEqual([]);

    // A write of its own is seen ...
    library.writeConfig(a, { ...vm('a', '00000000-0000-4000-8000-00000000000a'), cpus: 3 });
    expect(library.find('a').config.cpus).toBe(3);
    // ... and so is one by another process, even one that keeps the inode and the size.
    const file = configFile(a);
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.replace('"cpus": 3', '"cpus": 4'));
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect(library.find('a').config.cpus).toBe(4);
    expect(library.reads).toEqual(['a', 'a']);
  });

  it('sees a file broken behind its back, a folder that goes, and hands out copies', () => {
    const library = new Library(tempHome('lib'));
    const a = library.create(vm('a', '00000000-0000-4000-8000-00000000000a'));
    const b = library.create(vm('b', '00000000-0000-4000-8000-00000000000b'));
    library.find('a').config.cpus = 99; // a caller's change stays the caller's
    expect(library.find('a').config.cpus).toBe(sampleConfig.cpus);
    fs.writeFileSync(configFile(a), '{ not json');
    // (Its id: the folder's name, as neither the file nor a backup, none yet, spells a uuid.)
    expect(library.scan().inaccessible.map((i) => [i.name, i.id])).toEqual([['a', 'a']]);
    fs.rmSync(b, { recursive: true });
    expect(library.scan().entries).toEqual([]);
    expect(fs.existsSync(path.join(library.root, 'a'))).toBe(true);
  });
});
