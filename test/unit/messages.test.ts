import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { en, format, ko, localeOf, localize, m, type MessageKey } from '../../core/common/messages';
import { GuesthouseError, throwProblems } from '../../core/common/errors';
import { assertAction } from '../../core/common/state';
import { describeIssues, hostProblems, vmConfigSchema } from '../../core/common/config';

const keys = Object.keys(en) as MessageKey[];
const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((x) => x[1]).sort();

/** Sample values per parameter: a sentence for sentence parameters, a term for term parameters. */
function sample(name: string): { value: string; ko: string } {
  if (['list', 'detail', 'hint', 'reason', 'where'].includes(name)) return { value: en['exit.poweredOff'], ko: ko['exit.poweredOff'] };
  if (name === 'what') return { value: 'disk', ko: '디스크' };
  if (['state', 'from', 'to'].includes(name)) return { value: 'running', ko: '실행 중' };
  return { value: `<${name}-7>`, ko: `<${name}-7>` };
}

describe('the core message catalog', () => {
  it('has every English sentence in Korean with the same placeholders', () => {
    expect(Object.keys(ko).sort()).toEqual([...keys].sort());
    for (const key of keys) expect(placeholders(ko[key]), key).toEqual(placeholders(en[key]));
  });

  it('has no two English templates alike and none made of placeholders alone', () => {
    expect(new Set(Object.values(en)).size).toBe(keys.length);
    for (const key of keys) expect(en[key].replace(/\{\{\w+\}\}/g, '').trim().length, key).toBeGreaterThan(1);
  });

  it('turns every English sentence back into its Korean one', () => {
    for (const key of keys) {
      const names = placeholders(en[key]);
      const english = format(en[key], Object.fromEntries(names.map((n) => [n, sample(n!).value])));
      const korean = format(ko[key], Object.fromEntries(names.map((n) => [n, sample(n!).ko])));
      expect(localize(english, 'ko'), key).toBe(korean);
    }
  });

  it('leaves English alone, and what it does not know', () => {
    const s = m('vm.notFound', { ref: 'web' });
    expect(localize(s, 'en-US')).toBe(s);
    expect(localize('qemu-system-x86_64: -m 99999999: cannot set up guest memory', 'ko')).toBe('qemu-system-x86_64: -m 99999999: cannot set up guest memory');
    expect(localeOf('ko_KR.UTF-8')).toBe('ko');
    expect(localeOf('fr')).toBe('en');
  });

  it('translates the sentences the core really forms, including composite ones', () => {
    const action = (() => {
      try {
        assertAction('modify', 'running', 'web.01');
      } catch (err) {
        return (err as GuesthouseError).message;
      }
    })()!;
    expect(action).toBe('Cannot change the settings of "web.01" because it is running. Stop it first.');
    expect(localize(action, 'ko')).toBe('"web.01"은(는) 실행 중 상태라서 설정을 바꿀 수 없습니다. 먼저 정지하세요.');

    const problems = [...hostProblems({ memoryMib: 999_999, cpus: 99 }, { memoryTotalMib: 24_000, logicalCpus: 2 })];
    let many = '';
    try {
      throwProblems(problems, 'new VM');
    } catch (err) {
      many = (err as GuesthouseError).message;
    }
    expect(localize(many, 'ko')).toBe(
      '새 VM에 문제가 2개 있습니다: 메모리 999999 MiB는 이 호스트의 메모리(24000 MiB)보다 많습니다. CPU 99개는 이 호스트의 CPU(2개)보다 많습니다.',
    );

    const issues = vmConfigSchema.safeParse({ version: 1, identity: { uuid: 'x', name: '../x', osType: 'linux-x64', createdAt: '' }, cpus: 0, memoryMib: 8 });
    const sentences = describeIssues(issues.error!);
    expect(sentences).toContain('The name must not contain / or \\.');
    expect(sentences.map((s) => localize(s, 'ko'))).toEqual(expect.arrayContaining(['이름에 / 또는 \\ 를 쓸 수 없습니다.', '메모리는 16 MiB 이상이어야 합니다.', 'VM id는 UUID여야 합니다.']));
  });

  it('is where the core keeps its sentences: no core or server source spells one out itself', () => {
    const root = path.resolve(__dirname, '..', '..');
    const files = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
    const offenders: string[] = [];
    for (const file of [...files(path.join(root, 'core')), ...files(path.join(root, 'main', 'electron'))]) {
      if (file.endsWith('messages.ts')) continue;
      fs.readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/^\s*(\/\/|\*|\/\*\*)/.test(line)) return;
          // A capitalised English sentence in quotes that ends in a full stop or question mark.
          if (/(['`])[A-Z"][^'`]*\b[a-z]{2,}\b[^'`]*[.?]\1/.test(line)) offenders.push(`${path.relative(root, file)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });
});
