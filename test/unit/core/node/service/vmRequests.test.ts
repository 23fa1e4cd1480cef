import { describe, expect, it } from 'vitest';
import { createVmRequestSchema, modifyVmRequestSchema } from '../../../../../core/common/apiSchemas';
import { applyChanges, configFromRequest, NEEDS_KERNEL } from '../../../../../core/node/service/vmRequests';
import { vmConfigSchema } from '../../../../../core/common/config';
import { sampleConfig } from '../../../../support/sampleConfig';

describe('VM configs from requests', () => {
  it('a create request takes the OS preset for what it leaves out, and absolute paths', () => {
    const c = configFromRequest(
      createVmRequestSchema.parse({ name: 'x', osType: 'linux-x86', kernelPath: 'k', forwards: [{ protocol: 'tcp', hostPort: 2222, guestPort: 22 }] }),
    );
    expect(c).toMatchObject({
      memoryMib: 512,
      cpus: 1,
      engine: 'auto',
      accelerator: 'auto',
      nics: [{ id: 'net0', model: 'virtio', attachment: 'nat', forwards: [{ hostAddress: '127.0.0.1', hostPort: 2222, guestPort: 22 }] }],
    });
    expect(c.directBoot?.kernelPath).toBe(`${process.cwd()}/k`);
    expect(c.identity.uuid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("a new VM's card gets a random MAC in 52:54:00: two new VMs get two, and none the library has", () => {
    const req = createVmRequestSchema.parse({ name: 'x', network: 'none', nicModel: 'e1000' });
    const macs = Array.from({ length: 20 }, () => configFromRequest(req).nics[0]!.mac);
    for (const mac of macs) expect(mac).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
    expect(new Set(macs).size).toBe(macs.length);
    // The service passes the library's MACs, so a second VM never gets the first one's.
    const a = configFromRequest(req);
    const b = configFromRequest(req, [a.nics[0]!.mac]);
    expect(b.nics[0]!.mac).not.toBe(a.nics[0]!.mac);
    expect(a.nics).toEqual([{ id: 'net0', mac: a.nics[0]!.mac, model: 'e1000', attachment: 'none', forwards: [] }]);
    expect(vmConfigSchema.safeParse(a).success).toBe(true);
  });

  it('nets makes one card each, in order, with a MAC of its own; a change keeps the MAC and forwards of a card at its place', () => {
    const c = configFromRequest(
      createVmRequestSchema.parse({
        name: 'x',
        osType: 'windows-x64',
        nets: [{ attachment: 'nat' }, { attachment: 'host-only', model: 'rtl8139' }, { attachment: 'none' }],
      }),
    );
    expect(c.nics.map((n) => [n.id, n.attachment, n.model])).toEqual([
      ['net0', 'nat', 'e1000'],
      ['net1', 'host-only', 'rtl8139'],
      ['net2', 'none', 'e1000'],
    ]);
    expect(new Set(c.nics.map((n) => n.mac)).size).toBe(3);
    const withForward = {
      ...c,
      nics: c.nics.map((n, i) => (i === 0 ? { ...n, forwards: [{ protocol: 'tcp' as const, hostAddress: '127.0.0.1', hostPort: 2222, guestPort: 22 }] } : n)),
    };
    const { next } = applyChanges(withForward, modifyVmRequestSchema.parse({ nets: [{ attachment: 'host-only' }, { attachment: 'nat', model: 'virtio' }] }));
    expect(next.nics).toEqual([
      { ...withForward.nics[0], attachment: 'host-only' },
      { ...withForward.nics[1], attachment: 'nat', model: 'virtio' },
    ]);
    expect(vmConfigSchema.safeParse(next).success).toBe(true);
    expect(modifyVmRequestSchema.safeParse({ nets: [] }).success).toBe(false);
    expect(modifyVmRequestSchema.safeParse({ nets: [{ attachment: 'bridged' }] }).success).toBe(false);
  });

  it("cards named by MAC keep their MAC, id and forwards wherever they move; a MAC twice or another VM's is a problem", () => {
    const c = configFromRequest(createVmRequestSchema.parse({ name: 'x', nets: [{ attachment: 'nat' }, { attachment: 'host-only' }, { attachment: 'none' }] }));
    const [a, b, third] = c.nics.map((n, i) => ({
      ...n,
      forwards: [{ protocol: 'tcp' as const, hostAddress: '127.0.0.1', hostPort: 2220 + i, guestPort: 22 }],
    }));
    const withForwards = { ...c, nics: [a!, b!, third!] };
    // Taking out the middle card: the third moves up with its MAC, id (QEMU's netdev) and forward.
    const out = applyChanges(
      withForwards,
      modifyVmRequestSchema.parse({
        nets: [
          { attachment: 'nat', mac: a!.mac },
          { attachment: 'private:lab', mac: third!.mac.toUpperCase() },
        ],
      }),
    );
    expect(out.problems).toEqual([]);
    expect(out.next.nics).toEqual([a, { ...third, attachment: 'private:lab' }]);
    // A new card beside them takes the first free id, and a MAC of its own (the one asked for, when nobody has it).
    const added = applyChanges(
      out.next,
      modifyVmRequestSchema.parse({ nets: [{ attachment: 'nat', mac: third!.mac }, { attachment: 'nat' }, { attachment: 'none', mac: '52:54:00:aa:bb:cc' }] }),
    );
    expect(added.problems).toEqual([]);
    expect(added.next.nics.map((n) => [n.id, n.mac])).toEqual([
      [third!.id, third!.mac],
      ['net0', expect.stringMatching(/^52:54:00:/)],
      ['net1', '52:54:00:aa:bb:cc'],
    ]);
    expect(new Set(added.next.nics.map((n) => n.mac)).size).toBe(3);
    expect(vmConfigSchema.safeParse(added.next).success).toBe(true);
    // One card named twice; a MAC another VM's card has.
    const twice = applyChanges(
      withForwards,
      modifyVmRequestSchema.parse({
        nets: [
          { attachment: 'nat', mac: a!.mac },
          { attachment: 'nat', mac: a!.mac },
        ],
      }),
    );
    expect(twice.problems.map((p) => p.key)).toEqual(['request.nicMacTaken']);
    const foreign = applyChanges(withForwards, modifyVmRequestSchema.parse({ nets: [{ attachment: 'nat', mac: '52:54:00:12:34:56' }] }), '.', [
      '52:54:00:12:34:56',
    ]);
    expect(foreign.problems.map((p) => p.key)).toEqual(['request.nicMacTaken']);
    const created: Parameters<typeof configFromRequest>[2] = [];
    configFromRequest(createVmRequestSchema.parse({ name: 'y', nets: [{ attachment: 'nat', mac: '52:54:00:12:34:56' }] }), ['52:54:00:12:34:56'], created);
    expect(created.map((p) => p.key)).toEqual(['request.nicMacTaken']);
    expect(modifyVmRequestSchema.safeParse({ nets: [{ attachment: 'nat', mac: '53:54:00:12:34:56' }] }).success).toBe(false);
  });

  it("a change's network, NIC model and forwards are the first card's; its id and MAC stay", () => {
    const fwd = { protocol: 'tcp' as const, hostPort: 8080, guestPort: 80 };
    const { next } = applyChanges(sampleConfig, modifyVmRequestSchema.parse({ network: 'none', nicModel: 'e1000', forwards: [fwd] }));
    expect(next.nics).toEqual([{ ...sampleConfig.nics[0], attachment: 'none', model: 'e1000', forwards: [{ hostAddress: '127.0.0.1', ...fwd }] }]);
    expect(applyChanges(sampleConfig, modifyVmRequestSchema.parse({ memoryMib: 256 })).next.nics).toEqual(sampleConfig.nics);
    // A VM without a card gets one for the change, attached to nothing unless asked.
    const bare = { ...sampleConfig, nics: [] };
    const model = applyChanges(bare, modifyVmRequestSchema.parse({ nicModel: 'e1000' })).next.nics;
    expect(model).toEqual([{ id: 'net0', mac: model[0]!.mac, model: 'e1000', attachment: 'none', forwards: [] }]);
    expect(applyChanges(bare, modifyVmRequestSchema.parse({ network: 'nat' })).next.nics[0]).toMatchObject({ attachment: 'nat', model: 'virtio' });
    expect(applyChanges(bare, modifyVmRequestSchema.parse({ memoryMib: 256 })).next.nics).toEqual([]);
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

  it('disks: attach by path, detach as shown or by full path; a wrong one is a problem', () => {
    const withDisks = { ...sampleConfig, disks: [{ path: 'a.qcow2', format: 'qcow2' as const, owned: true }] };
    const attached = applyChanges(withDisks, modifyVmRequestSchema.parse({ diskPath: '/images/b.raw' }), '/vms/x');
    expect(attached.next.disks).toEqual([withDisks.disks[0], { path: '/images/b.raw', format: 'raw', owned: false }]);
    expect(applyChanges(withDisks, modifyVmRequestSchema.parse({ diskPath: '/vms/x/a.qcow2' }), '/vms/x').problems.map(String)).toEqual([
      'The disk /vms/x/a.qcow2 is already attached to this VM.',
    ]);
    expect(applyChanges(withDisks, modifyVmRequestSchema.parse({ detachDisks: ['a.qcow2'] }), '/vms/x').next.disks).toEqual([]);
    expect(applyChanges(withDisks, modifyVmRequestSchema.parse({ detachDisks: ['/vms/x/a.qcow2'] }), '/vms/x').next.disks).toEqual([]);
    const wrong = applyChanges(withDisks, modifyVmRequestSchema.parse({ detachDisks: ['c.raw'] }), '/vms/x');
    expect(wrong.problems.map(String)).toEqual(['No disk c.raw is attached to this VM.']);
    expect(withDisks.disks).toHaveLength(1); // the old config is left alone
  });
});
