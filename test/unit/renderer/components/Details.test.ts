// How the details read a VM's devices: loosely, since VM files older than a section lack it.
import { describe, expect, it } from 'vitest';
import type { VmDetails } from '../../../../core/common/api';
import { guestDevices, guestNics, hasDisplay } from '../../../../renderer/src/components/Details';
import { sampleConfig } from '../../../support/sampleConfig';

const details = (config: unknown) => ({ config }) as unknown as VmDetails;

describe('guest devices in the details', () => {
  it('names each device a current config has', () => {
    expect(guestDevices(sampleConfig)).toEqual({ display: 'vga', pointer: 'tablet', diskBus: 'virtio', nicModel: 'virtio' });
  });

  it('leaves out what an older or odd config lacks, without failing', () => {
    const { display: _d, input: _i, diskBus: _b, nics: _n, ...old } = sampleConfig;
    expect(guestDevices({ ...old, network: { mode: 'nat', forwards: [] } } as never)).toEqual({
      display: undefined,
      pointer: undefined,
      diskBus: undefined,
      nicModel: undefined,
    });
    expect(guestDevices({ ...sampleConfig, display: { adapter: 7 } } as never).display).toBeUndefined();
    expect(guestDevices(undefined)).toEqual({ display: undefined, pointer: undefined, diskBus: undefined, nicModel: undefined });
  });

  it('reads the cards of a version-4 config, and the one network of an older one (no MAC)', () => {
    expect(guestNics(sampleConfig)).toEqual([{ attachment: 'nat', model: 'virtio', mac: '52:54:00:6a:1b:2c', forwards: [] }]);
    const fwd = { protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 2222, guestPort: 22 };
    const { nics: _n, ...old } = sampleConfig;
    const v3 = { ...old, network: { mode: 'none', model: 'e1000', forwards: [fwd] } } as never;
    expect(guestNics(v3)).toEqual([{ attachment: 'none', model: 'e1000', mac: undefined, forwards: [fwd] }]);
    expect(guestDevices(v3).nicModel).toBe('e1000');
    expect(guestNics({ ...sampleConfig, nics: [] })).toEqual([]);
    expect(guestNics(old as never)).toEqual([]);
    expect(guestNics({ ...old, nics: [{ mode: 7, forwards: 'x' }] } as never)).toEqual([
      { attachment: 'none', model: undefined, mac: undefined, forwards: [] },
    ]);
    expect(guestNics(undefined)).toEqual([]);
  });

  it('a VM has a screen unless its display adapter is none (a config from before screens has one)', () => {
    expect(hasDisplay(details(sampleConfig))).toBe(true);
    expect(hasDisplay(details({ ...sampleConfig, display: { adapter: 'virtio' } }))).toBe(true);
    expect(hasDisplay(details({ ...sampleConfig, display: { adapter: 'none' } }))).toBe(false);
    const { display: _d, ...old } = sampleConfig;
    expect(hasDisplay(details(old))).toBe(true);
    expect(hasDisplay(null)).toBe(true);
  });
});
