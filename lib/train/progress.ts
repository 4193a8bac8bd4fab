import { LiveDisplay, escapeHtml, inNotebook } from '../util/display';
import { decimal, duration } from '../util/french';

/** Where training progress goes: 'auto' picks the notebook when running in one, else the terminal. */
export type ProgressMode = 'auto' | 'notebook' | 'terminal' | 'none';

export interface ProgressState {
  label: string;
  epoch: number;
  epochs: number;
  /** Batches done in the current epoch. */
  batch: number;
  batches: number;
  /** Mean training loss of the epoch so far (NaN before the first read). */
  loss: number;
  valLoss?: number;
  elapsedSeconds: number;
  etaSeconds: number;
}

export interface ProgressReporter {
  /** Called about once a second during an epoch. */
  update(state: ProgressState): void;
  epochEnd(state: ProgressState): void;
  finish(message: string): void;
}

function describe(state: ProgressState): string {
  const loss = Number.isNaN(state.loss) ? '…' : decimal(state.loss, 5);
  const val = state.valLoss === undefined ? '' : `, validation ${decimal(state.valLoss, 5)}`;
  return (
    `époque ${state.epoch}/${state.epochs} : perte ${loss}${val} — ${duration(state.elapsedSeconds)} écoulées` +
    (state.batch < state.batches || state.epoch < state.epochs ? `, reste environ ${duration(state.etaSeconds)}` : '')
  );
}

class TerminalProgress implements ProgressReporter {
  update(): void {
    // One line per epoch keeps logs readable; nothing between epochs.
  }
  epochEnd(state: ProgressState): void {
    console.log(`[${state.label}] ${describe(state)}`);
  }
  finish(message: string): void {
    console.log(message);
  }
}

class NotebookProgress implements ProgressReporter {
  private readonly display = new LiveDisplay();
  private readonly epochLines: string[] = [];

  update(state: ProgressState): void {
    this.show(state, [...this.epochLines, describe(state)]);
  }
  epochEnd(state: ProgressState): void {
    this.epochLines.push(describe(state));
    this.show(state, this.epochLines);
  }
  /** The bar, and the last lines: finished epochs, then the epoch under way (each shown once). */
  private show(state: ProgressState, allLines: string[]): void {
    const done = (state.epoch - 1 + state.batch / state.batches) / state.epochs;
    const bar = `<progress value="${done.toFixed(4)}" max="1" style="width:300px"></progress>`;
    const lines = allLines.slice(-6).map(escapeHtml).join('<br>');
    this.display.show({
      'text/html': `<div><b>${escapeHtml(state.label)}</b> ${bar} ${(100 * done).toFixed(0)} %<br><small>${lines}</small></div>`,
      'text/plain': `${state.label} : ${describe(state)}`,
    });
  }
  finish(message: string): void {
    this.display.show({
      'text/html': `<div><b>${escapeHtml(message)}</b><br><small>${this.epochLines.slice(-6).map(escapeHtml).join('<br>')}</small></div>`,
      'text/plain': message,
    });
  }
}

class SilentProgress implements ProgressReporter {
  update(): void {}
  epochEnd(): void {}
  finish(): void {}
}

export function createProgress(mode: ProgressMode): ProgressReporter {
  const resolved = mode === 'auto' ? (inNotebook() ? 'notebook' : 'terminal') : mode;
  if (resolved === 'notebook') return new NotebookProgress();
  if (resolved === 'terminal') return new TerminalProgress();
  return new SilentProgress();
}
