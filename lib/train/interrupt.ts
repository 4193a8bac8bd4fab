import { inNotebook } from '../util/display';
import { listenToSigintLater } from '../util/sigint';
import { inStoppedCell } from '../util/stopped-cell';

/**
 * How a training learns that it must stop: the notebook's stop button (■), which makes Jupyter send
 * SIGINT to the kernel, or an AbortSignal given by code.
 *
 * The training loop calls `pause` between steps: it returns to the event loop about ten times a
 * second, so that the kernel's SIGINT handler (and this one) can run at all, then says whether to stop.
 * A loop that never returned to the event loop could not be interrupted before its end.
 */
export class StopRequest {
  private interrupted = false;
  private lastPause = performance.now();
  private readonly onSigint = () => {
    this.interrupted = true;
  };

  private readonly listening?: NodeJS.Immediate;

  constructor(private readonly signal?: AbortSignal) {
    // Only in a notebook: in a terminal, Ctrl+C keeps its usual meaning (end the program).
    if (inNotebook()) this.listening = listenToSigintLater(this.onSigint);
  }

  get requested(): boolean {
    return this.interrupted || inStoppedCell() || this.signal?.aborted === true;
  }

  /** Lets pending events run (at most every 100 ms, so it costs nothing); true when the training must stop. */
  async pause(): Promise<boolean> {
    if (performance.now() - this.lastPause > 100) {
      await new Promise((resolve) => setImmediate(resolve));
      this.lastPause = performance.now();
    }
    return this.requested;
  }

  dispose(): void {
    clearImmediate(this.listening);
    process.off('SIGINT', this.onSigint);
  }
}
