/**
 * The Electron composition root: one window, the app menu, a single-instance lock,
 * secure defaults, and IPC serving IVmService. Guests run in utilityProcess guest hosts
 * owned by an in-process service, or in the headless service when one already runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { app, BrowserWindow, dialog, Menu, protocol, session, shell } from 'electron';
import type { IVmService } from '../../core/common/api';
import { libraryHome } from '../../core/node/shared/paths';
import { connectToService } from '../../core/node/transport/serviceClient';
import { startService, type RunningService } from '../server/service';
import { CONTENT_SECURITY_POLICY } from '../server/web';
import { staticFile } from '../server/staticFiles';
import { APP_ORIGIN, isAppUrl } from '../preload/channels';
import { serveIpc } from './ipc';
import { utilitySpawner } from './utilitySpawner';
import { localeOf, say } from '../../core/common/messages';
import { hasEnded } from '../../core/common/state';

/** The project's home page (package.json's homepage), for the Help menu. */
const HOMEPAGE = 'https://github.com/guesthouse/guesthouse';
const RENDERER_DIR = path.join(__dirname, '..', '..', 'renderer');
const PRELOAD = path.join(__dirname, '..', '..', 'preload', 'preload.js');

protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

if (!app.requestSingleInstanceLock()) app.quit();

let window: BrowserWindow | null = null;
let owned: RunningService | null = null;
let service: IVmService | null = null;

/** Serves the built renderer on app://guesthouse/ (pages are never loaded from file://). */
function serveRenderer(): void {
  protocol.handle('app', (request) => {
    const url = new URL(request.url);
    const found = url.host === 'guesthouse' ? staticFile(RENDERER_DIR, url.pathname) : ({ error: 'notFound' } as const);
    if ('error' in found) return new Response('Not found', { status: found.error === 'badEscape' ? 400 : 404 });
    return new Response(fs.readFileSync(found.file), { headers: { 'Content-Type': found.type, 'Content-Security-Policy': CONTENT_SECURITY_POLICY } });
  });
}

function lockDown(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.setWindowOpenHandler(({ url }) => {
      if (/^https:\/\//.test(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}

function buildMenu(): void {
  const mac = process.platform === 'darwin';
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      ...(mac ? [{ role: 'appMenu' as const }] : []),
      { role: 'fileMenu' },
      { role: 'editMenu' },
      { role: 'viewMenu' },
      { role: 'windowMenu' },
      { role: 'help', submenu: [{ label: say(localeOf(app.getLocale()), 'menu.website'), click: () => void shell.openExternal(HOMEPAGE) }] },
    ]),
  );
}

async function createWindow(): Promise<void> {
  const home = libraryHome();
  // Attach to a headless service that already owns this library's guests; else own them.
  const external = await connectToService(home, false);
  if (external) service = external;
  else {
    owned = await startService({ home, spawner: utilitySpawner });
    service = owned.api;
  }
  window = new BrowserWindow({
    width: 1200,
    height: 800,
    minWidth: 800,
    minHeight: 500,
    show: false,
    title: 'Guesthouse',
    webPreferences: { preload: PRELOAD, contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, spellcheck: false },
  });
  window.once('ready-to-show', () => window?.show());
  // Guests this app runs give the renderer MessagePorts straight to their guest hosts; a headless
  // service's guests are reached over the RPC like everything else (openDisplay, attachConsole).
  serveIpc(window, service, owned ? (ref, port, kind) => owned!.service.transferPort(ref, port, kind) : undefined);
  await window.loadURL(`${APP_ORIGIN}/index.html`);
}

app.on('second-instance', () => {
  if (window?.isMinimized()) window.restore();
  window?.focus();
});

let quitting = false;
app.on('before-quit', (event) => {
  if (quitting || !owned || owned.service.runningCount === 0) return;
  event.preventDefault();
  void (async () => {
    const locale = localeOf(app.getLocale());
    const service = owned!.service;
    // As VirtualBox's close dialog: save the machine state, send the shutdown signal, or power off.
    const choices = [
      // A VM whose state cannot be saved (a shared folder) is shut down rather than powered off with the app.
      { label: say(locale, 'quit.saveState'), act: (id: string) => service.saveVm(id).catch(() => service.shutdownVm(id)) },
      { label: say(locale, 'quit.shutDown'), act: (id: string) => service.shutdownVm(id) },
      { label: say(locale, 'quit.powerOff'), act: (id: string) => service.powerOffVm(id) },
    ];
    const { response } = await dialog.showMessageBox({
      type: 'question',
      message: say(locale, 'quit.message'),
      detail: say(locale, 'quit.detail', { count: service.runningCount }),
      buttons: [...choices.map((c) => c.label), say(locale, 'quit.cancel')],
      defaultId: 0,
      cancelId: choices.length,
    });
    const choice = choices[response];
    if (!choice) return;
    const vms = (await service.listVms()).filter((v) => !hasEnded(v.state));
    await Promise.allSettled(vms.map((v) => choice.act(v.id)));
    await owned!.close();
    quitting = true;
    app.quit();
  })();
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

void app.whenReady().then(async () => {
  lockDown();
  serveRenderer();
  buildMenu();
  await createWindow();
});
