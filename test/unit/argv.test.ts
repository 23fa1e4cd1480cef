import { describe, expect, it } from 'vitest';
import { buildQemuArgv } from '../../core/node/qemu/argv';
import { sampleConfig } from '../support/sampleConfig';

const launch = { accelerator: 'tcg' as const, qmpSocket: '/run/gh/vm.qmp', serialSocket: '/run/gh/vm.ser' };

describe('QEMU argv (golden)', () => {
  it('is a pure function of the config: disk boot with NAT', () => {
    expect(buildQemuArgv(sampleConfig, '/lib/machines/web', launch)).toEqual([
      '-name', 'guest=web',
      '-uuid', '2f1c7a4e-8d2b-4c1a-9f3e-0123456789ab',
      '-nodefaults', '-no-user-config', '-S',
      '-machine', 'pc', '-accel', 'tcg', '-cpu', 'max',
      '-smp', '2', '-m', '512M',
      '-display', 'none',
      '-chardev', 'socket,id=qmp,path=/run/gh/vm.qmp', '-mon', 'chardev=qmp,mode=control',
      '-chardev', 'socket,id=serial0,path=/run/gh/vm.ser', '-serial', 'chardev:serial0',
      '-drive', 'file=/lib/machines/web/web.qcow2,format=qcow2,if=virtio,index=0,werror=stop,rerror=stop',
      '-boot', 'order=c',
      '-nic', 'user,model=virtio-net-pci',
    ]);
  });

  it('direct kernel boot, CD-ROM, forwards, KVM, and commas in paths', () => {
    const config = {
      ...sampleConfig,
      identity: { ...sampleConfig.identity, name: 'a,b' },
      disks: [],
      optical: { isoPath: '/iso/x,y.iso' },
      directBoot: { kernelPath: '/k/vmlinuz', initrdPath: '/k/initrd', append: 'console=ttyS0 quiet' },
      network: { mode: 'nat' as const, forwards: [{ protocol: 'tcp' as const, hostAddress: '127.0.0.1', hostPort: 2222, guestPort: 22 }] },
    };
    const argv = buildQemuArgv(config, '/lib/machines/a,b', { ...launch, accelerator: 'kvm' });
    expect(argv.slice(0, 2)).toEqual(['-name', 'guest=a,,b']);
    expect(argv).toContain('host');
    expect(argv.join(' ')).toContain('-drive file=/iso/x,,y.iso,format=raw,media=cdrom,readonly=on,if=ide,index=2 -kernel /k/vmlinuz -initrd /k/initrd -append console=ttyS0 quiet');
    expect(argv.slice(-2)).toEqual(['-nic', 'user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:2222-:22']);
    expect(argv).not.toContain('-boot');
  });

  it('no network and no serial', () => {
    const argv = buildQemuArgv({ ...sampleConfig, network: { mode: 'none', forwards: [] }, serial: { enabled: false } }, '/x', launch);
    expect(argv.slice(-2)).toEqual(['-nic', 'none']);
    expect(argv).not.toContain('-serial');
  });

  it('UEFI: OVMF code read-only and the VM variable store as pflash, right after the serial port', () => {
    const uefi = { code: '/usr/share/OVMF/OVMF_CODE_4M.fd', vars: '/lib/machines/web/uefi-vars.fd' };
    const argv = buildQemuArgv({ ...sampleConfig, firmware: 'uefi' }, '/lib/machines/web', { ...launch, uefi });
    expect(argv.join(' ')).toContain(
      '-serial chardev:serial0 -drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd -drive if=pflash,format=raw,unit=1,file=/lib/machines/web/uefi-vars.fd -drive file=',
    );
    expect(buildQemuArgv(sampleConfig, '/x', { ...launch, uefi }).join(' ')).not.toContain('pflash'); // BIOS ignores it
    expect(() => buildQemuArgv({ ...sampleConfig, firmware: 'uefi' }, '/x', launch)).toThrow();
  });
});
