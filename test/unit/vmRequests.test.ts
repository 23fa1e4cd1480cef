import { describe, expect, it } from 'vitest';
import { createVmRequestSchema, modifyVmRequestSchema } from '../../core/common/apiSchemas';
import { applyChanges, configFromRequest, NEEDS_KERNEL } from '../../core/node/vmRequests';
import { sampleConfig } from '../support/sampleConfig';

describe('VM configs from requests', () => {
  it('a create request takes the OS preset for what it leaves out, and absolute paths', () => {
    const c = configFromRequest(createVmRequestSchema.parse({ name: 'x', osType: 'linux-x86', kernelPath: 'k', forwards: [{ protocol: 'tcp', hostPort: 2222, guestPort: 22 }] }));
    expect(c).toMatchObject({ memoryMib: 512, cpus: 1, engine: 'auto', accelerator: 'auto', network: { mode: 'nat', forwards: [{ hostAddress: '127.0.0.1', hostPort: 2222, guestPort: 22 }] } });
    expect(c.directBoot?.kernelPath).toBe(`${process.cwd()}/k`);
    expect(c.identity.uuid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a change keeps what it omits, null removes, and a new kernel keeps initrd and command line', () => {
    const booted = { ...sampleConfig, directBoot: { kernelPath: '/k1', initrdPath: '/i', append: 'quiet' }, optical: { isoPath: '/x.iso' } };
    const { next, problems } = applyChanges(booted, modifyVmRequestSchema.parse({ kernelPath: '/k2', isoPath: null, memoryMib: 256 }));
    expect(problems).toEqual([]);
    expect(next.directBoot).toEqual({ kernelPath: '/k2', initrdPath: '/i', append: 'quiet' });
    expect(next.optical).toBeNull();
    expect(next.memoryMib).toBe(256);
    expect(next.cpus).toBe(booted.cpus);
    expect(booted.memoryMib).toBe(512); // the old config is left alone
  });

  it('an initrd without a kernel is a problem, not a silent drop', () => {
    expect(applyChanges(sampleConfig, modifyVmRequestSchema.parse({ initrdPath: '/i' })).problems).toEqual([NEEDS_KERNEL]);
  });
});
