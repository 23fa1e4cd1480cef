// Who hears of the service's changes: listeners of guests' state changes, of the VM list
// (one added, changed, deleted, or its runtime details updated), and of long operations'
// progress. A listener's bug never stops the others from hearing.
import type { Disposable, ProgressEvent, StateChangeEvent } from '../../common/api';

export class ServiceEvents {
  private readonly stateListeners = new Set<(e: StateChangeEvent) => void>();
  private readonly vmsListeners = new Set<() => void>();
  private readonly progressListeners = new Set<(e: ProgressEvent) => void>();

  onDidProgress(listener: (event: ProgressEvent) => void): Disposable {
    this.progressListeners.add(listener);
    return { dispose: () => this.progressListeners.delete(listener) };
  }

  emitProgress(event: ProgressEvent): void {
    for (const l of this.progressListeners) {
      try {
        l(event);
      } catch {
        // a listener's bug must not stop the others
      }
    }
  }

  onDidChangeState(listener: (event: StateChangeEvent) => void): Disposable {
    this.stateListeners.add(listener);
    return { dispose: () => this.stateListeners.delete(listener) };
  }

  onDidChangeVms(listener: () => void): Disposable {
    this.vmsListeners.add(listener);
    return { dispose: () => this.vmsListeners.delete(listener) };
  }

  emitVms(): void {
    for (const l of this.vmsListeners) {
      try {
        l();
      } catch {
        // a listener's bug must not stop the others
      }
    }
  }

  emitState(event: StateChangeEvent): void {
    for (const l of this.stateListeners) {
      try {
        l(event);
      } catch {
        // a listener's bug must not stop the others
      }
    }
  }
}
