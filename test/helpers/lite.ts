import type { Page } from 'playwright-core';

/**
 * The static site's JupyterLab as the tests and the benchmark drive it: the parts of its application
 * object they reach (the site exposes it: site/jupyter-lite.json), and opening a notebook.
 */

export type LiteWindow = Window & {
  jupyterapp: {
    commands: { execute(id: string, args?: object): Promise<unknown> };
    shell: { currentWidget: NotebookPanelLike | null };
  };
};

export interface NotebookPanelLike {
  sessionContext: { session?: { kernel?: { status: string; requestExecute(content: { code: string }): KernelFuture } } };
  content: {
    activeCellIndex: number;
    widgets: { node: HTMLElement }[];
    scrollToItem(index: number): Promise<void>;
    model: {
      cells: {
        length: number;
        get(index: number): {
          type: string;
          getMetadata(key: string): unknown;
          outputs: { toJSON(): { output_type: string; name?: string; text?: string | string[]; data?: Record<string, unknown> }[] };
        };
      };
      sharedModel: { insertCell(index: number, cell: { cell_type: string; source: string }): void };
    };
  };
}

export interface KernelFuture {
  onIOPub: (message: { header: { msg_type: string }; content: { name?: string; text?: string } }) => void;
  done: Promise<{ content: { status: string } }>;
}

/** Opens a notebook of the site served at `site`, and waits until its kernel is idle. */
export async function openSiteNotebook(page: Page, site: string, notebook: string): Promise<void> {
  await page.goto(`${site}/lab/index.html?path=${encodeURIComponent(notebook)}`);
  await page.waitForFunction(
    () => (window as unknown as LiteWindow).jupyterapp?.shell.currentWidget?.sessionContext?.session?.kernel?.status === 'idle',
    undefined,
    { timeout: 120_000 },
  );
}
