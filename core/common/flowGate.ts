import { FLOW_HIGH_BYTES, FLOW_LOW_BYTES } from './presets';

/** One console viewer's debt: bytes sent to it that it has not acknowledged. */
export interface FlowViewer {
  unacked: number;
}

/**
 * Console flow control with hysteresis: the producer pauses once any viewer is more
 * than FLOW_HIGH_BYTES behind and resumes once every viewer is within FLOW_LOW_BYTES.
 * `hold` adds an outside reason to stay paused (the service asking the guest host).
 */
export class FlowGate {
  private readonly viewers = new Set<FlowViewer>();
  private paused = false;
  private held = false;

  constructor(private readonly onChange: (paused: boolean) => void) {}

  add(): FlowViewer {
    const viewer = { unacked: 0 };
    this.viewers.add(viewer);
    return viewer;
  }

  remove(viewer: FlowViewer): void {
    this.viewers.delete(viewer);
    this.update();
  }

  sent(viewer: FlowViewer, bytes: number): void {
    viewer.unacked += bytes;
    this.update();
  }

  acked(viewer: FlowViewer, bytes: number): void {
    viewer.unacked = Math.max(0, viewer.unacked - bytes);
    this.update();
  }

  hold(held: boolean): void {
    this.held = held;
    this.update();
  }

  private update(): void {
    let behind = false;
    let caughtUp = true;
    for (const v of this.viewers) {
      if (v.unacked > FLOW_HIGH_BYTES) behind = true;
      if (v.unacked > FLOW_LOW_BYTES) caughtUp = false;
    }
    const pause = this.held || behind || (this.paused && !caughtUp);
    if (pause !== this.paused) {
      this.paused = pause;
      this.onChange(pause);
    }
  }
}
