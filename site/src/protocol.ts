/**
 * The messages between the kernel (in JupyterLab's page, kernel.ts) and its web worker (worker/),
 * which runs the cells.
 */

/** What the kernel sends: the site's address once, then cells to run, and the stop button (■). */
export type ToWorker = { type: 'start'; siteUrl: string } | { type: 'execute'; code: string } | { type: 'interrupt' };

/** A display of the library (a table, a figure, a progress line), as tslab sends it. */
export interface WorkerDisplay {
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  transient: { display_id?: string };
}

/** What the worker sends: ready (or why not), a cell's printed text, displays and value, its end. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'stream'; name: 'stdout' | 'stderr'; text: string }
  | { type: 'display'; display: WorkerDisplay; update: boolean }
  | { type: 'result'; data: Record<string, unknown> }
  | { type: 'done'; ok: boolean };

/** What the site's build writes in tp5/config.json for the worker. */
export interface SiteConfig {
  /** The environment the library reads (TP5_QUICK, the data sets' folders). */
  env: Record<string, string>;
}
