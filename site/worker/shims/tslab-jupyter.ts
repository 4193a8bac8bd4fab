import type { WorkerDisplay } from '../../src/protocol';

/**
 * tslab's display function (`tslab/dist/jupyter`'s lastWriteDisplayData), which the library's
 * displays call (lib/util/display.ts): in the browser, the worker hands the bundle to the kernel,
 * which sends it to JupyterLab as display_data or update_display_data, as tslab does.
 */

type Writer = (message: WorkerDisplay, update: boolean) => void;

let writer: Writer | undefined;

/** Called once by the worker with what sends a display to the kernel. */
export function connectDisplays(write: Writer): void {
  writer = write;
}

export function lastWriteDisplayData(message: WorkerDisplay, update: boolean): void {
  if (writer === undefined) throw new Error('the worker has not connected the displays');
  writer(message, update);
}
