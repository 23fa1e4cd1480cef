// A long operation's progress as ProgressEvents (the GUI's progress bar, the CLI's progress
// line): each step as it begins, with a percentage where one is known, and a last event that
// says the operation is over, done or failed.
import type { ProgressEvent } from '../../common/api';
import { sentenceOf } from '../../common/errors';
import { m, type Sentence } from '../../common/messages';
import type { ServiceEvents } from './serviceEvents';

export class Progress {
  private ended = false;

  constructor(
    private readonly events: ServiceEvents,
    private readonly id: string,
    private readonly operation: ProgressEvent['operation'],
  ) {}

  /** A step begins (or goes on, with a new percentage). */
  step(step: Sentence, percent: number | null = null): void {
    if (!this.ended) this.events.emitProgress({ id: this.id, operation: this.operation, percent, step, done: false });
  }

  /** The operation is over: `step` says what was done. */
  done(step: Sentence): void {
    if (this.ended) return;
    this.ended = true;
    this.events.emitProgress({ id: this.id, operation: this.operation, percent: 100, step, done: true });
  }

  /** The operation failed: its last event says why (the call itself fails with the same sentence). */
  failed(err: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.events.emitProgress({ id: this.id, operation: this.operation, percent: null, step: m('progress.failed', { reason: sentenceOf(err) }), done: true });
  }

  /** Runs `work` as the operation: `failed` when it throws. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      this.failed(err);
      throw err;
    }
  }
}
