/** English strings; ko.ts must have the same keys (type-checked). */
export const en = {
  app: { title: 'Guesthouse', connectionLost: 'The connection to the Guesthouse service was lost. Reconnecting…', language: 'Language' },
  toolbar: {
    new: 'New', start: 'Start', pause: 'Pause', resume: 'Resume', reset: 'Reset', shutdown: 'Shut down', powerOff: 'Power off', save: 'Save state', discard: 'Discard state', delete: 'Delete', settings: 'Settings', host: 'Host',
  },
  list: { search: 'Search VMs', empty: 'No VMs yet. Click New to make one.', noMatch: 'No VM matches "{{query}}".', memory: '{{mib}} MiB', cpus_one: '{{count}} CPU', cpus_other: '{{count}} CPUs', machines: 'Machines' },
  state: { stopped: 'Stopped', starting: 'Starting', running: 'Running', pausing: 'Pausing', paused: 'Paused', resuming: 'Resuming', stopping: 'Stopping', saved: 'Saved', crashed: 'Crashed' },
  tabs: { details: 'Details', display: 'Display', console: 'Console', settings: 'Settings', log: 'Log' },
  log: { refresh: 'Refresh' },
  details: {
    select: 'Select a VM on the left, or click New.', os: 'OS type', engine: 'Engine', accelerator: 'Accelerator', memory: 'Memory', cpus: 'CPUs', disks: 'Disks', optical: 'Optical drive', kernel: 'Kernel', initrd: 'Initrd', append: 'Kernel command line', network: 'Network', folder: 'Folder', none: 'None', reason: 'Why', runningOn: 'Running on {{engine}} ({{accelerator}})', runsOn: 'Runs on', nothing: 'nothing on this host',
    preview: 'Preview', previewAlt: 'The screen of {{name}}', previewNone: 'The screen shows here while the VM runs.', previewNoDisplay: 'This VM has no screen (display: none).',
    guestSees: 'What the guest sees', display: 'Display adapter', pointer: 'Pointer', diskBus: 'Disk bus', nicModel: 'Network card', default: 'Default',
    adapters: { vga: 'Standard VGA', virtio: 'virtio-vga', none: 'None (serial console only)' },
    pointers: { tablet: 'USB tablet', ps2: 'PS/2 mouse' },
    buses: { virtio: 'virtio-blk', sata: 'SATA (AHCI)', ide: 'IDE' },
    nics: { virtio: 'virtio-net', e1000: 'Intel e1000' },
    inaccessible: 'This VM is inaccessible: its configuration file cannot be read.', repair: 'Repair', repairHint: 'Repair puts back its configuration from before its last change; Delete removes it.',
  },
  display: {
    notRunning: '"{{name}}" is not running. Start it to see its screen.', label: 'Screen of {{name}}', tools: 'Screen tools',
    fit: 'Scale to fit', actualSize: '1:1', fullScreen: 'Full screen', exitFullScreen: 'Leave full screen', ctrlAltDel: 'Ctrl+Alt+Del',
    capture: 'Capture keyboard', release: 'Release keyboard', reconnect: 'Reconnect',
    captured: 'Keyboard captured — press Right Ctrl (or the button) to release', clickToCapture: 'Click the screen to give it the keyboard.',
    status: { connecting: 'Connecting…', connected: 'Connected', disconnected: 'Disconnected', unavailable: 'The screen is not available.' },
    resolution: '{{width}}×{{height}}',
  },
  console: {
    notRunning: '"{{name}}" is not running. Start it to use its console.', copy: 'Copy', paste: 'Paste', fontBigger: 'Larger text', fontSmaller: 'Smaller text', label: 'Console of {{name}}',
  },
  confirm: {
    deleteTitle: 'Delete "{{name}}"?', deleteKeep: 'Delete the VM but keep its disks', deleteAll: 'Delete the VM and its disks', deleteNoDisks: 'Delete', cancel: 'Cancel',
    deleteBodyDisks: 'Its disks inside its folder ({{disks}}) are deleted too unless you keep them.', deleteBodyNone: 'It has no disks of its own; files outside its folder are never touched.',
  },
  wizard: {
    title: 'New virtual machine', firmware: 'Firmware', firmwareBios: 'BIOS', firmwareUefi: 'UEFI', firmwareUefiMissing: 'UEFI (no firmware found on this host)', diskSizeBad: 'A new disk needs a size in GiB above 0.', name: 'Name', os: 'OS type', memory: 'Memory (MiB)', cpus: 'CPUs', disk: 'Hard disk', diskNew: 'Create a new disk', diskExisting: 'Use an existing disk file', diskNone: 'No disk', diskSize: 'Size (GiB)', diskPath: 'Disk file', boot: 'Boot media', iso: 'ISO image (CD/DVD)', advanced: 'Advanced: boot a kernel directly', kernel: 'Kernel', initrd: 'Initrd', append: 'Kernel command line', engine: 'Engine', accelerator: 'Accelerator', finish: 'Finish', cancel: 'Cancel', creating: 'Creating…',
    zoneComfortable: 'Comfortable: leaves the host plenty of memory.', zoneWarning: 'Warning: the host may run short of memory.', zoneRefused: 'More than this host has.',
    cpuWarning: 'More CPUs than the host has physical cores ({{physical}}); the guest may run slower.', nameTaken: 'A VM named "{{name}}" already exists; choose another name.',
    willUse: 'Will run on {{engine}} with {{accelerator}}.', noEngine: 'No engine is available: {{reason}}', autoLabel: 'Automatic', tcg: 'software emulation (TCG)', v86: 'its WebAssembly JIT (32-bit x86 guests, one CPU)',
  },
  browse: { browse: 'Browse…', button: 'Browse for {{label}}', title: 'Choose: {{label}}', folder: 'Folder', go: 'Go', entries: 'Files', allFiles: 'Show all files', truncated: 'Only the first 2000 entries are shown; type a folder above to go further.', cancel: 'Cancel' },
  settings: { loading: 'Loading the settings…', storage: 'Storage', noDisks: 'No hard disks.', detach: 'Detach', keep: 'Keep', detachDisk: 'Detach {{path}}', keepDisk: 'Keep {{path}}', detachNote: 'detached when you save; the file stays', attachDisk: 'Attach an existing disk file', newDisk: 'Add a new disk (GiB)', newDiskBad: 'A new disk needs a size in GiB, at least 1 MiB.', kernelNeeded: 'A VM that boots a kernel directly needs the kernel file.', network: 'Network', nat: 'NAT (the guest reaches out; forwards reach in)', noNetwork: 'Not connected', forwards: 'Port forwards (host port → guest port)', save: 'Save', saved: 'Saved.', readOnly: 'The VM is running: these settings can change only after it stops.', name: 'Name' },
  host: {
    title: 'This host', cpu: 'CPU', cpus: '{{logical}} logical, {{physical}} physical', memory: 'Memory', memoryUsed: '{{used}} MiB used of {{total}} MiB', accelerator: 'Accelerator', none: 'None: QEMU emulates the CPU in software (TCG), which is slower.', engines: 'Engines', qemuMissing: 'QEMU was not found.', library: 'Library', auto: 'Engine "auto" uses', close: 'Close',
    accelAuto: 'VMs with accelerator "auto" use', accelSetting: 'Accelerator for every VM set to "auto"', accelProbe: 'Decided by the probe', accelSaved: 'Saved.',
  },
  errors: { bugTitle: 'Guesthouse hit a bug', bugBody: 'This is not your fault. Please report it with the details below.', reload: 'Reload', dismiss: 'Dismiss', details: 'Details' },
};
export type Strings = typeof en;
