/**
 * The engines and accelerators, each list spelled once. No imports: the guest host loads
 * this, and it must not pull in the config schema (zod).
 */

/** The engines that run a guest: QEMU (a process of its own) and v86 (inside the guest host). */
export const engineKinds = ['qemu', 'v86'] as const;
export type EngineKind = (typeof engineKinds)[number];
/** A VM's engine setting: an engine, or `auto` (the service picks one per host). */
export const engineSettings = ['auto', ...engineKinds] as const;
export type EngineSetting = (typeof engineSettings)[number];

/** QEMU's hardware accelerators (KVM on Linux, HVF on macOS, WHPX on Windows). */
export const hardwareAccelerators = ['kvm', 'hvf', 'whpx'] as const;
export type HardwareAccelerator = (typeof hardwareAccelerators)[number];
/** What QEMU runs a guest with: a hardware accelerator, or TCG (its own translator: everywhere, slower). */
export const acceleratorKinds = [...hardwareAccelerators, 'tcg'] as const;
export type AcceleratorKind = (typeof acceleratorKinds)[number];
/** A VM's (or the host's) accelerator setting: an accelerator, or `auto`. */
export const acceleratorSettings = ['auto', ...acceleratorKinds] as const;
export type AcceleratorSetting = (typeof acceleratorSettings)[number];
