import type { HostBasics, HostInfo } from '../../common/api';
import { probeAccelerators, probeHostBasics, type HostAccelerators } from '../host/hostProbe';

/**
 * What the service knows of its host, looked at when asked and shared: the basics (CPUs,
 * memory, QEMU, firmware: cheap, looked at once, again on refresh), and the accelerators'
 * probe, run when a start or the host panel needs it, whose run callers share.
 */
export class HostFacts {
  private hostBasics: Promise<HostBasics> | undefined;
  private hostAccelerators: { run: Promise<HostAccelerators>; settled: boolean } | undefined;

  constructor(private readonly options: { libraryPath: string; home: string; env: NodeJS.ProcessEnv }) {}

  /** The host's basics, never the probe (a failed look is looked at again next time). */
  basics(refresh = false): Promise<HostBasics> {
    if (refresh || !this.hostBasics) {
      const run = probeHostBasics(this.options);
      this.hostBasics = run;
      run.catch(() => this.hostBasics === run && (this.hostBasics = undefined));
    }
    return this.hostBasics;
  }

  /**
   * The whole host, accelerators included. A refresh looks again (the probe's cache makes that
   * cheap) unless a probe is under way, whose answer every caller then shares.
   */
  async host(refresh = false): Promise<HostInfo> {
    const basics = await this.basics(refresh);
    if (!this.hostAccelerators || (refresh && this.hostAccelerators.settled)) {
      const flight = { run: probeAccelerators(basics, this.options.env), settled: false };
      this.hostAccelerators = flight;
      flight.run.then(
        () => (flight.settled = true),
        () => this.hostAccelerators === flight && (this.hostAccelerators = undefined),
      );
    }
    return { ...basics, ...(await this.hostAccelerators.run) };
  }
}
