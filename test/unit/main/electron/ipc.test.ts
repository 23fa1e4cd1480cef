// The Electron IPC wiring (main/electron/ipc.ts + main/preload/preload.ts) with a real
// VmService behind it. No Electron binary can exist on our build machines, so the
// `electron` module is replaced by an in-memory ipcMain/ipcRenderer pair that copies
// messages with structuredClone, as Electron's IPC does. Everything else is real.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HostedService } from '../../../../core/node/libvirt/hostedService';
import type { IVmService } from '../../../../core/common/api';
import { VmService } from '../../../../core/node/service/vmService';
import { tempHome } from '../../../support/service';

type Handler = (event: unknown, ...args: unknown[]) => unknown;
const fake = vi.hoisted(() => {
  const mainOn = new Map<string, Handler[]>();
  const mainHandle = new Map<string, Handler>();
  const rendererOn = new Map<string, Handler[]>();
  const exposed: Record<string, unknown> = {};
  const frame = { url: 'app://guesthouse/index.html' };
  const contents = {
    mainFrame: frame,
    isDestroyed: () => false,
    send: (channel: string, message: unknown) => rendererOn.get(channel)?.forEach((h) => h({ ports: [] }, structuredClone(message))),
    on: () => undefined,
    once: () => undefined,
    postMessage: () => undefined,
  };
  /** The frame the next renderer message claims to come from. */
  const sender = { frame: frame as { url: string } };
  return { mainOn, mainHandle, rendererOn, exposed, frame, contents, sender };
});

vi.mock('electron', () => ({
  ipcMain: {
    on: (channel: string, h: Handler) => fake.mainOn.set(channel, [...(fake.mainOn.get(channel) ?? []), h]),
    removeListener: () => undefined,
    handle: (channel: string, h: Handler) => fake.mainHandle.set(channel, h),
    removeHandler: (channel: string) => fake.mainHandle.delete(channel),
  },
  ipcRenderer: {
    send: (channel: string, message: unknown) =>
      fake.mainOn.get(channel)?.forEach((h) => h({ sender: fake.contents, senderFrame: fake.sender.frame }, structuredClone(message))),
    on: (channel: string, h: Handler) => fake.rendererOn.set(channel, [...(fake.rendererOn.get(channel) ?? []), h]),
    invoke: async (channel: string, ...args: unknown[]) => fake.mainHandle.get(channel)?.({ sender: fake.contents, senderFrame: fake.sender.frame }, ...args),
  },
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (fake.exposed[key] = api) },
  MessageChannelMain: class {},
}));

describe('Electron IPC: preload ↔ main serving IVmService', () => {
  let service: VmService;
  let api: IVmService;

  beforeAll(async () => {
    service = new VmService({ home: tempHome() });
    const { serveIpc } = await import('../../../../main/electron/ipc');
    serveIpc({ webContents: fake.contents } as never, new HostedService(service, { home: tempHome() }).service);
    await import('../../../../main/preload/preload');
    api = fake.exposed.guesthouse as IVmService;
  });
  afterAll(() => service.powerOffAll());

  it('exposes the typed service as window.guesthouse and nothing else', () => {
    expect(Object.keys(fake.exposed)).toEqual(['guesthouse']);
    expect(typeof api.listVms).toBe('function');
    expect(typeof api.attachConsole).toBe('function');
    expect(typeof api.openDisplay).toBe('function');
  });

  it('calls reach the service and answers come back, with events', async () => {
    const events: string[] = [];
    api.onDidChangeVms(() => events.push('vms'));
    await api.createVm({ name: 'ipc', osType: 'other-x64', memoryMib: 64, network: 'none' });
    expect((await api.listVms()).map((v) => [v.name, v.state])).toEqual([['ipc', 'stopped']]);
    await expect.poll(() => events).toEqual(['vms']);
  });

  it('bad input is refused at the edge with its sentence', async () => {
    // The page gets the error's plain data (the context bridge would keep only an Error's message): key, field and bug flag included.
    await expect(api.createVm({ name: '', memoryMib: 0 })).rejects.toMatchObject({
      code: 'invalid-input',
      message: 'The request has 2 problems: The name must not be empty. Memory must be at least 16 MiB.',
      bug: false,
      problems: [
        { key: 'name.empty', field: 'name' },
        { key: 'memory.min', field: 'memory' },
      ],
    });
    await expect((api as unknown as { pauseVm(a: unknown): Promise<void> }).pauseVm(42)).rejects.toMatchObject({ message: 'Name the VM.', bug: false });
  });

  it("a headless service's screen goes over the RPC; its refusal reaches the page with its sentence", async () => {
    // No MessagePort here (the app runs no guest itself): the preload asks openDisplay over the RPC channel.
    await expect(api.openDisplay('ipc', () => undefined)).rejects.toMatchObject({ key: 'vm.notRunning', message: '"ipc" is not running.', bug: false });
    await expect(api.openDisplay('nope', () => undefined)).rejects.toMatchObject({ key: 'vm.notFound' });
  });

  it('messages from any other frame are dropped', async () => {
    const calls = vi.spyOn(service, 'listVms');
    let evilSettled = false;
    fake.sender.frame = { url: 'https://evil.example/' };
    try {
      void api.listVms().finally(() => (evilSettled = true));
    } finally {
      fake.sender.frame = fake.frame;
    }
    // Our own page's call goes the same way right after: once its answer is here, an answer
    // to the other frame's call would have come first, had main passed it on.
    expect((await api.listVms()).map((v) => v.name)).toEqual(['ipc']);
    expect(calls).toHaveBeenCalledTimes(1);
    expect(evilSettled).toBe(false);
    calls.mockRestore();
  });
});
