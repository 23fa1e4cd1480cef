// The same GUI flow in the Electron app. Runs wherever an Electron binary exists
// (ELECTRON_EXEC_PATH, or the one the electron package downloaded); skipped with the
// reason elsewhere. No binary can be downloaded on our build machines.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron, test } from '@playwright/test';
import { tinyGuest } from '../support/guest';
import { fullFlow } from './flow';

function electronBinary(): string | null {
  if (process.env.ELECTRON_EXEC_PATH) return fs.existsSync(process.env.ELECTRON_EXEC_PATH) ? process.env.ELECTRON_EXEC_PATH : null;
  try {
    const pathFile = path.join(path.dirname(require.resolve('electron/package.json')), 'path.txt');
    const exe = path.join(path.dirname(pathFile), 'dist', fs.readFileSync(pathFile, 'utf8').trim());
    return fs.existsSync(exe) ? exe : null;
  } catch {
    return null;
  }
}

const exe = electronBinary();

test.describe('Electron app', () => {
  test.skip(!exe, 'No Electron binary here: set ELECTRON_EXEC_PATH to one (the electron package cannot download its binary on this machine).');

  test('create, start, console, pause, resume, shut down, delete in the Electron window', async ({}, info) => {
    const guest = await tinyGuest('amd64');
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-electron-'));
    // executablePath is always given: without it Playwright would require('electron') and try a download.
    const app = await electron.launch({ executablePath: exe!, args: [path.resolve(__dirname, '..', '..')], env: { ...process.env, GUESTHOUSE_HOME: home } });
    try {
      const page = await app.firstWindow();
      await fullFlow(page, guest, info);
    } finally {
      await app.close();
    }
  });
});
