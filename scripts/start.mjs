// `npm start`: the desktop app, when the Electron binary is there. The electron package's
// own entry would try to download a missing binary and end in its stack traces; this says
// in one sentence what is missing and where the same GUI is without it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = path.join(root, 'node_modules', 'electron');

/** The Electron executable the electron package installed, or null, without downloading anything. */
function electronBinary() {
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const name = fs.existsSync(path.join(pkg, 'path.txt')) ? fs.readFileSync(path.join(pkg, 'path.txt'), 'utf8').trim() : 'electron';
    const file = path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, name);
    return fs.existsSync(file) ? file : null;
  }
  if (!fs.existsSync(path.join(pkg, 'path.txt'))) return null;
  const file = path.join(pkg, 'dist', fs.readFileSync(path.join(pkg, 'path.txt'), 'utf8').trim());
  return fs.existsSync(file) ? file : null;
}

const binary = electronBinary();
if (!binary) {
  const why = fs.existsSync(pkg)
    ? 'the Electron binary is not installed (node_modules/electron/dist is missing; "npx install-electron" fetches it)'
    : 'the electron package is not installed (run "npm install")';
  process.stderr.write(`Guesthouse cannot open its desktop window: ${why}; "npm run serve" opens the same GUI in a browser.\n`);
  process.exit(1);
}

const child = spawn(binary, [root, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
