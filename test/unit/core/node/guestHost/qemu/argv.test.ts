import { describe, expect, it } from 'vitest';
import { buildQemuArgv } from '../../../../../../core/node/guestHost/qemu/argv';
import { sampleConfig } from '../../../../../support/sampleConfig';

const launch = {
  accelerator: 'tcg' as const,
  qmpSocket: '/run/gh/vm.qmp',
  serialSocket: '/run/gh/vm.ser',
  vncSocket: '/run/gh/vm.vnc',
  agentSocket: '/run/gh/vm.ga',
};

describe('QEMU argv (golden)', () => {
  it('is a pure function of the config: disk boot with NAT', () => {
    expect(buildQemuArgv(sampleConfig, '/lib/machines/web', launch)).toEqual([
      '-name',
      'guest=web',
      '-uuid',
      '2f1c7a4e-8d2b-4c1a-9f3e-0123456789ab',
      '-nodefaults',
      '-no-user-config',
      '-S',
      '-machine',
      'pc',
      '-accel',
      'tcg',
      '-cpu',
      'max',
      '-smp',
      '2',
      '-m',
      '512M',
      '-display',
      'none',
      '-chardev',
      'socket,id=qmp,path=/run/gh/vm.qmp',
      '-mon',
      'chardev=qmp,mode=control',
      '-chardev',
      'socket,id=serial0,path=/run/gh/vm.ser',
      '-serial',
      'chardev:serial0',
      // The card first among the devices (the PCI slot -nic cards had), with the VM's own MAC.
      '-netdev',
      'user,id=net0',
      '-device',
      'virtio-net-pci,netdev=net0,mac=52:54:00:6a:1b:2c',
      '-device',
      'VGA',
      '-vnc',
      'unix:/run/gh/vm.vnc,share=force-shared',
      '-device',
      'qemu-xhci,id=xhci',
      '-device',
      'usb-tablet,bus=xhci.0',
      '-drive',
      'file=/lib/machines/web/web.qcow2,format=qcow2,werror=stop,rerror=stop,if=virtio,index=0',
      '-drive',
      'media=cdrom,readonly=on,if=ide,index=2,id=cd0',
      '-boot',
      'order=c',
      // The guest agent's port, QEMU listening on the runtime folder's socket.
      '-device',
      'virtio-serial,id=vser0',
      '-chardev',
      'socket,id=ga,path=/run/gh/vm.ga,server=on,wait=off',
      '-device',
      'virtserialport,bus=vser0.0,chardev=ga,name=org.qemu.guest_agent.0',
    ]);
  });

  it('the guest agent channel comes after every other device (the shares too), and only with a socket to put it on', () => {
    const shares = [{ tag: 'src', path: '/src', readOnly: false }];
    const argv = buildQemuArgv({ ...sampleConfig, shares }, '/x', launch);
    expect(argv.indexOf('virtio-serial,id=vser0')).toBeGreaterThan(argv.indexOf('virtio-9p-pci,fsdev=fs0,mount_tag=src'));
    const { agentSocket: _none, ...without } = launch;
    expect(buildQemuArgv(sampleConfig, '/x', without).join(' ')).not.toMatch(/virtio-serial|guest_agent/);
    expect(buildQemuArgv(sampleConfig, '/x', { ...launch, agentSocket: '/r/a,b.ga' }).join(' ')).toContain('path=/r/a,,b.ga,server=on');
  });

  it('direct kernel boot, CD-ROM, forwards, KVM, and commas in paths', () => {
    const config = {
      ...sampleConfig,
      identity: { ...sampleConfig.identity, name: 'a,b' },
      disks: [],
      optical: { isoPath: '/iso/x,y.iso' },
      directBoot: { kernelPath: '/k/vmlinuz', initrdPath: '/k/initrd', append: 'console=ttyS0 quiet' },
      nics: [
        {
          ...sampleConfig.nics[0]!,
          forwards: [
            { protocol: 'tcp' as const, hostAddress: '127.0.0.1', hostPort: 2222, guestPort: 22 },
            { protocol: 'udp' as const, hostAddress: '0.0.0.0', hostPort: 5353, guestPort: 53 },
          ],
        },
      ],
    };
    const argv = buildQemuArgv(config, '/lib/machines/a,b', { ...launch, accelerator: 'kvm' });
    expect(argv.slice(0, 2)).toEqual(['-name', 'guest=a,,b']);
    expect(argv).toContain('host');
    expect(argv.join(' ')).toContain(
      '-drive file=/iso/x,,y.iso,format=raw,media=cdrom,readonly=on,if=ide,index=2,id=cd0 -kernel /k/vmlinuz -initrd /k/initrd -append console=ttyS0 quiet',
    );
    expect(argv.join(' ')).toContain(
      '-netdev user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=udp:0.0.0.0:5353-:53 -device virtio-net-pci,netdev=net0,mac=52:54:00:6a:1b:2c -device VGA',
    );
    expect(argv).not.toContain('-boot');
  });

  it('no network and no serial', () => {
    const fwd = { protocol: 'tcp' as const, hostAddress: '127.0.0.1', hostPort: 2222, guestPort: 22 };
    const none = { ...sampleConfig.nics[0]!, attachment: 'none' as const, forwards: [fwd] };
    const argv = buildQemuArgv({ ...sampleConfig, nics: [none], serial: { enabled: false } }, '/x', launch);
    expect(argv.join(' ')).toContain('-mon chardev=qmp,mode=control -nic none -device VGA');
    expect(argv.join(' ')).not.toMatch(/netdev|hostfwd|mac=/);
    expect(argv).not.toContain('-serial');
    expect(buildQemuArgv({ ...sampleConfig, nics: [] }, '/x', launch).join(' ')).toContain('-nic none');
  });

  it('each attached card its own netdev (by its id) and device with its MAC, in the list order', () => {
    const nics = [
      { id: 'net0', mac: '52:54:00:00:00:01', model: 'virtio' as const, attachment: 'nat' as const, forwards: [] },
      { id: 'net1', mac: '52:54:00:00:00:02', model: 'e1000' as const, attachment: 'none' as const, forwards: [] },
      { id: 'net2', mac: '52:54:00:00:00:03', model: 'e1000' as const, attachment: 'nat' as const, forwards: [] },
    ];
    const argv = buildQemuArgv({ ...sampleConfig, nics }, '/x', launch).join(' ');
    expect(argv).toContain(
      '-netdev user,id=net0 -device virtio-net-pci,netdev=net0,mac=52:54:00:00:00:01 -netdev user,id=net2 -device e1000,netdev=net2,mac=52:54:00:00:00:03 -device VGA',
    );
    expect(argv).not.toContain('net1');
    expect(argv).not.toContain('-nic');
  });

  it('each shared folder an fsdev (its model, remapped devices, read-only if so) and a virtio-9p device with its tag, after the CD drive', () => {
    const shares = [
      { tag: 'src', path: '/home/me/src,1', readOnly: false },
      { tag: 'docs', path: '/home/me/docs', readOnly: true },
    ];
    const argv = buildQemuArgv({ ...sampleConfig, shares }, '/x', { ...launch, shareModels: ['mapped-xattr', 'none'] });
    const at = argv.indexOf('-fsdev');
    expect(argv.slice(at, at + 8)).toEqual([
      '-fsdev',
      'local,id=fs0,path=/home/me/src,,1,security_model=mapped-xattr,multidevs=remap',
      '-device',
      'virtio-9p-pci,fsdev=fs0,mount_tag=src',
      '-fsdev',
      'local,id=fs1,path=/home/me/docs,security_model=none,multidevs=remap,readonly=on',
      '-device',
      'virtio-9p-pci,fsdev=fs1,mount_tag=docs',
    ]);
    expect(argv.findIndex((a) => a.includes('media=cdrom'))).toBeLessThan(at);
    // No model said: mapped-xattr. No share: no 9p at all.
    expect(buildQemuArgv({ ...sampleConfig, shares: [shares[0]!] }, '/x', launch).join(' ')).toContain('security_model=mapped-xattr');
    expect(buildQemuArgv(sampleConfig, '/x', launch).join(' ')).not.toContain('9p');
  });

  it('a card on a private network: -netdev dgram from its own loopback UDP port to its switch', () => {
    const nics = [{ id: 'net0', mac: '52:54:00:00:00:01', model: 'virtio' as const, attachment: 'private:lab' as const, forwards: [] }];
    const argv = buildQemuArgv({ ...sampleConfig, nics }, '/x', { ...launch, privateLinks: { net0: { localPort: 40001, switchPort: 40002 } } }).join(' ');
    expect(argv).toContain(
      '-netdev dgram,id=net0,local.type=inet,local.host=127.0.0.1,local.port=40001,remote.type=inet,remote.host=127.0.0.1,remote.port=40002 -device virtio-net-pci,netdev=net0,mac=52:54:00:00:00:01',
    );
    expect(() => buildQemuArgv({ ...sampleConfig, nics }, '/x', launch)).toThrow('needs launch.privateLinks');
  });

  it('UEFI: OVMF code read-only and the VM variable store (qcow2, for snapshots) as pflash, right after the serial port', () => {
    const uefi = { code: '/usr/share/OVMF/OVMF_CODE_4M.fd', vars: '/lib/machines/web/uefi-vars.qcow2' };
    const argv = buildQemuArgv({ ...sampleConfig, firmware: 'uefi' }, '/lib/machines/web', { ...launch, uefi });
    expect(argv.join(' ')).toContain(
      '-serial chardev:serial0 -drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd -drive if=pflash,format=qcow2,unit=1,file=/lib/machines/web/uefi-vars.qcow2 -netdev user,id=net0 -device virtio-net-pci,netdev=net0,mac=52:54:00:6a:1b:2c -device VGA',
    );
    expect(buildQemuArgv(sampleConfig, '/x', { ...launch, uefi }).join(' ')).not.toContain('pflash'); // BIOS ignores it
    expect(() => buildQemuArgv({ ...sampleConfig, firmware: 'uefi' }, '/x', launch)).toThrow();
  });

  it('what the guest sees: Windows devices (SATA, e1000), virtio-vga, no screen, IDE around the CD-ROM', () => {
    const two = [
      { path: 'a.qcow2', format: 'qcow2' as const, owned: true },
      { path: 'b.raw', format: 'raw' as const, owned: true },
    ];
    const win = buildQemuArgv({ ...sampleConfig, disks: two, diskBus: 'sata', nics: [{ ...sampleConfig.nics[0]!, model: 'e1000' }] }, '/v', launch).join(' ');
    expect(win).toContain(
      '-device ahci,id=sata -drive file=/v/a.qcow2,format=qcow2,werror=stop,rerror=stop,if=none,id=disk0 -device ide-hd,drive=disk0,bus=sata.0 -drive file=/v/b.raw,format=raw,werror=stop,rerror=stop,if=none,id=disk1 -device ide-hd,drive=disk1,bus=sata.1',
    );
    expect(win).toContain('-netdev user,id=net0 -device e1000,netdev=net0,mac=52:54:00:6a:1b:2c -device VGA');
    const ide = buildQemuArgv(
      { ...sampleConfig, disks: [...two, { path: 'c.raw', format: 'raw', owned: true }], diskBus: 'ide', optical: { isoPath: '/i.iso' } },
      '/v',
      launch,
    ).join(' ');
    expect(ide).toMatch(/a\.qcow2.*if=ide,index=0 .*b\.raw.*if=ide,index=1 .*c\.raw.*if=ide,index=3 .*i\.iso.*if=ide,index=2/);
    expect(buildQemuArgv({ ...sampleConfig, display: { adapter: 'virtio' }, input: { pointer: 'ps2' } }, '/v', launch).join(' ')).toContain(
      '-device virtio-vga -vnc unix:/run/gh/vm.vnc,share=force-shared -drive',
    );
    const headless = buildQemuArgv({ ...sampleConfig, display: { adapter: 'none' } }, '/v', launch);
    expect(headless).not.toContain('-vnc');
    expect(headless.join(' ')).not.toMatch(/VGA|usb-tablet/);
  });
});
