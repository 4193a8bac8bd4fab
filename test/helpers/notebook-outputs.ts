import fs from 'node:fs';

/**
 * A notebook file as the tests read and edit it, and what an executed notebook must show, read from
 * its outputs: no error, tables, figures and image grids, the metrics of every model. Shared by the
 * committed notebooks' test (notebooks.test.ts), the fresh-kernel quick run that opens each
 * coursework simulation (coursework.test.ts) and the graded class (grading.test.ts).
 */

export const NOTEBOOKS = ['01-auto-encodeurs-denses.ipynb', '02-auto-encodeur-convolutif.ipynb', '03-debruitage.ipynb'];

export interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, string | string[] | object>;
  ename?: string;
  evalue?: string;
}

/** A cell's tp5 metadata: what the cell is to the coursework (see grader/GUIDE.md). */
export interface Tp5Metadata {
  answer?: string;
  declares?: string;
  check?: string;
  written?: string;
  student?: string;
  studentAnswer?: string;
  beyond?: boolean;
}

export interface NotebookCell {
  cell_type: string;
  id?: string;
  source: string | string[];
  outputs?: Output[];
  metadata: { tp5?: Tp5Metadata };
}

export interface ExecutedNotebook {
  cells: NotebookCell[];
  metadata: Record<string, unknown>;
}

export function readNotebook(file: string): ExecutedNotebook {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** A cell's source, or an output's text or data, as one string. */
export function textOf(value: string | string[] | object | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  return Array.isArray(value) ? value.join('') : JSON.stringify(value);
}

function outputs(notebook: ExecutedNotebook): Output[] {
  return notebook.cells.flatMap((cell) => cell.outputs ?? []);
}

/** All the text a reader sees in the outputs: streams, and Markdown where an output has it, else plain text. */
export function outputText(notebook: ExecutedNotebook): string {
  return outputs(notebook)
    .map((o) => textOf(o.text) + textOf(o.data?.['text/markdown'] ?? o.data?.['text/plain']))
    .join('\n');
}

function countMime(notebook: ExecutedNotebook, mime: string): number {
  return outputs(notebook).filter((o) => o.data?.[mime] !== undefined).length;
}

/**
 * In a quick run's parts beyond the TP (three epochs, random initial weights), a model with a 2-value
 * ReLU code now and then starts with both code units switched off and rightly gets the warning that
 * it returns one image whatever its input: that warning, there only, is not counted as an error.
 */
const QUICK_COLLAPSE = /rend la même image quelle que soit l'entrée/;

/** No error, tables, figures and image grids, every check passed. */
function expectCompleteOutputs(name: string, notebook: ExecutedNotebook, quick: boolean, beyond: boolean): void {
  const tolerated = (cell: NotebookCell, o: Output) =>
    quick && cell.metadata.tp5?.beyond === true && o.output_type === 'stream' && QUICK_COLLAPSE.test(textOf(o.text));
  const errors = notebook.cells
    .flatMap((cell) => (cell.outputs ?? []).filter((o) => !tolerated(cell, o)))
    .filter((o) => o.output_type === 'error' || (o.output_type === 'stream' && o.name === 'stderr'));
  expect(errors.map((e) => `${name}: ${e.ename ?? ''} ${e.evalue ?? textOf(e.text)}`)).toEqual([]);
  // Most code cells show something: the given cells that only declare an answer's variables show nothing,
  // nor do those that only define functions (a quarter of them in notebook 01), nor the parts beyond the TP when not run.
  const code = notebook.cells.filter(
    (c) => c.cell_type === 'code' && c.metadata.tp5?.declares === undefined && (beyond || c.metadata.tp5?.beyond !== true),
  );
  expect(code.filter((c) => (c.outputs ?? []).length === 0).length).toBeLessThan(code.length / 3);
  expect(countMime(notebook, 'application/vnd.plotly.v1+json')).toBeGreaterThanOrEqual(2);
  expect(countMime(notebook, 'image/png')).toBeGreaterThanOrEqual(1);
  const text = outputText(notebook);
  expect(text).toMatch(/Moteur de calcul : \w+/);
  expect(text).toMatch(/: tout est juste/);
  expect(text).not.toMatch(/à revoir|à compléter/);
  expect(text).toMatch(/\| Modèle \| MSE \| PSNR \(dB\) \| SSIM \| images \|/);
}

/** The description tables with their totals (French number format: narrow no-break spaces) and the metrics of every model. */
const CONTENTS: ((text: string) => void)[] = [
  (text) => {
    expect(text.match(/\*\*Total\*\* \|.*\| \*\*101\u202f200\*\*/g)).toHaveLength(2);
    expect(text).toMatch(/\*\*Total\*\* \|.*\| \*\*218\u202f192\*\*/);
    for (const model of ['Dense n°1 (sans activation, K = 64)', 'Dense n°1 (relu, K = 64)', 'Dense n°2 (relu, K = 64)']) {
      expect(text).toContain(`| ${model} | 0,`);
    }
  },
  (text) => {
    expect(text).toMatch(/\*\*Total\*\* \|.*\| \*\*210\u202f369\*\*/);
    expect(text).toContain('| Convolutif (relu, code 1×1×64) | 0,');
  },
  (text) => {
    for (const row of ['entrée bruitée', 'flou gaussien (σ = 1)', 'filtre médian 3×3', 'Auto-encodeur débruiteur']) {
      expect(text).toContain(`| ${row} | 0,`);
    }
  },
];

/** What the parts beyond the TP show, where a notebook has some to check. */
const BEYOND: Record<number, (text: string) => void> = {
  2: (text) => {
    // The strongest classical methods, the denoiser without bottleneck and the σ sweep.
    expect(text).toMatch(/\| variation totale \(poids [0-9,]+\) \| 0,/);
    expect(text).toMatch(/\| moyennes non locales \(h = [0-9,]+\) \| 0,/);
    expect(text).toMatch(/\*\*Total\*\* \|.*\| \*\*46\u202f849\*\*/);
    expect(text).toMatch(/\| PSNR \(dB\) \| σ = 0,1 \|/);
    expect(text).toMatch(/\| débruiteur pleine résolution \|/);
    expect(text).toMatch(/Débruiteur pleine résolution (bat|fait moins bien)/);
  },
};

/**
 * Everything notebook `index` (0, 1 or 2 in NOTEBOOKS) must show once executed, in full or in quick mode;
 * `beyond`: whether its parts beyond the TP were run too.
 */
export function expectExecutedNotebook(index: number, notebook: ExecutedNotebook, quick: boolean, beyond = true): void {
  expectCompleteOutputs(NOTEBOOKS[index], notebook, quick, beyond);
  CONTENTS[index](outputText(notebook));
  if (beyond) BEYOND[index]?.(outputText(notebook));
}

/**
 * In quick mode (three epochs, random initial weights), notebook 01's sweep of K now and then starts
 * its 2-value ReLU code with both units switched off, and rightly warns that the model returns one
 * image whatever its input: that warning is not a fault of the notebook.
 */
export const notQuickCollapse = (text: string) => !/K = 2\) rend la même image quelle que soit l'entrée/.test(text);
