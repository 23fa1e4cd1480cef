// The layers' import boundaries are held by ESLint (eslint.config.mjs, run by `npm run lint`
// over the whole tree). This test shows that the rules catch each way across a boundary
// (static import, export-from, import(), require(), bare and node: built-ins, ipcMain) and
// let through what the layers allow, so a change to the config cannot quietly open one.
import path from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..', '..');
const BOUNDARY_RULES = new Set(['layers/imports-downward', 'no-restricted-imports', 'no-restricted-syntax']);

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

/** The boundary rules a line of code breaks in a file at `file` (a path from the repository root). */
async function broken(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport {};\n`, { filePath: path.join(root, file) });
  return result!.messages.filter((m) => m.fatal || BOUNDARY_RULES.has(m.ruleId ?? '')).map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

const refused: [string, string, string][] = [
  // renderer <- core/common only; no Node, no Electron.
  ['renderer/src/components/X.tsx', "import { VmService } from '../../../core/node/service/vmService';", 'layers/imports-downward'],
  ['renderer/src/X.ts', "import type { Args } from '../../main/cli/args';", 'layers/imports-downward'],
  ['renderer/src/X.ts', "export * from '../../main/preload/channels';", 'layers/imports-downward'],
  ['renderer/src/X.ts', "void import('../../core/node/shared/paths');", 'layers/imports-downward'],
  ['renderer/src/X.ts', "import fs from 'fs';", 'no-restricted-imports'],
  ['renderer/src/X.ts', "import { readFile } from 'node:fs/promises';", 'no-restricted-imports'],
  ['renderer/src/X.ts', "import { join } from 'path/posix';", 'no-restricted-imports'],
  ['renderer/src/X.ts', "const cp = require('child_process'); cp.fork('x');", 'no-restricted-syntax'],
  ['renderer/src/X.ts', "void import('node:os');", 'no-restricted-syntax'],
  ['renderer/src/X.ts', "import { ipcRenderer } from 'electron';", 'no-restricted-imports'],
  ['renderer/src/X.ts', "import WebSocket from 'ws';", 'no-restricted-imports'],
  // core/common: nothing from Node, core/node or main.
  ['core/common/x.ts', "import { promises } from 'fs';", 'no-restricted-imports'],
  ['core/common/x.ts', "import { spawn } from 'node:child_process';", 'no-restricted-imports'],
  ['core/common/x.ts', "const p = require('node:path'); p.join('a');", 'no-restricted-syntax'],
  ['core/common/x.ts', "import { runtimeDir } from '../node/shared/paths';", 'layers/imports-downward'],
  ['core/common/i18n/x.ts', "import type { Library } from '../../node/library/library';", 'layers/imports-downward'],
  ['core/common/x.ts', "const w = require('../../main/server/web'); w.x();", 'layers/imports-downward'],
  ['core/common/x.ts', "import { app } from 'electron';", 'no-restricted-imports'],
  // core/node: never main, the renderer or Electron.
  ['core/node/service/x.ts', "import { parseArgs } from '../../cli/args';", 'layers/imports-downward'],
  ['core/node/x.ts', "import { App } from '../../renderer/src/App';", 'layers/imports-downward'],
  ['core/node/guestHost/x.ts', "import { utilityProcess } from 'electron';", 'no-restricted-imports'],
  // core/node/guestHost: never the service or the library; core/node/service: never an engine's code.
  ['core/node/guestHost/x.ts', "import { VmService } from '../service/vmService';", 'layers/imports-downward'],
  ['core/node/guestHost/qemu/x.ts', "import type { Library } from '../../library/library';", 'layers/imports-downward'],
  ['core/node/guestHost/x.ts', "void import('../host/hostProbe');", 'layers/imports-downward'],
  ['core/node/service/x.ts', "import { buildQemuArgv } from '../guestHost/qemu/argv';", 'layers/imports-downward'],
  ['core/node/service/x.ts', "import { V86Engine } from '../guestHost/v86/engine';", 'layers/imports-downward'],
  // main: the service and CLI never reach into Electron; only the IPC wrappers touch ipcMain/ipcRenderer.
  ['main/server/x.ts', "import { app } from 'electron';", 'no-restricted-imports'],
  ['main/server/x.ts', "import { run } from '../cli/main';", 'layers/imports-downward'],
  ['main/cli/x.ts', "const e = require('electron'); e.app.quit();", 'no-restricted-syntax'],
  ['main/electron/main.ts', "import { ipcMain } from 'electron';", 'no-restricted-imports'],
  ['main/electron/main.ts', "import * as electron from 'electron'; electron.ipcMain.on('x', () => undefined);", 'no-restricted-syntax'],
  ['main/preload/other.ts', "import { ipcRenderer } from 'electron';", 'no-restricted-imports'],
  ['main/preload/other.ts', "import { VmService } from '../../core/node/service/vmService';", 'layers/imports-downward'],
];

const allowed: [string, string][] = [
  ['renderer/src/components/X.tsx', "import { m } from '../../../core/common/messages';"],
  ['renderer/src/X.ts', "import { useState } from 'react';"],
  ['core/common/i18n/x.ts', "import { z } from 'zod'; import { m } from '../messages';"],
  ['core/node/service/x.ts', "import fs from 'node:fs'; import { m } from '../../common/messages'; import { Library } from '../library/library';"],
  ['core/node/guestHost/v86/x.ts', "const v = require('v86');"],
  ['core/node/guestHost/qemu/x.ts', "import { logFile } from '../../shared/vmFolder'; import { m } from '../../../common/messages';"],
  ['main/cli/x.ts', "import { startWebServer } from '../server/web'; import { VmService } from '../../core/node/service/vmService';"],
  ['main/electron/main.ts', "import { app, BrowserWindow } from 'electron'; import { serveIpc } from './ipc';"],
  ['main/electron/ipc.ts', "import { ipcMain } from 'electron'; ipcMain.on('x', () => undefined);"],
  ['main/preload/preload.ts', "import { ipcRenderer } from 'electron'; ipcRenderer.send('x');"],
  ['test/unit/x.test.ts', "import fs from 'node:fs'; import { serveIpc } from '../../main/electron/ipc';"],
];

describe('layers import downward only (eslint.config.mjs)', () => {
  it.each(refused)('%s: %s is refused', async (file, code, rule) => {
    expect(await broken(file, code)).toContain(rule);
  });

  it.each(allowed)('%s: %s is allowed', async (file, code) => {
    expect(await broken(file, code)).toEqual([]);
  });
});
