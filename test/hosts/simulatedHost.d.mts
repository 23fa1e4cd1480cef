// Types of simulatedHost.mjs (a plain script, so that it runs before any build).
export type BrokenKvm = 'hang' | 'abort';
export function fakeQemuDir(kind: BrokenKvm, root: string): { dir: string; calls: string };
export function brokenKvmEnv(kind: BrokenKvm, root: string, extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv & { calls: string };
export function kvmRuns(calls: string): string[];
