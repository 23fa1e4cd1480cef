import type { CreateVmRequest, HostInfo, LibraryService, VmDetails } from '../../core/common/api';

/** The tiny test guest (test/guests/build.mjs) as the benchmarks use it; each takes the fields it needs. */
export interface BenchGuest {
  kernel: string;
  bzImage: string;
  initrd: string;
  append: string;
  readyMarker: string;
  netReadyMarker: string;
}

/** What each benchmark gets from main.ts: the service, the host, the run's shape and its helpers. */
export interface BenchContext {
  service: LibraryService;
  host: HostInfo;
  /** The service's runtime folder: where the guest hosts' and QEMU's sockets are. */
  runtimeDir: string;
  quick: boolean;
  pairs: number;
  warmup: number;
  /** Clock ticks per second of /proc/<pid>/stat. */
  hz: number;
  log(s: string): void;
  cpuTicks(pid: number): number;
  /** Resolves the moment `text` has been seen on the VM's console (backlog or stream): the time, or NaN after `timeoutMs`. */
  consoleMarker(service: LibraryService, vm: string, text: string, timeoutMs?: number): Promise<number>;
  /** The VM of that name, made with `req` if the library has none yet. */
  ensureVm(name: string, req: Omit<CreateVmRequest, 'name'>): Promise<VmDetails>;
}
