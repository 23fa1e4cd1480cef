import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogs, en, format, isSentenceData, ko, localeOf, m, sentences, type MessageKey, type SentenceData } from '../../../../core/common/messages';
import { fromErrorData, GuesthouseError, sentenceOf, throwProblems, toErrorData, type ErrorData } from '../../../../core/common/errors';
import { assertAction } from '../../../../core/common/state';
import { describeIssues, hostProblems, parseOrThrow, vmConfigSchema } from '../../../../core/common/config';
import { createVmRequestSchema, errorDataSchema, sentenceDataSchema } from '../../../../core/common/apiSchemas';
import type { IVmService } from '../../../../core/common/api';
import { connectService, type ClientMessage, type ServerMessage, type Transport } from '../../../../core/common/rpc';
import { serveConnection } from '../../../../core/common/rpcServer';
import { decodeJson, encodeJson } from '../../../../core/common/wire';
import { coreText } from '../../../../renderer/src/coreText';
import { problemAt, toUiError } from '../../../../renderer/src/useService';

const keys = Object.keys(en) as MessageKey[];
const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((x) => x[1]).sort();

/** What an error becomes on its way to the GUI: plain data, through JSON (the socket and WebSocket transports), and back. */
const overTheWire = (err: unknown): GuesthouseError => fromErrorData(decodeJson(encodeJson(toErrorData(err))) as ErrorData);

const thrown = (work: () => unknown): unknown => {
  try {
    work();
  } catch (err) {
    return err;
  }
  throw new Error('nothing was thrown');
};

describe('the core message catalogs', () => {
  it('have every key in both languages, with the same placeholders, and no empty sentence', () => {
    for (const [name, catalog] of Object.entries(catalogs)) {
      const own = Object.keys(catalog);
      expect(
        keys.filter((k) => !own.includes(k)),
        `keys ${name} lacks`,
      ).toEqual([]);
      expect(
        own.filter((k) => !(keys as string[]).includes(k)),
        `keys only ${name} has`,
      ).toEqual([]);
      for (const key of keys) {
        expect(catalog[key].trim(), `${name} ${key}`).not.toBe('');
        expect(placeholders(catalog[key]), `${name} ${key}`).toEqual(placeholders(en[key]));
      }
    }
  });

  it('say a sentence by key in the language asked, and keep English as the text', () => {
    const s = m('vm.notFound', { ref: 'web' });
    expect(s).toMatchObject({ key: 'vm.notFound', params: { ref: 'web' }, message: 'There is no VM named "web".' });
    expect(String(s)).toBe('There is no VM named "web".');
    expect(coreText(s, 'ko')).toBe('"web"(이)라는 VM이 없습니다.');
    expect(coreText(s, 'en-US')).toBe(s.message);
    expect(localeOf('ko_KR.UTF-8')).toBe('ko');
    expect(localeOf('fr')).toBe('en');
  });

  it('say sentences inside sentences, and several in a row, in the same language', () => {
    const crashed = m('vm.crashedWhy', { name: 'web', reason: m('exit.qemuKilled', { signal: 'SIGKILL' }) });
    expect(crashed.message).toBe('"web" crashed: QEMU was killed by SIGKILL.');
    expect(coreText(crashed, 'ko')).toBe('"web"이(가) 비정상 종료되었습니다: QEMU가 SIGKILL(으)로 강제 종료되었습니다.');
    // As data from another process (no Sentence objects there), it says the same.
    expect(coreText(JSON.parse(JSON.stringify(crashed)) as SentenceData, 'ko')).toBe(coreText(crashed, 'ko'));

    const two = sentences(m('accel.envInvalid', { value: 'xyz' }), m('accel.choiceTcg'));
    expect(two.message).toBe(`${en['accel.envInvalid'].replace('{{value}}', 'xyz')} ${en['accel.choiceTcg']}`);
    expect(coreText(two, 'ko')).toBe(`${ko['accel.envInvalid'].replace('{{value}}', 'xyz')} ${ko['accel.choiceTcg']}`);
  });

  it('show words that are not ours as they are, and a key this build does not know by its English', () => {
    const qemu = 'qemu-system-x86_64: -m 99999999: cannot set up guest memory';
    expect(coreText(qemu, 'ko')).toBe(qemu);
    expect(coreText({ message: qemu }, 'ko')).toBe(qemu);
    expect(coreText(m('qemu.cannotStart', { detail: qemu }), 'ko')).toBe(`QEMU가 VM을 시작하지 못했습니다: ${qemu}`);
    expect(coreText({ message: 'From a newer service.', key: 'no.such' as MessageKey }, 'ko')).toBe('From a newer service.');
    expect(coreText({ message: 'Not a key.', key: 'toString' as MessageKey }, 'ko')).toBe('Not a key.');
  });

  it('name states and what a request is by key', () => {
    const err = thrown(() => assertAction('modify', 'running', 'web.01')) as GuesthouseError;
    expect(err.message).toBe('Cannot change the settings of "web.01" because it is running. Stop it first.');
    expect(coreText(overTheWire(err), 'ko')).toBe('"web.01"은(는) 실행 중 상태라서 설정을 바꿀 수 없습니다. 먼저 정지하세요.');

    const many = thrown(() => throwProblems(hostProblems({ memoryMib: 999_999, cpus: 99 }, { memoryTotalMib: 24_000, logicalCpus: 2 }), 'new VM'));
    expect(coreText(overTheWire(many), 'ko')).toBe(
      '새 VM에 문제가 2개 있습니다: 메모리 999999 MiB는 이 호스트의 메모리(24000 MiB)보다 많습니다. CPU 99개는 이 호스트의 CPU(2개)보다 많습니다.',
    );

    const path = thrown(() => parseOrThrow(vmConfigSchema.shape.optical, { isoPath: '' }, 'VM')) as GuesthouseError;
    expect(path.message).toBe('The ISO path must not be empty.');
    expect(coreText(overTheWire(path), 'ko')).toBe('ISO 경로를 비워 둘 수 없습니다.');
    expect(path.field).toBe('iso');
  });

  it('give each schema problem its own sentence and form field', () => {
    const issues = vmConfigSchema.safeParse({ version: 2, identity: { uuid: 'x', name: '../x', osType: 'linux-x64', createdAt: '' }, cpus: 0, memoryMib: 8 });
    const problems = describeIssues(issues.error!);
    expect(problems.map((p) => [p.message, p.field])).toEqual(
      expect.arrayContaining([
        ['The name must not contain / or \\.', 'name'],
        ['Memory must be at least 16 MiB.', 'memory'],
        ['The CPU count must be a whole number of at least 1.', 'cpus'],
        ['The VM id must be a UUID.', undefined],
      ]),
    );
    expect(problems.map((p) => coreText(p, 'ko'))).toEqual(
      expect.arrayContaining(['이름에 / 또는 \\ 를 쓸 수 없습니다.', '메모리는 16 MiB 이상이어야 합니다.', 'VM id는 UUID여야 합니다.']),
    );
  });
});

describe('a sentence made in the core, in the GUI', () => {
  /** The GUI's side of a connection to a service that refuses input at the edge as the real one does (rpcServer), over JSON. */
  function guiClient(): IVmService {
    const service = {} as IVmService;
    let toServer: (m: unknown) => void = () => undefined;
    let toClient: (m: ServerMessage) => void = () => undefined;
    const server: Transport<unknown, ServerMessage> = {
      send: (msg) => queueMicrotask(() => toClient(decodeJson(encodeJson(msg)) as ServerMessage)),
      onMessage: (h) => void (toServer = h),
      onClose: () => undefined,
      close: () => undefined,
    };
    const client: Transport<ServerMessage, ClientMessage> = {
      send: (msg) => queueMicrotask(() => toServer(decodeJson(encodeJson(msg)))),
      onMessage: (h) => void (toClient = h),
      onClose: () => undefined,
      close: () => undefined,
    };
    serveConnection(service, server);
    return connectService(client);
  }

  it('comes as Korean by key, on the form field it is about, and is not taken for a bug', async () => {
    const err = toUiError(
      await guiClient()
        .createVm({ name: 'a/b', memoryMib: 8 })
        .catch((e: unknown) => e),
    );
    expect(err.bug).toBe(false);
    expect(err.message).toBe('The request has 2 problems: The name must not contain / or \\. Memory must be at least 16 MiB.');
    expect(coreText(err, 'ko')).toBe('요청에 문제가 2개 있습니다: 이름에 / 또는 \\ 를 쓸 수 없습니다. 메모리는 16 MiB 이상이어야 합니다.');
    expect(coreText(problemAt(err, 'name')!, 'ko')).toBe('이름에 / 또는 \\ 를 쓸 수 없습니다.');
    expect(coreText(problemAt(err, 'memory')!, 'ko')).toBe('메모리는 16 MiB 이상이어야 합니다.');
    expect(problemAt(err, 'disk')).toBeNull();
  });

  it('a single problem is the error itself, placed on its field', async () => {
    const err = toUiError(
      await guiClient()
        .createVm({ name: 'ok', memoryMib: 8 })
        .catch((e: unknown) => e),
    );
    expect(err).toMatchObject({ key: 'memory.min', field: 'memory', bug: false });
    expect(coreText(problemAt(err, 'memory')!, 'ko')).toBe('메모리는 16 MiB 이상이어야 합니다.');
  });

  it('a bug is flagged where it is made, whatever its wording', () => {
    const bug = toUiError(overTheWire(new TypeError('Cannot read properties of undefined.')));
    expect(bug.bug).toBe(true);
    expect(coreText(bug, 'ko')).toBe('Guesthouse 내부 오류: Cannot read properties of undefined.');
    expect(toUiError(overTheWire(new GuesthouseError('not-found', 'Hit an internal snag'))).bug).toBe(false);
    expect(toUiError(overTheWire(new GuesthouseError('internal', m('vm.noEngine', { name: 'x' })))).bug).toBe(true);
  });
});

describe('sentences and errors as data', () => {
  it('cross boundaries as plain data the edges check', () => {
    const data = toErrorData(
      thrown(() => parseOrThrow(createVmRequestSchema, { name: '', forwards: [{ protocol: 'tcp', hostPort: 0, guestPort: 22 }] }, 'new VM')),
    );
    expect(errorDataSchema.safeParse(data).success).toBe(true);
    expect(data.problems?.map((p) => p.field)).toEqual(['name', 'forwards']);
    const reason = sentenceOf(new GuesthouseError('engine-failed', m('qemu.cannotStart', { detail: m('qemu.exitedAtOnce') })));
    expect(sentenceDataSchema.safeParse(JSON.parse(JSON.stringify(reason))).success).toBe(true);
    expect(isSentenceData(reason)).toBe(true);
    // A key this build does not have, a parameter that is no value: refused.
    expect(isSentenceData({ message: 'x', key: 'no.such' })).toBe(false);
    expect(isSentenceData({ message: 'x', key: 'vm.notFound', params: { ref: { nested: true } } })).toBe(false);
    expect(sentenceDataSchema.safeParse({ message: 'x', key: 'no.such' }).success).toBe(false);
    // Error data that is not ErrorData becomes an internal error, not a half-read one.
    expect(fromErrorData({ code: 'nonsense', message: 1 } as unknown as ErrorData)).toMatchObject({ code: 'internal', bug: true });
  });

  it('fill templates as they are, leaving unknown placeholders', () => {
    expect(format('{{a}} and {{b}}', { a: 1 })).toBe('1 and {{b}}');
  });
});

/** Words English prose is made of and names, keys and identifiers are not. */
const FUNCTION_WORDS = 'the|a|an|to|of|is|are|was|for|in|on|with|not|no|and|or|from|by|at|its|this|that|has|cannot|could';

/** Whether a line of source (not a comment) spells English for a user: what the catalog is for. */
function spellsUserEnglish(line: string): boolean {
  // What a template literal fills in (${…}, which may hold quotes of its own) counts as one word.
  const filled = line.replace(/\$\{[^{}]*(\{[^{}]*\}[^{}]*)*\}/g, 'x');
  // A capitalised (or quoted) English sentence in quotes that ends in a full stop or question mark, perhaps with a line break.
  if (/(['`])["A-Z$][^'`]*\b[a-z]{2,}\b[^'`]*[.?](\\r)?(\\n)?\1/.test(filled)) return true;
  // A template literal that fills a sentence in: something filled in (a quoted name, perhaps), then its verb,
  // as in `"${name}" is ${state}…` (its full stop may come from what is filled in).
  const marked = line.replace(/\$\{[^{}]*(\{[^{}]*\}[^{}]*)*\}/g, '\u0000');
  for (const [literal] of marked.matchAll(/`[^`]*`/g)) {
    if (/(["']\u0000["']|\u0000) (is|are|was|were|has|have|had|cannot|could|can|will|did|does|must)\b/.test(literal)) return true;
  }
  // A short lowercase English phrase given as a value (a fallback, a default, a field's value), as in ?? 'the VM'.
  for (const [, , , phrase] of line.matchAll(/(\?\?|\|\||[^=!<>]=)\s*(['"])([^'"]*)\2/g)) {
    if (new RegExp(`(^|[\\s(])(${FUNCTION_WORDS}) \\S`).test(phrase!)) return true;
  }
  return false;
}

describe('where sentences live', () => {
  it('the check below sees English in the forms it has slipped through in', () => {
    const caught = [
      "throw new Error('The disk is full.');",
      'process.stderr.write(`"${e.name}" is ${e.state}${e.reason ? `: ${e.reason.message}` : \'.\'}\\n`);',
      'process.stderr.write(`\\r\\n"${name}" is ${e.state}${e.reason ? `: ${e.reason.message}` : \'.\'}\\r\\n`);',
      "const name = this.spec?.config.identity.name ?? 'the VM';",
      "readonly accelerator = 'v86 (x86 to WebAssembly JIT)';",
      "const what = label || 'a list of disks';",
    ];
    expect(caught.filter((line) => !spellsUserEnglish(line))).toEqual([]);
    const fine = [
      "const name = this.spec?.config.identity.name ?? m('term.theVm');",
      'readonly accelerator = null;',
      "parseOrThrow(hostSettingsSchema, settings, 'host settings');",
      'return n === 1 ? `${vmName}.${format}` : `${vmName}-${n}.${format}`;',
      "process.stderr.write(`${m('cli.connected', { name })}\\r\\n`);",
      'this.log.close(`${new Date().toISOString()} exit: ${exit.reason.message}\\n`);',
      "if (status === 'io-error' || status === 'guest-panicked') return;",
    ];
    expect(fine.filter((line) => spellsUserEnglish(line))).toEqual([]);
  });

  it('no core, service, CLI, preload or desktop source spells a user sentence outside the catalog', () => {
    const root = path.resolve(__dirname, '..', '..', '..', '..');
    const files = (dir: string): string[] =>
      fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
    const offenders: string[] = [];
    const dirs = ['core', 'main/electron', 'main/preload', 'main/cli', 'main/server'].map((d) => path.join(root, d));
    for (const file of dirs.flatMap(files)) {
      if (file.includes(`${path.sep}i18n${path.sep}`)) continue;
      fs.readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/^\s*(\/\/|\*|\/\*\*)/.test(line)) return;
          if (spellsUserEnglish(line)) offenders.push(`${path.relative(root, file)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });
});
