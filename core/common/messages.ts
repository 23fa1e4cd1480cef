/**
 * Every sentence the core says to a user, in English and Korean: the one catalog of the
 * core's side of the i18n layer (the GUI's own strings live in renderer/src/locales).
 *
 * The core speaks English everywhere it forms a sentence (`m`): the CLI, logs, and every
 * sentence that crosses a process boundary stay plain strings, so the service API carries no
 * language. A front end that shows another language turns a core sentence into it with
 * `localize`, which recognises the English template the sentence was made from and fills the
 * same template in the user's language. A sentence it does not recognise (QEMU's own words,
 * say) stays as it is. Interpolation is i18next's `{{name}}`, so the templates read the same
 * as the GUI's.
 */
export const en = {
  // VM config (core/common/config.ts)
  'name.text': 'The name must be text.',
  'name.empty': 'The name must not be empty.',
  'name.tooLong': 'The name must be at most {{max}} characters long.',
  'name.separator': 'The name must not contain / or \\.',
  'name.dotdot': 'The name must not contain "..".',
  'name.chars': 'The name must not contain control characters or any of < > : " | ? *.',
  'name.spaces': 'The name must not start or end with a space.',
  'memory.number': 'Memory must be a number of MiB.',
  'memory.whole': 'Memory must be a whole number of MiB.',
  'memory.min': 'Memory must be at least {{min}} MiB.',
  'memory.max': 'Memory must be at most {{max}} MiB.',
  'cpus.number': 'The CPU count must be a number.',
  'cpus.min': 'The CPU count must be a whole number of at least 1.',
  'cpus.max': 'The CPU count must be at most {{max}}.',
  'path.text': 'The {{what}} path must be text.',
  'path.empty': 'The {{what}} path must not be empty.',
  'path.nul': 'The {{what}} path must not contain a NUL character.',
  'path.missing': 'The {{what}} file {{path}} does not exist.',
  'path.notFile': 'The {{what}} path {{path}} is not a file.',
  'port.number': 'A port must be a number.',
  'port.whole': 'A port must be a whole number.',
  'port.range': 'A port must be between 1 and 65535.',
  'config.uuid': 'The VM id must be a UUID.',
  'config.osType': 'The OS type must be one of {{list}}.',
  'config.engine': 'The engine must be one of {{list}}.',
  'config.accelerator': 'The accelerator must be one of {{list}}.',
  'config.disksMax': 'A VM can have at most {{max}} disks.',
  'config.appendMax': 'The kernel command line must be at most {{max}} characters.',
  'config.unknownSetting': 'Unknown setting: {{keys}}.',
  'config.unknownSettings': 'Unknown settings: {{keys}}.',
  'config.notConfig': '{{source}} does not hold a VM configuration.',
  'config.noVersion': '{{source}} has no valid version number.',
  'config.newer': '{{source}} was written by a newer Guesthouse (config version {{version}}; this one reads up to {{current}}); update Guesthouse to open it.',
  'config.cannotUpgrade': '{{source}} has config version {{version}}, which this Guesthouse cannot upgrade.',
  'config.notJson': '{{source}} is not valid JSON.',
  'config.in': 'configuration in {{source}}',
  'host.memory': 'Memory of {{memory}} MiB is more than this host has ({{total}} MiB).',
  'host.cpus': '{{cpus}} CPUs are more than this host has ({{total}}).',
  'v86.arch': 'The v86 engine runs 32-bit x86 guests only; choose the OS type linux-x86 or other-x86, or use QEMU.',
  'v86.cpus': 'The v86 engine emulates one CPU; set the CPU count to 1.',
  'v86.memoryMax': 'The v86 engine supports at most {{max}} MiB of memory.',
  'v86.initrdMemory': 'With an initrd the v86 engine needs at least {{need}} MiB of memory (it loads the initrd at 64 MiB).',
  'v86.rawOnly': 'The v86 engine reads raw disk images only; convert {{path}} with "qemu-img convert -O raw", or use QEMU.',
  'v86.disksMax': 'The v86 engine supports at most {{max}} hard disks.',
  'v86.biosOnly': 'The v86 engine boots with BIOS only; set the firmware to bios, or use QEMU.',
  'config.firmware': 'The firmware must be one of {{list}}.',
  'config.display': 'The display must be one of {{list}}.',
  'config.pointer': 'The pointer must be one of {{list}}.',
  'config.diskBus': 'The disk bus must be one of {{list}}.',
  'config.nicModel': 'The network card must be one of {{list}}.',
  'config.ideDisks': 'With the IDE disk bus a VM can have at most {{max}} hard disks (the CD-ROM drive takes the fourth place); choose SATA for more.',
  'uefi.memory': 'UEFI firmware needs at least {{min}} MiB of memory.',
  'uefi.found': 'UEFI firmware (OVMF) at {{code}}.',
  'uefi.missingLinux': 'UEFI firmware (OVMF) was not found: install the ovmf package ("sudo apt install ovmf").',
  'uefi.missingOther': 'UEFI firmware was not found: install QEMU, which ships it (edk2-x86_64-code.fd), or set GUESTHOUSE_UEFI_CODE and GUESTHOUSE_UEFI_VARS.',
  // Requests and the wire
  'request.problems': 'The {{what}} has {{count}} problems: {{list}}',
  'request.internal': 'Guesthouse hit an internal error: {{detail}}',
  'request.ref': 'Name the VM.',
  'request.diskMin': 'A disk must be at least 1 MiB.',
  'request.consoleBytes': 'Console data must be bytes.',
  'request.consoleTooLong': 'One console write takes at most {{max}} KiB; send longer input in parts, as "guesthouse send NAME --file FILE" does.',
  'request.waitText': 'Say what text to wait for.',
  'request.needsKernel': 'An initrd or kernel command line needs a kernel too.',
  'request.diskBoth': 'Give either a new disk size or an existing disk, not both.',
  'request.needsImg': 'Creating a qcow2 disk needs qemu-img. {{hint}}',
  'request.bad': 'Bad request: {{list}}',
  'disk.notAttached': 'No disk {{path}} is attached to this VM.',
  'disk.attached': 'The disk {{path}} is already attached to this VM.',
  'request.noMethod': 'There is no method called {{method}}.',
  'request.notJson': 'A request must be one line of JSON.',
  'request.kind': 'A message must be an object whose t is one of {{list}}.',
  'request.field': 'The {{field}} is not valid ({{detail}}).',
  'field.type': 'it must be {{expected}}',
  'field.min': 'it must be at least {{min}}',
  'field.max': 'it must be at most {{max}}',
  'field.oneOf': 'it must be one of {{list}}',
  'field.other': 'it does not fit',
  'config.network': 'The network must be one of {{list}}.',
  'config.diskFormat': 'The disk format must be one of {{list}}.',
  'config.protocol': 'A forward\'s protocol must be one of {{list}}.',
  'config.shutdownTimeout': 'The shutdown timeout must be from {{min}} to {{max}} seconds.',
  'config.diskSize': 'A new disk must be a whole number of bytes from 1 MiB to 1 PiB.',
  'disk.tooBigForFs': 'A disk of {{size}} does not fit the filesystem that holds the library (its files are smaller than that); choose a smaller disk.',
  'disk.unreadable': 'The disk {{path}} is not a usable {{format}} image: {{detail}}',
  'disk.inUse': 'The disk {{path}} is in use by "{{other}}", which is running; stop it or detach the disk first.',
  'boot.empty': 'The {{what}} file {{path}} is empty.',
  'forward.repeated': 'Host port {{port}} ({{protocol}}) is forwarded twice; each forward needs its own host port.',
  'forward.usedByVm': 'Host port {{port}} ({{protocol}}) is forwarded by "{{other}}", which is running; choose another host port.',
  'forward.inUse': 'Host port {{port}} ({{protocol}}) on {{address}} is in use by another program; choose another host port.',
  'forward.badAddress': 'A forward\'s host address must be an IP address or a host name.',
  'forward.noAddress': 'The forward\'s host address {{address}} does not resolve to an address of this machine.',
  'forward.denied': 'Host port {{port}} on {{address}} needs privileges Guesthouse does not have; choose a port above 1023.',
  'browse.missing': 'There is no folder {{path}}.',
  'browse.notFolder': '{{path}} is not a folder.',
  'browse.denied': 'You may not read the folder {{path}}.',
  'rpc.lost': 'The connection to the Guesthouse service was lost.',
  'rpc.closed': 'The connection to the Guesthouse service is closed.',
  'service.noStart': 'The Guesthouse service did not start within 20 s; see {{log}}.',
  'service.unreachable': 'The Guesthouse service could not be reached; see {{log}}.',
  'service.running': 'A Guesthouse service for {{home}} is already running.',
  'forward.bad': '"{{text}}" is not a port forward; write it like tcp:2222:22.',
  'size.bad': '"{{text}}" is not a size; write it like 512M or 8G.',
  'size.min': 'A disk must be at least 1M (got {{text}}).',
  // States and actions (core/common/state.ts)
  'state.transition': 'A machine cannot go from {{from}} to {{to}}.',
  'action.start': 'Cannot start "{{name}}" because it is {{state}}.',
  'action.pause': 'Cannot pause "{{name}}" because it is {{state}}.',
  'action.resume': 'Cannot resume "{{name}}" because it is {{state}}.',
  'action.reset': 'Cannot reset "{{name}}" because it is {{state}}.',
  'action.shutdown': 'Cannot shut down "{{name}}" because it is {{state}}.',
  'action.poweroff': 'Cannot power off "{{name}}" because it is {{state}}.',
  'action.save': 'Cannot save the state of "{{name}}" because it is {{state}}.',
  'action.discard': 'Cannot discard the saved state of "{{name}}" because it is {{state}}.',
  'action.modify': 'Cannot change the settings of "{{name}}" because it is {{state}}.',
  'action.delete': 'Cannot delete "{{name}}" because it is {{state}}.',
  'action.stopFirst': 'Stop it first.',
  'action.discardFirst': 'Start it, or discard its saved state, first.',
  // The library (core/node/library/library.ts)
  'vm.notFound': 'There is no VM named "{{ref}}".',
  'vm.inaccessible': '"{{name}}" is inaccessible: {{reason}} Repair it (this puts back its configuration from before its last change) or delete it.',
  'vm.noBackup': 'There is no usable backup of the configuration of "{{name}}"; correct {{path}} by hand, or delete the VM (its disks can be kept).',
  'vm.notInaccessible': 'The configuration of "{{name}}" reads; there is nothing to repair.',
  'config.unreadable': '{{source}} cannot be read.',
  'vm.exists': 'A VM named "{{name}}" already exists; choose another name.',
  'vm.locked': '"{{name}}" is already running in another Guesthouse (process {{pid}}).',
  'vm.lockFailed': 'Could not take the lock of "{{name}}".',
  'vm.lockedElsewhere': '"{{name}}" is running in another Guesthouse (process {{pid}}); stop it there before changing or deleting it.',
  'vm.notRunning': '"{{name}}" is not running.',
  'vm.noLongerRunning': '"{{name}}" is no longer running.',
  'vm.crashedWhy': '"{{name}}" crashed: {{reason}}',
  'vm.stoppedWhy': '"{{name}}" stopped: {{reason}}',
  'vm.noEngine': '"{{name}}" has no running engine.',
  'vm.stoppedWhileStarting': '"{{name}}" stopped while starting.',
  'vm.stateOtherEngine': '"{{name}}" has a machine state saved by {{saved}}, which {{engine}} cannot restore; set its engine to {{saved}}, or discard the saved state.',
  // How guests stop
  'exit.poweredOff': 'Powered off.',
  'exit.guestPoweredOff': 'The guest powered off.',
  'exit.shutdownTimeout': 'The guest did not shut down within {{seconds}} s, so it was powered off.',
  'exit.panicked': 'The guest operating system panicked.',
  'exit.outsideSignal': 'QEMU was stopped by a signal from outside Guesthouse.',
  'exit.guestStoppedWhy': 'The guest stopped ({{reason}}).',
  'exit.guestStopped': 'The guest stopped.',
  'exit.qemuKilled': 'QEMU was killed by {{signal}}.',
  'exit.qemuCode': 'QEMU exited with code {{code}}: {{detail}}',
  'exit.noMessage': 'no message',
  'exit.hostKilled': 'The guest host process was killed by {{signal}}.',
  'exit.hostCode': 'The guest host process exited unexpectedly with code {{code}}.',
  'exit.engineException': 'The {{engine}} engine stopped: {{detail}}',
  'exit.hostException': 'The guest host process stopped: {{detail}}',
  'exit.stateSaved': 'The machine state was saved.',
  'exit.diskError': 'A disk I/O error paused the VM ({{reason}}); free space on the host disk, then resume.',
  'exit.diskCorrupt': 'A disk image is corrupted ({{detail}}); power off and repair it with qemu-img check.',
  'qemu.saveFailed': 'QEMU could not save the machine state: {{detail}}',
  // Engines
  'qemu.noBinary': 'No QEMU binary was given to the guest host.',
  'qemu.cannotStart': 'QEMU could not start the VM: {{detail}}',
  'qemu.exitedAtOnce': 'it exited at once.',
  'qemu.diskLocked': 'The disk {{path}} is in use by another program (another VM that is running?); stop that one or detach the disk, then start again.',
  'qemu.notRunning': 'QEMU is not running.',
  'qemu.refused': 'QEMU refused {{command}}: {{detail}}',
  'qemu.noGreeting': 'QEMU closed its control socket before greeting.',
  'qemu.closed': 'QEMU closed its control socket.',
  'qemu.gone': 'QEMU is no longer running.',
  'qemu.imgFailed': 'qemu-img could not create the disk: {{detail}}',
  'qemu.notInstalled': 'QEMU is not installed.',
  'qemu.installMac': 'QEMU is not installed: install it with "brew install qemu", or use the embedded v86 engine.',
  'qemu.installWin': 'QEMU is not installed: install it from qemu.org (or "winget install SoftwareFreedomConservancy.QEMU"), or use the embedded v86 engine.',
  'qemu.installLinux': 'QEMU is not installed: install it with "sudo apt install qemu-system-x86 qemu-utils" (Debian/Ubuntu) or "sudo dnf install qemu-kvm qemu-img" (Fedora), or use the embedded v86 engine.',
  'v86.noFirmware': 'No v86 firmware was given to the guest host.',
  'v86.startTimeout': 'v86 did not start within 60 s.',
  'v86.noResetDirect': 'The v86 engine cannot reset a VM that boots a kernel directly; power it off and start it again.',
  'v86.notRunning': 'The guest is not running.',
  'v86.needsFirmware': 'The v86 engine needs the SeaBIOS firmware (bios.bin): {{where}}.',
  'v86.firmwareLinux': 'install the seabios package ("sudo apt install seabios")',
  'v86.firmwareOther': "put SeaBIOS's bios.bin in a folder and set GUESTHOUSE_FIRMWARE_DIR to it (the installer ships one)",
  'v86.seabiosAt': 'SeaBIOS at {{bios}}.',
  'v86.seabiosNoVga': 'SeaBIOS at {{bios}} (no VGA BIOS: serial console only).',
  // Engine choice and notes
  'engine.setQemu': 'The VM is set to QEMU.',
  'engine.setV86': 'The VM is set to v86.',
  'engine.autoQemu': 'QEMU {{version}} was found at {{path}}.',
  'engine.autoV86': 'QEMU was not found, so the embedded v86 engine runs VMs (32-bit x86 guests only, slower).',
  'engine.autoNothing': 'QEMU was not found, and the embedded v86 engine needs the SeaBIOS firmware (bios.bin): {{where}}.',
  'notes.v86Disk': 'v86: guest writes go straight to the disk files.',
  'notes.v86NoDisk': 'v86: this VM has no hard disk.',
  'notes.v86NoNetwork': 'v86: no network yet; the guest sees no network card.',
  'notes.v86Save': 'v86: the machine state can be saved and restored.',
  'notes.qemu': 'QEMU: guest writes go to the disk files; the machine state can be saved and restored (by the same QEMU version).',
  // Accelerators (core/node/host/hostProbe.ts)
  'accel.kvmOnlyLinux': 'KVM exists only on Linux.',
  'accel.kvmOk': '/dev/kvm is present and accessible.',
  'accel.kvmMissing': '/dev/kvm does not exist (no hardware virtualization, or the kvm module is not loaded).',
  'accel.kvmDenied': 'You may not open /dev/kvm; add yourself to the kvm group.',
  'accel.no64Hang': '{{accel}} is present but could not run 64-bit code here: the probe did not finish within {{seconds}} s.',
  'accel.no64Error': '{{accel}} is present but could not run 64-bit code here: {{detail}}.',
  'accel.no64Exit': '{{accel}} is present but could not run 64-bit code here: QEMU ended with {{code}} before the probe finished.',
  'accel.no64Reset': '{{accel}} is present but could not run 64-bit code here: its CPU reset before reaching 64-bit mode.',
  'accel.choiceEnv': 'Using {{accel}}, as GUESTHOUSE_ACCELERATOR says.',
  'display.noVga': 'The guest has no VGA device (yet).',
  'notes.v86Devices': 'v86 gives the guest its own devices: a standard VGA screen, a PS/2 keyboard and mouse, IDE disks (the disk bus, network card and USB tablet settings apply under QEMU).',
  'notes.v86DevicesHeadless': 'v86 gives the guest its own devices: no screen (serial console only), a PS/2 keyboard, IDE disks.',
  'keys.tooLong': 'Type at most {{max}} characters at once.',
  'keys.what': 'Give either a key chord (such as ctrl-alt-delete) or text to type.',
  'keys.unknown': '"{{chord}}" is not a key chord Guesthouse knows; use names such as ctrl-alt-delete, ret, esc, f1 or a letter.',
  'keys.untypable': 'The character "{{char}}" cannot be typed on a US keyboard; send it over the serial console instead.',
  'display.none': '"{{name}}" has no screen (its display is set to none); use its serial console.',
  'display.graphical': 'The screen of "{{name}}" shows graphics, not text; take a PNG screenshot instead.',
  'display.notReady': 'The screen of "{{name}}" is not ready yet.',
  'display.failed': 'QEMU could not capture the screen: {{detail}}',
  'vnc.wrongPassword': 'The VNC password is wrong.',
  'vnc.needsPassword': 'This screen needs VNC Authentication (a password).',
  'vnc.unreachable': 'The screen of the guest could not be reached: {{detail}}',
  'vnc.notRfb': 'The guest host did not answer as an RFB server.',
  'vnc.noNone': 'The guest host offers no RFB security type Guesthouse can use.',
  'vnc.noDes': 'VNC Authentication needs DES, which the crypto library of this Node.js does not offer.',
  'vnc.portInUse': 'Port {{port}} is already in use; choose another.',
  'accel.envInvalid': 'GUESTHOUSE_ACCELERATOR={{value}} is not one of auto, kvm, hvf, whpx, tcg, so it is ignored.',
  'accel.choiceSetting': 'Using {{accel}}, as the host settings say.',
  'accel.choiceProbe': 'Using {{accel}}: QEMU ran 64-bit guest code with it on this host.',
  'accel.choiceTcgBecause': 'Using TCG (software emulation): {{detail}}',
  'accel.choiceTcg': 'Using TCG (software emulation): this host has no hardware accelerator.',
  'stop.internalError': 'The accelerator failed to run this guest ({{detail}}). Power off, set the accelerator to TCG, and start again.',
  'stop.unrequested': 'QEMU paused the guest without being asked (its status is {{status}}).',
  'notes.noSignOfLife': 'The guest has shown no console output and no screen change for {{seconds}} s under {{accel}}: the hardware acceleration of this host may be broken. Power off, set the accelerator to TCG (in this VM\'s settings, or for every VM in the host settings or with GUESTHOUSE_ACCELERATOR=tcg), and start again.',
  'notes.consoleLogFull': 'The disk that holds the library is full; the console log of "{{name}}" is paused until there is space again.',
  'notes.engineLogFull': 'The disk that holds the library is full; the engine log of "{{name}}" is paused until there is space again.',
  'notes.logFailed': 'A log of "{{name}}" cannot be written to its folder; it is paused until it can be.',
  'save.diskFull': 'The disk that holds the library is full; the machine state of "{{name}}" was not saved, and it runs on.',
  'library.diskFull': 'The disk that holds the library is full; the settings of "{{name}}" were not saved.',
  'accel.hvfOnlyMac': 'Hypervisor.framework exists only on macOS.',
  'accel.hvfOk': 'kern.hv_support is 1.',
  'accel.hvfUnsupported': 'This Mac does not support Hypervisor.framework.',
  'accel.hvfUnknown': 'Could not ask sysctl about Hypervisor.framework.',
  'accel.whpxOnlyWindows': 'WHPX exists only on Windows.',
  'accel.whpxOk': 'The Windows Hypervisor Platform is installed.',
  'accel.whpxOff': 'Turn on "Windows Hypervisor Platform" in Windows Features to use WHPX.',
  'accel.tcgOk': 'QEMU can always emulate the CPU in software (slower).',
  'accel.tcgNeedsQemu': 'Needs QEMU.',
  'accel.unusable': 'The {{accel}} accelerator is not usable here: {{detail}} Set the accelerator to auto or tcg.',
  // The desktop app's quit question (main/electron)
  'quit.message': 'Guests are still running',
  'quit.detail': '{{count}} guest(s) run in Guesthouse. Save their machine state (they continue at the next start), shut them down (ACPI, powered off if they do not respond), or power them off now?',
  'quit.saveState': 'Save state',
  'quit.shutDown': 'Shut down',
  'quit.powerOff': 'Power off',
  'quit.cancel': 'Cancel',
} as const;

export type MessageKey = keyof typeof en;
export type MessageParams = Readonly<Record<string, string | number>>;

export const ko: Readonly<Record<MessageKey, string>> = {
  'name.text': '이름은 텍스트여야 합니다.',
  'name.empty': '이름을 비워 둘 수 없습니다.',
  'name.tooLong': '이름은 {{max}}자 이하여야 합니다.',
  'name.separator': '이름에 / 또는 \\ 를 쓸 수 없습니다.',
  'name.dotdot': '이름에 ".."를 쓸 수 없습니다.',
  'name.chars': '이름에 제어 문자나 < > : " | ? * 를 쓸 수 없습니다.',
  'name.spaces': '이름은 공백으로 시작하거나 끝날 수 없습니다.',
  'memory.number': '메모리는 MiB 단위의 숫자여야 합니다.',
  'memory.whole': '메모리는 MiB 단위의 정수여야 합니다.',
  'memory.min': '메모리는 {{min}} MiB 이상이어야 합니다.',
  'memory.max': '메모리는 {{max}} MiB 이하여야 합니다.',
  'cpus.number': 'CPU 수는 숫자여야 합니다.',
  'cpus.min': 'CPU 수는 1 이상의 정수여야 합니다.',
  'cpus.max': 'CPU 수는 {{max}} 이하여야 합니다.',
  'path.text': '{{what}} 경로는 텍스트여야 합니다.',
  'path.empty': '{{what}} 경로를 비워 둘 수 없습니다.',
  'path.nul': '{{what}} 경로에 NUL 문자를 쓸 수 없습니다.',
  'path.missing': '{{what}} 파일 {{path}}이(가) 없습니다.',
  'path.notFile': '{{what}} 경로 {{path}}은(는) 파일이 아닙니다.',
  'port.number': '포트는 숫자여야 합니다.',
  'port.whole': '포트는 정수여야 합니다.',
  'port.range': '포트는 1에서 65535 사이여야 합니다.',
  'config.uuid': 'VM id는 UUID여야 합니다.',
  'config.osType': 'OS 종류는 {{list}} 중 하나여야 합니다.',
  'config.engine': '엔진은 {{list}} 중 하나여야 합니다.',
  'config.accelerator': '가속기는 {{list}} 중 하나여야 합니다.',
  'config.disksMax': 'VM 하나에 디스크는 {{max}}개까지 붙일 수 있습니다.',
  'config.appendMax': '커널 명령줄은 {{max}}자 이하여야 합니다.',
  'config.unknownSetting': '알 수 없는 설정: {{keys}}.',
  'config.unknownSettings': '알 수 없는 설정: {{keys}}.',
  'config.notConfig': '{{source}}에 VM 설정이 없습니다.',
  'config.noVersion': '{{source}}에 올바른 버전 번호가 없습니다.',
  'config.newer': '{{source}}은(는) 더 새로운 Guesthouse가 저장했습니다 (설정 버전 {{version}}, 이 Guesthouse는 {{current}}까지 읽습니다). 열려면 Guesthouse를 업데이트하세요.',
  'config.cannotUpgrade': '{{source}}의 설정 버전 {{version}}은(는) 이 Guesthouse가 올릴 수 없습니다.',
  'config.notJson': '{{source}}은(는) 올바른 JSON이 아닙니다.',
  'config.in': '{{source}}의 설정',
  'host.memory': '메모리 {{memory}} MiB는 이 호스트의 메모리({{total}} MiB)보다 많습니다.',
  'host.cpus': 'CPU {{cpus}}개는 이 호스트의 CPU({{total}}개)보다 많습니다.',
  'v86.arch': 'v86 엔진은 32비트 x86 게스트만 실행합니다. OS 종류를 linux-x86 또는 other-x86으로 고르거나 QEMU를 쓰세요.',
  'v86.cpus': 'v86 엔진은 CPU 하나만 에뮬레이션합니다. CPU 수를 1로 하세요.',
  'v86.memoryMax': 'v86 엔진은 메모리를 {{max}} MiB까지 지원합니다.',
  'v86.initrdMemory': 'initrd를 쓰면 v86 엔진에는 메모리가 {{need}} MiB 이상 필요합니다 (initrd를 64 MiB 위치에 올립니다).',
  'v86.rawOnly': 'v86 엔진은 raw 디스크 이미지만 읽습니다. {{path}}을(를) "qemu-img convert -O raw"로 변환하거나 QEMU를 쓰세요.',
  'v86.disksMax': 'v86 엔진은 하드 디스크를 {{max}}개까지 지원합니다.',
  'v86.biosOnly': 'v86 엔진은 BIOS로만 부팅합니다. 펌웨어를 bios로 하거나 QEMU를 쓰세요.',
  'config.firmware': '펌웨어는 {{list}} 중 하나여야 합니다.',
  'config.display': '디스플레이는 {{list}} 중 하나여야 합니다.',
  'config.pointer': '포인터는 {{list}} 중 하나여야 합니다.',
  'config.diskBus': '디스크 버스는 {{list}} 중 하나여야 합니다.',
  'config.nicModel': '네트워크 카드는 {{list}} 중 하나여야 합니다.',
  'config.ideDisks': 'IDE 디스크 버스에서는 하드 디스크를 최대 {{max}}개까지 쓸 수 있습니다 (CD-ROM 드라이브가 네 번째 자리를 씁니다). 더 많이 쓰려면 SATA를 고르세요.',
  'uefi.memory': 'UEFI 펌웨어에는 메모리가 {{min}} MiB 이상 필요합니다.',
  'uefi.found': 'UEFI 펌웨어(OVMF): {{code}}.',
  'uefi.missingLinux': 'UEFI 펌웨어(OVMF)를 찾지 못했습니다. ovmf 패키지를 설치하세요 ("sudo apt install ovmf").',
  'uefi.missingOther': 'UEFI 펌웨어를 찾지 못했습니다. 펌웨어(edk2-x86_64-code.fd)가 함께 들어 있는 QEMU를 설치하거나 GUESTHOUSE_UEFI_CODE와 GUESTHOUSE_UEFI_VARS를 설정하세요.',
  'request.problems': '{{what}}에 문제가 {{count}}개 있습니다: {{list}}',
  'request.internal': 'Guesthouse 내부 오류: {{detail}}',
  'request.ref': 'VM을 지정하세요.',
  'request.diskMin': '디스크는 1 MiB 이상이어야 합니다.',
  'request.consoleBytes': '콘솔 데이터는 바이트여야 합니다.',
  'request.consoleTooLong': '콘솔에는 한 번에 최대 {{max}} KiB까지 쓸 수 있습니다. 더 긴 입력은 "guesthouse send NAME --file FILE"처럼 나누어 보내세요.',
  'request.waitText': '기다릴 텍스트를 지정하세요.',
  'request.needsKernel': 'initrd나 커널 명령줄을 쓰려면 커널도 있어야 합니다.',
  'request.diskBoth': '새 디스크 크기와 기존 디스크 중 하나만 지정하세요.',
  'request.needsImg': 'qcow2 디스크를 만들려면 qemu-img가 필요합니다. {{hint}}',
  'request.bad': '잘못된 요청: {{list}}',
  'disk.notAttached': '이 VM에는 {{path}} 디스크가 붙어 있지 않습니다.',
  'disk.attached': '{{path}} 디스크는 이미 이 VM에 붙어 있습니다.',
  'request.noMethod': '{{method}}(이)라는 메서드는 없습니다.',
  'request.notJson': '요청은 JSON 한 줄이어야 합니다.',
  'request.kind': '메시지는 t가 {{list}} 중 하나인 객체여야 합니다.',
  'request.field': '{{field}} 값이 올바르지 않습니다 ({{detail}}).',
  'field.type': '{{expected}}이어야 합니다',
  'field.min': '{{min}} 이상이어야 합니다',
  'field.max': '{{max}} 이하여야 합니다',
  'field.oneOf': '{{list}} 중 하나여야 합니다',
  'field.other': '맞지 않습니다',
  'config.network': '네트워크는 {{list}} 중 하나여야 합니다.',
  'config.diskFormat': '디스크 형식은 {{list}} 중 하나여야 합니다.',
  'config.protocol': '포워드의 프로토콜은 {{list}} 중 하나여야 합니다.',
  'config.shutdownTimeout': '종료 제한 시간은 {{min}}초에서 {{max}}초 사이여야 합니다.',
  'config.diskSize': '새 디스크는 1 MiB에서 1 PiB 사이의 바이트 정수여야 합니다.',
  'disk.tooBigForFs': '{{size}} 디스크는 라이브러리가 있는 파일 시스템에 맞지 않습니다 (파일 크기 한도가 더 작습니다). 더 작은 디스크를 고르세요.',
  'disk.unreadable': '디스크 {{path}}은(는) 쓸 수 있는 {{format}} 이미지가 아닙니다: {{detail}}',
  'disk.inUse': '디스크 {{path}}을(를) 실행 중인 "{{other}}"이(가) 쓰고 있습니다. 먼저 그 VM을 멈추거나 디스크를 분리하세요.',
  'boot.empty': '{{what}} 파일 {{path}}이(가) 비어 있습니다.',
  'forward.repeated': '호스트 포트 {{port}} ({{protocol}})가 두 번 포워딩됩니다. 포워드마다 다른 호스트 포트가 필요합니다.',
  'forward.usedByVm': '호스트 포트 {{port}} ({{protocol}})를 실행 중인 "{{other}}"이(가) 포워딩하고 있습니다. 다른 호스트 포트를 고르세요.',
  'forward.inUse': '{{address}}의 호스트 포트 {{port}} ({{protocol}})를 다른 프로그램이 쓰고 있습니다. 다른 호스트 포트를 고르세요.',
  'forward.badAddress': '포워드의 호스트 주소는 IP 주소나 호스트 이름이어야 합니다.',
  'forward.noAddress': '포워드의 호스트 주소 {{address}}이(가) 이 컴퓨터의 주소로 풀리지 않습니다.',
  'forward.denied': '{{address}}의 호스트 포트 {{port}}에는 Guesthouse에 없는 권한이 필요합니다. 1023보다 큰 포트를 고르세요.',
  'browse.missing': '{{path}} 폴더가 없습니다.',
  'browse.notFolder': '{{path}}은(는) 폴더가 아닙니다.',
  'browse.denied': '{{path}} 폴더를 읽을 권한이 없습니다.',
  'rpc.lost': 'Guesthouse 서비스와의 연결이 끊어졌습니다.',
  'rpc.closed': 'Guesthouse 서비스와의 연결이 닫혀 있습니다.',
  'service.noStart': 'Guesthouse 서비스가 20초 안에 시작되지 않았습니다. {{log}}을(를) 확인하세요.',
  'service.unreachable': 'Guesthouse 서비스에 연결할 수 없습니다. {{log}}을(를) 확인하세요.',
  'service.running': '{{home}}의 Guesthouse 서비스가 이미 실행 중입니다.',
  'forward.bad': '"{{text}}"은(는) 포트 포워딩이 아닙니다. tcp:2222:22 처럼 쓰세요.',
  'size.bad': '"{{text}}"은(는) 크기가 아닙니다. 512M 또는 8G 처럼 쓰세요.',
  'size.min': '디스크는 1M 이상이어야 합니다 (입력: {{text}}).',
  'state.transition': '머신이 {{from}} 상태에서 {{to}} 상태로 바뀔 수 없습니다.',
  'action.start': '"{{name}}"은(는) {{state}} 상태라서 시작할 수 없습니다.',
  'action.pause': '"{{name}}"은(는) {{state}} 상태라서 일시 정지할 수 없습니다.',
  'action.resume': '"{{name}}"은(는) {{state}} 상태라서 계속할 수 없습니다.',
  'action.reset': '"{{name}}"은(는) {{state}} 상태라서 재설정할 수 없습니다.',
  'action.shutdown': '"{{name}}"은(는) {{state}} 상태라서 종료할 수 없습니다.',
  'action.poweroff': '"{{name}}"은(는) {{state}} 상태라서 전원을 끌 수 없습니다.',
  'action.save': '"{{name}}"은(는) {{state}} 상태라서 상태를 저장할 수 없습니다.',
  'action.discard': '"{{name}}"은(는) {{state}} 상태라서 저장된 상태를 버릴 수 없습니다.',
  'action.modify': '"{{name}}"은(는) {{state}} 상태라서 설정을 바꿀 수 없습니다.',
  'action.delete': '"{{name}}"은(는) {{state}} 상태라서 삭제할 수 없습니다.',
  'action.stopFirst': '먼저 정지하세요.',
  'action.discardFirst': '먼저 시작하거나 저장된 상태를 버리세요.',
  'vm.notFound': '"{{ref}}"(이)라는 VM이 없습니다.',
  'vm.inaccessible': '"{{name}}"에 접근할 수 없습니다: {{reason}} 복구하거나(마지막 변경 전의 설정으로 되돌립니다) 삭제하세요.',
  'vm.noBackup': '"{{name}}"의 설정에 쓸 수 있는 백업이 없습니다. {{path}}을(를) 직접 고치거나 VM을 삭제하세요 (디스크는 남길 수 있습니다).',
  'vm.notInaccessible': '"{{name}}"의 설정은 읽을 수 있습니다. 복구할 것이 없습니다.',
  'config.unreadable': '{{source}}을(를) 읽을 수 없습니다.',
  'vm.exists': '"{{name}}"(이)라는 VM이 이미 있습니다. 다른 이름을 고르세요.',
  'vm.locked': '"{{name}}"은(는) 이미 다른 Guesthouse에서 실행 중입니다 (프로세스 {{pid}}).',
  'vm.lockFailed': '"{{name}}"의 잠금을 얻지 못했습니다.',
  'vm.lockedElsewhere': '"{{name}}"은(는) 다른 Guesthouse(프로세스 {{pid}})에서 실행 중입니다. 바꾸거나 삭제하려면 먼저 그곳에서 멈추세요.',
  'vm.notRunning': '"{{name}}"은(는) 실행 중이 아닙니다.',
  'vm.noLongerRunning': '"{{name}}"은(는) 더 이상 실행 중이 아닙니다.',
  'vm.crashedWhy': '"{{name}}"이(가) 비정상 종료되었습니다: {{reason}}',
  'vm.stoppedWhy': '"{{name}}"이(가) 멈췄습니다: {{reason}}',
  'vm.noEngine': '"{{name}}"에 실행 중인 엔진이 없습니다.',
  'vm.stoppedWhileStarting': '"{{name}}"이(가) 시작하는 중에 멈췄습니다.',
  'vm.stateOtherEngine': '"{{name}}"에는 {{saved}}(으)로 저장한 머신 상태가 있어 {{engine}}(으)로 복원할 수 없습니다. 엔진을 {{saved}}(으)로 바꾸거나 저장된 상태를 버리세요.',
  'exit.poweredOff': '전원을 껐습니다.',
  'exit.guestPoweredOff': '게스트가 전원을 껐습니다.',
  'exit.shutdownTimeout': '게스트가 {{seconds}}초 안에 종료하지 않아 전원을 껐습니다.',
  'exit.panicked': '게스트 운영체제에 패닉이 일어났습니다.',
  'exit.outsideSignal': 'Guesthouse 밖에서 온 시그널이 QEMU를 멈췄습니다.',
  'exit.guestStoppedWhy': '게스트가 멈췄습니다 ({{reason}}).',
  'exit.guestStopped': '게스트가 멈췄습니다.',
  'exit.qemuKilled': 'QEMU가 {{signal}}(으)로 강제 종료되었습니다.',
  'exit.qemuCode': 'QEMU가 코드 {{code}}(으)로 끝났습니다: {{detail}}',
  'exit.noMessage': '메시지 없음',
  'exit.hostKilled': '게스트 호스트 프로세스가 {{signal}}(으)로 강제 종료되었습니다.',
  'exit.hostCode': '게스트 호스트 프로세스가 예기치 않게 코드 {{code}}(으)로 끝났습니다.',
  'exit.engineException': '{{engine}} 엔진이 멈췄습니다: {{detail}}',
  'exit.hostException': '게스트 호스트 프로세스가 멈췄습니다: {{detail}}',
  'exit.stateSaved': '머신 상태를 저장했습니다.',
  'exit.diskError': '디스크 입출력 오류로 VM을 일시 정지했습니다 ({{reason}}). 호스트 디스크의 공간을 확보한 뒤 계속하세요.',
  'exit.diskCorrupt': '디스크 이미지가 손상되었습니다 ({{detail}}). 전원을 끄고 qemu-img check로 복구하세요.',
  'qemu.saveFailed': 'QEMU가 머신 상태를 저장하지 못했습니다: {{detail}}',
  'qemu.noBinary': '게스트 호스트에 QEMU 실행 파일이 주어지지 않았습니다.',
  'qemu.cannotStart': 'QEMU가 VM을 시작하지 못했습니다: {{detail}}',
  'qemu.exitedAtOnce': '바로 끝났습니다.',
  'qemu.diskLocked': '디스크 {{path}}을(를) 다른 프로그램(실행 중인 다른 VM?)이 쓰고 있습니다. 그쪽을 멈추거나 디스크를 분리한 뒤 다시 시작하세요.',
  'qemu.notRunning': 'QEMU가 실행 중이 아닙니다.',
  'qemu.refused': 'QEMU가 {{command}}을(를) 거부했습니다: {{detail}}',
  'qemu.noGreeting': 'QEMU가 인사하기 전에 제어 소켓을 닫았습니다.',
  'qemu.closed': 'QEMU가 제어 소켓을 닫았습니다.',
  'qemu.gone': 'QEMU가 더 이상 실행 중이 아닙니다.',
  'qemu.imgFailed': 'qemu-img가 디스크를 만들지 못했습니다: {{detail}}',
  'qemu.notInstalled': 'QEMU가 설치되어 있지 않습니다.',
  'qemu.installMac': 'QEMU가 설치되어 있지 않습니다. "brew install qemu"로 설치하거나 내장 v86 엔진을 쓰세요.',
  'qemu.installWin': 'QEMU가 설치되어 있지 않습니다. qemu.org에서 (또는 "winget install SoftwareFreedomConservancy.QEMU"로) 설치하거나 내장 v86 엔진을 쓰세요.',
  'qemu.installLinux': 'QEMU가 설치되어 있지 않습니다. "sudo apt install qemu-system-x86 qemu-utils"(Debian/Ubuntu) 또는 "sudo dnf install qemu-kvm qemu-img"(Fedora)로 설치하거나 내장 v86 엔진을 쓰세요.',
  'v86.noFirmware': '게스트 호스트에 v86 펌웨어가 주어지지 않았습니다.',
  'v86.startTimeout': 'v86이 60초 안에 시작하지 않았습니다.',
  'v86.noResetDirect': 'v86 엔진은 커널로 직접 부팅한 VM을 재설정할 수 없습니다. 전원을 끄고 다시 시작하세요.',
  'v86.notRunning': '게스트가 실행 중이 아닙니다.',
  'v86.needsFirmware': 'v86 엔진에는 SeaBIOS 펌웨어(bios.bin)가 필요합니다. {{where}}.',
  'v86.firmwareLinux': 'seabios 패키지를 설치하세요 ("sudo apt install seabios")',
  'v86.firmwareOther': 'SeaBIOS의 bios.bin을 폴더에 두고 GUESTHOUSE_FIRMWARE_DIR를 그 폴더로 설정하세요 (설치 프로그램에 들어 있습니다)',
  'v86.seabiosAt': 'SeaBIOS: {{bios}}.',
  'v86.seabiosNoVga': 'SeaBIOS: {{bios}} (VGA BIOS 없음: 시리얼 콘솔만 씁니다).',
  'engine.setQemu': '이 VM은 QEMU로 설정되어 있습니다.',
  'engine.setV86': '이 VM은 v86으로 설정되어 있습니다.',
  'engine.autoQemu': '{{path}}에서 QEMU {{version}}을(를) 찾았습니다.',
  'engine.autoV86': 'QEMU를 찾지 못해 내장 v86 엔진이 VM을 실행합니다 (32비트 x86 게스트만, 더 느림).',
  'engine.autoNothing': 'QEMU를 찾지 못했고, 내장 v86 엔진에는 SeaBIOS 펌웨어(bios.bin)가 필요합니다. {{where}}.',
  'notes.v86Disk': 'v86: 게스트가 쓴 내용은 디스크 파일에 바로 저장됩니다.',
  'notes.v86NoDisk': 'v86: 이 VM에는 하드 디스크가 없습니다.',
  'notes.v86NoNetwork': 'v86: 아직 네트워크가 없어 게스트에 네트워크 카드가 보이지 않습니다.',
  'notes.v86Save': 'v86: 머신 상태를 저장하고 복원할 수 있습니다.',
  'notes.qemu': 'QEMU: 게스트가 쓴 내용은 디스크 파일에 저장됩니다. 머신 상태를 저장하고 (같은 QEMU 버전으로) 복원할 수 있습니다.',
  'accel.kvmOnlyLinux': 'KVM은 Linux에만 있습니다.',
  'accel.kvmOk': '/dev/kvm이 있고 열 수 있습니다.',
  'accel.kvmMissing': '/dev/kvm이 없습니다 (하드웨어 가상화가 없거나 kvm 모듈이 로드되지 않았습니다).',
  'accel.kvmDenied': '/dev/kvm을 열 권한이 없습니다. 사용자를 kvm 그룹에 추가하세요.',
  'accel.no64Hang': '{{accel}}이(가) 있지만 여기서 64비트 코드를 실행하지 못했습니다: 검사가 {{seconds}}초 안에 끝나지 않았습니다.',
  'accel.no64Error': '{{accel}}이(가) 있지만 여기서 64비트 코드를 실행하지 못했습니다: {{detail}}.',
  'accel.no64Exit': '{{accel}}이(가) 있지만 여기서 64비트 코드를 실행하지 못했습니다: 검사가 끝나기 전에 QEMU가 {{code}}(으)로 끝났습니다.',
  'accel.no64Reset': '{{accel}}이(가) 있지만 여기서 64비트 코드를 실행하지 못했습니다: 64비트 모드에 이르기 전에 CPU가 리셋되었습니다.',
  'accel.choiceEnv': 'GUESTHOUSE_ACCELERATOR에 따라 {{accel}}을(를) 씁니다.',
  'display.noVga': '게스트에 VGA 장치가 (아직) 없습니다.',
  'notes.v86Devices': 'v86는 게스트에 자체 장치를 줍니다: 표준 VGA 화면, PS/2 키보드와 마우스, IDE 디스크 (디스크 버스, 네트워크 카드, USB 태블릿 설정은 QEMU에서 적용됩니다).',
  'notes.v86DevicesHeadless': 'v86는 게스트에 자체 장치를 줍니다: 화면 없음 (직렬 콘솔만), PS/2 키보드, IDE 디스크.',
  'keys.tooLong': '한 번에 최대 {{max}}자까지 입력할 수 있습니다.',
  'keys.what': '키 조합(예: ctrl-alt-delete)이나 입력할 텍스트 중 하나를 주세요.',
  'keys.unknown': '"{{chord}}"은(는) Guesthouse가 아는 키 조합이 아닙니다. ctrl-alt-delete, ret, esc, f1 또는 글자 같은 이름을 쓰세요.',
  'keys.untypable': '"{{char}}" 문자는 US 키보드로 입력할 수 없습니다. 직렬 콘솔로 보내세요.',
  'display.none': '"{{name}}"에는 화면이 없습니다 (디스플레이가 none으로 설정됨). 직렬 콘솔을 쓰세요.',
  'display.graphical': '"{{name}}"의 화면은 텍스트가 아닌 그래픽을 보여 줍니다. PNG 스크린샷을 찍으세요.',
  'display.notReady': '"{{name}}"의 화면이 아직 준비되지 않았습니다.',
  'display.failed': 'QEMU가 화면을 캡처하지 못했습니다: {{detail}}',
  'vnc.wrongPassword': 'VNC 암호가 틀렸습니다.',
  'vnc.needsPassword': '이 화면은 VNC 인증(암호)이 필요합니다.',
  'vnc.unreachable': '게스트의 화면에 연결할 수 없습니다: {{detail}}',
  'vnc.notRfb': '게스트 호스트가 RFB 서버로 응답하지 않았습니다.',
  'vnc.noNone': '게스트 호스트가 Guesthouse가 쓸 수 있는 RFB 보안 방식을 제공하지 않습니다.',
  'vnc.noDes': 'VNC 인증에는 DES가 필요한데, 이 Node.js의 암호 라이브러리에는 DES가 없습니다.',
  'vnc.portInUse': '포트 {{port}}은(는) 이미 사용 중입니다. 다른 포트를 고르세요.',
  'accel.envInvalid': 'GUESTHOUSE_ACCELERATOR={{value}}은(는) auto, kvm, hvf, whpx, tcg 중 하나가 아니므로 무시합니다.',
  'accel.choiceSetting': '호스트 설정에 따라 {{accel}}을(를) 씁니다.',
  'accel.choiceProbe': '{{accel}}을(를) 씁니다: 이 호스트에서 QEMU가 그것으로 64비트 게스트 코드를 실행했습니다.',
  'accel.choiceTcgBecause': 'TCG(소프트웨어 에뮬레이션)를 씁니다: {{detail}}',
  'accel.choiceTcg': 'TCG(소프트웨어 에뮬레이션)를 씁니다: 이 호스트에는 하드웨어 가속기가 없습니다.',
  'stop.internalError': '가속기가 이 게스트를 실행하지 못했습니다 ({{detail}}). 전원을 끄고 가속기를 TCG로 설정한 뒤 다시 시작하세요.',
  'stop.unrequested': 'QEMU가 요청 없이 게스트를 일시 정지했습니다 (상태: {{status}}).',
  'notes.noSignOfLife': '게스트가 {{accel}}에서 {{seconds}}초 동안 콘솔 출력도 화면 변화도 없습니다: 이 호스트의 하드웨어 가속이 고장났을 수 있습니다. 전원을 끄고 가속기를 TCG로 설정한 뒤(이 VM의 설정에서, 또는 모든 VM에 대해 호스트 설정이나 GUESTHOUSE_ACCELERATOR=tcg로) 다시 시작하세요.',
  'notes.consoleLogFull': '라이브러리가 있는 디스크가 가득 찼습니다. 공간이 다시 생길 때까지 "{{name}}"의 콘솔 로그 기록을 멈춥니다.',
  'notes.engineLogFull': '라이브러리가 있는 디스크가 가득 찼습니다. 공간이 다시 생길 때까지 "{{name}}"의 엔진 로그 기록을 멈춥니다.',
  'notes.logFailed': '"{{name}}"의 로그를 폴더에 쓸 수 없습니다. 쓸 수 있을 때까지 기록을 멈춥니다.',
  'save.diskFull': '라이브러리가 있는 디스크가 가득 차서 "{{name}}"의 머신 상태를 저장하지 못했습니다. 게스트는 계속 실행됩니다.',
  'library.diskFull': '라이브러리가 있는 디스크가 가득 차서 "{{name}}"의 설정을 저장하지 못했습니다.',
  'accel.hvfOnlyMac': 'Hypervisor.framework는 macOS에만 있습니다.',
  'accel.hvfOk': 'kern.hv_support가 1입니다.',
  'accel.hvfUnsupported': '이 Mac은 Hypervisor.framework를 지원하지 않습니다.',
  'accel.hvfUnknown': 'sysctl에서 Hypervisor.framework 지원 여부를 알아내지 못했습니다.',
  'accel.whpxOnlyWindows': 'WHPX는 Windows에만 있습니다.',
  'accel.whpxOk': 'Windows 하이퍼바이저 플랫폼이 설치되어 있습니다.',
  'accel.whpxOff': 'WHPX를 쓰려면 Windows 기능에서 "Windows 하이퍼바이저 플랫폼"을 켜세요.',
  'accel.tcgOk': 'QEMU는 언제든 CPU를 소프트웨어로 에뮬레이션할 수 있습니다 (더 느림).',
  'accel.tcgNeedsQemu': 'QEMU가 필요합니다.',
  'accel.unusable': '{{accel}} 가속기를 여기서 쓸 수 없습니다: {{detail}} 가속기를 auto 또는 tcg로 설정하세요.',
  'quit.message': '게스트가 아직 실행 중입니다',
  'quit.detail': 'Guesthouse에서 게스트 {{count}}개가 실행 중입니다. 머신 상태를 저장할까요 (다음 시작 때 이어서 실행), 종료할까요 (ACPI, 응답하지 않으면 전원을 끕니다), 아니면 지금 전원을 끌까요?',
  'quit.saveState': '상태 저장',
  'quit.shutDown': '종료',
  'quit.powerOff': '전원 끄기',
  'quit.cancel': '취소',
};

/**
 * Words the core puts into its sentences as parameters: what a path or a request is, and
 * state names. Only parameters with these names are looked up here.
 */
const termParams = new Set(['what', 'state', 'from', 'to']);
const koTerms: Readonly<Record<string, string>> = {
  disk: '디스크',
  kernel: '커널',
  initrd: 'initrd',
  ISO: 'ISO',
  VM: 'VM',
  'new VM': '새 VM',
  change: '변경',
  request: '요청',
  'delete options': '삭제 옵션',
  stopped: '정지됨',
  starting: '시작 중',
  running: '실행 중',
  pausing: '일시 정지 중',
  paused: '일시 정지됨',
  resuming: '재개 중',
  stopping: '종료 중',
  saved: '상태 저장됨',
  crashed: '비정상 종료',
};

export const catalogs = { en, ko } as const;
export type Locale = keyof typeof catalogs;

/** Fills a template's `{{name}}` placeholders. */
export function format(template: string, params: MessageParams = {}): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** A catalog sentence straight in a given language (for text the core shows itself, like the quit question). */
export function say(locale: Locale, key: MessageKey, params?: MessageParams): string {
  return format(catalogs[locale][key], params);
}

/** A core sentence in English, the core's own language. */
export function m(key: MessageKey, params?: MessageParams): string {
  return say('en', key, params);
}

/** The catalog for a language tag ("ko-KR", "ko_KR.UTF-8" → ko); English for every other. */
export function localeOf(tag: string | undefined): Locale {
  const base = (tag ?? '').toLowerCase().split(/[-_.]/)[0];
  return base === 'ko' ? 'ko' : 'en';
}

/** Parameters that may hold whole sentences; every other one stays within a sentence. */
const sentenceParams = new Set(['list', 'detail', 'hint', 'reason', 'where']);

interface Matcher {
  key: MessageKey;
  re: RegExp;
  names: string[];
  literal: number;
}

let matchers: Matcher[] | undefined;

/** English templates as anchored patterns, the most literal text first so the most specific template wins. */
function compile(): Matcher[] {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return (Object.keys(en) as MessageKey[])
    .map((key) => {
      const parts = en[key].split(/\{\{(\w+)\}\}/);
      const names: string[] = [];
      let source = '';
      parts.forEach((part, i) => {
        if (i % 2 === 0) source += escape(part);
        else {
          names.push(part);
          source += sentenceParams.has(part) ? '([\\s\\S]+?)' : '((?:(?![.!?;]\\s)[\\s\\S])+?)';
        }
      });
      return { key, re: new RegExp(`^${source}$`), names, literal: parts.filter((_, i) => i % 2 === 0).join('').length };
    })
    .sort((a, b) => b.literal - a.literal);
}

/** Splits text into sentences: after . ! or ? and a space, before a capital, a digit, a quote or a path. */
function sentences(text: string): string[] {
  return text.split(/(?<=[.!?])\s+(?=["A-Z/\d])/);
}

function translateOne(text: string, locale: Locale): string | null {
  matchers ??= compile();
  for (const { key, re, names } of matchers) {
    const hit = re.exec(text);
    if (!hit) continue;
    const params: Record<string, string> = {};
    names.forEach((name, i) => {
      const value = hit[i + 1]!;
      params[name] = termParams.has(name) ? (koTerms[value] ?? value) : localize(value, locale);
    });
    return format(catalogs[locale][key], params);
  }
  return null;
}

/**
 * A core sentence (or several) in the user's language: each recognised template is filled
 * again from the catalog, with its parameters translated in turn; anything unrecognised stays.
 */
export function localize(text: string, locale: Locale | string): string {
  const loc = localeOf(locale);
  if (loc === 'en' || !text) return text;
  const whole = translateOne(text, loc);
  if (whole !== null) return whole;
  const parts = sentences(text);
  if (parts.length < 2) return text;
  return parts.map((p) => translateOne(p, loc) ?? p).join(' ');
}
