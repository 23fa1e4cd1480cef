import fs from 'node:fs';
import type { FlowGate, FlowViewer } from '../../common/flowGate';
import type { ConsolePort, FromGuestHost } from '../../common/protocol';
import { RingBuffer } from '../../common/ringBuffer';
import { logFile, logsDir, previousConsoleLog } from '../shared/vmFolder';
import { PausableLog } from '../shared/logFile';

/** At most one output message per this many ms (a keystroke's echo after a pause goes at once). */
const OUTPUT_FLUSH_MS = 4;
const OUTPUT_FLUSH_BYTES = 64 * 1024;

/**
 * The guest's console on its way out of the guest host: logs/console.log, the ring buffer for
 * late viewers, and output to the parent and to viewers on MessagePorts, throttled with a
 * leading edge (output after a quiet spell leaves at once; a flood at most one message per 4 ms).
 */
export class ConsolePump {
  /** Recent console output for late viewers; sized from the boot spec. */
  private ring: RingBuffer | undefined;
  /** logs/console.log: a write that fails (a full disk) pauses it, never the guest. */
  private log: PausableLog | undefined;
  private pendingOutput: Uint8Array[] = [];
  private pendingBytes = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private lastFlushAt = 0;
  /** Viewers on MessagePorts (the renderer, straight from here) and what they have not acknowledged. */
  private readonly portViewers = new Map<ConsolePort, FlowViewer>();

  constructor(
    private readonly send: (message: FromGuestHost) => void,
    /** Pauses the engine's console while the parent asks or a port viewer lags. */
    private readonly flow: FlowGate,
    /** A port viewer's input, for the guest. */
    private readonly input: (data: Uint8Array) => void,
  ) {}

  /** At boot: the ring buffer, and a fresh console.log (the last one kept as the previous). */
  open(ringBytes: number, vmDir: string): void {
    this.ring = new RingBuffer(ringBytes);
    const file = logFile(vmDir, 'console');
    try {
      fs.mkdirSync(logsDir(vmDir), { recursive: true });
      if (fs.existsSync(file)) fs.renameSync(file, previousConsoleLog(vmDir));
    } catch {
      // The log cannot be kept (a full disk): the guest runs without it; the log says so below.
    }
    this.log = new PausableLog(file, 'w', (pause) => this.send({ type: 'logPaused', log: 'console', pause }));
  }

  push(data: Uint8Array): void {
    // The log is written before the output is passed on, so anyone who sees output
    // over IPC finds it in the log too (waitForConsole relies on this), unless a full disk
    // has paused the log.
    this.log?.write(data);
    this.ring?.push(data);
    this.pendingOutput.push(data);
    this.pendingBytes += data.length;
    // Throttled with a leading edge: output after a quiet spell (a keystroke's echo)
    // leaves at once; a flood leaves in batches, at most one message per OUTPUT_FLUSH_MS.
    const sinceLast = performance.now() - this.lastFlushAt;
    if (this.pendingBytes >= OUTPUT_FLUSH_BYTES || (sinceLast >= OUTPUT_FLUSH_MS && !this.flushTimer)) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), Math.max(0, OUTPUT_FLUSH_MS - sinceLast));
  }

  /**
   * The recent output. Everything before it is first sent on as output, so a viewer that
   * starts listening with this backlog sees each byte exactly once.
   */
  backlog(): Uint8Array {
    this.flush();
    return this.ring?.read() ?? new Uint8Array();
  }

  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pendingBytes === 0) return;
    this.lastFlushAt = performance.now();
    const data = Buffer.concat(this.pendingOutput, this.pendingBytes);
    this.pendingOutput = [];
    this.pendingBytes = 0;
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.length);
    this.send({ type: 'output', data: bytes });
    for (const [port, viewer] of this.portViewers) {
      port.post({ type: 'data', data: bytes });
      this.flow.sent(viewer, bytes.length);
    }
  }

  /** A viewer on its own MessagePort: the backlog first, then live output, with acks. */
  attachPort(port: ConsolePort): void {
    this.flush();
    const viewer = this.flow.add();
    this.portViewers.set(port, viewer);
    port.post({ type: 'backlog', data: this.ring?.read() ?? new Uint8Array() });
    port.onMessage((m) => {
      if (m.type === 'input') this.input(m.data);
      else if (m.type === 'ack') this.flow.acked(viewer, m.bytes);
    });
    port.onClose(() => {
      this.portViewers.delete(port);
      this.flow.remove(viewer);
    });
  }

  closeLog(): void {
    this.log?.close();
    this.log = undefined;
  }

  /** The guest has ended: each port viewer hears so and is closed. */
  closePorts(): void {
    for (const port of this.portViewers.keys()) {
      port.post({ type: 'closed' });
      port.close();
    }
  }
}
