import { listenToSigintLater } from './sigint';

/**
 * The stop button (■) stops the whole cell, not only the training it falls in.
 *
 * tslab answers an interrupt at once, but the cell's code goes on running in the background: in a loop
 * of three trainings, the second and third would still train, and a figure drawn after them would
 * still appear. So, once the button is pressed, the library refuses any further training, evaluation,
 * long computation or figure until the kernel starts the next cell. tslab tells which cell is running
 * through the count of cells it has started (`__tslab__.cellStarts`, added by the project's patch to
 * tslab, scripts/package-patches/tslab-1.0.22/); without that count (another tslab, a script), nothing
 * is refused and only the running training stops (lib/train/interrupt.ts).
 */

/** The number of cells the kernel has started, or undefined outside a patched tslab kernel. */
function cellsStarted(): number | undefined {
  const count = (globalThis as { __tslab__?: { cellStarts?: unknown } }).__tslab__?.cellStarts;
  return typeof count === 'number' ? count : undefined;
}

/** The cell (as counted by tslab) that the stop button stopped last. */
let stoppedCell: number | undefined;

if (cellsStarted() !== undefined) {
  listenToSigintLater(() => {
    stoppedCell = cellsStarted();
  });
}

/** True while the running cell is one the stop button has stopped. */
export function inStoppedCell(): boolean {
  return stoppedCell !== undefined && stoppedCell === cellsStarted();
}

/** Throws, in a cell the stop button has stopped, instead of starting `task` (named for the error). */
export function refuseInStoppedCell(task: string): void {
  if (inStoppedCell()) {
    throw new Error(`La cellule a été arrêtée (■) : ${task} ne démarre pas. Exécutez-la de nouveau pour reprendre.`);
  }
}
