import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The notebooks as students get them: the committed ones must carry their executed outputs,
 * and every notebook must run from a fresh kernel through the real Jupyter machinery (quick mode).
 */

const root = path.resolve(__dirname, '..');
const python = path.join(root, '.venv', 'bin', 'python');
const NOTEBOOKS = ['01-auto-encodeurs-denses.ipynb', '02-auto-encodeur-convolutif.ipynb', '03-debruitage.ipynb'];

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, string | string[] | object>;
  ename?: string;
  evalue?: string;
}

interface Notebook {
  cells: {
    cell_type: string;
    source: string | string[];
    outputs?: Output[];
    metadata?: { tp5?: { beyond?: boolean; declares?: string } };
  }[];
}

function readNotebook(file: string): Notebook {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function outputs(notebook: Notebook): Output[] {
  return notebook.cells.flatMap((cell) => cell.outputs ?? []);
}

function join(value: string | string[] | object | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  return Array.isArray(value) ? value.join('') : JSON.stringify(value);
}

/** All the text a reader sees in the outputs: streams, and Markdown where an output has it, else plain text. */
function outputText(notebook: Notebook): string {
  return outputs(notebook)
    .map((o) => join(o.text) + join(o.data?.['text/markdown'] ?? o.data?.['text/plain']))
    .join('\n');
}

function countMime(notebook: Notebook, mime: string): number {
  return outputs(notebook).filter((o) => o.data?.[mime] !== undefined).length;
}

/**
 * In a quick run's parts beyond the TP (three epochs, random initial weights), a model with a 2-value
 * ReLU code now and then starts with both code units switched off and rightly gets the warning that
 * it returns one image whatever its input: that warning, there only, is not counted as an error.
 */
const QUICK_COLLAPSE = /rend la même image quelle que soit l'entrée/;

/** What every executed notebook must show: no error, tables, figures and image grids. */
function expectCompleteOutputs(name: string, notebook: Notebook, quick: boolean): void {
  const tolerated = (cell: Notebook['cells'][number], o: Output) =>
    quick && cell.metadata?.tp5?.beyond === true && o.output_type === 'stream' && QUICK_COLLAPSE.test(join(o.text));
  const errors = notebook.cells
    .flatMap((cell) => (cell.outputs ?? []).filter((o) => !tolerated(cell, o)))
    .filter((o) => o.output_type === 'error' || (o.output_type === 'stream' && o.name === 'stderr'));
  expect(errors.map((e) => `${name}: ${e.ename ?? ''} ${e.evalue ?? join(e.text)}`)).toEqual([]);
  // The given cells that only declare an answer's variables show nothing.
  const code = notebook.cells.filter((c) => c.cell_type === 'code' && c.metadata?.tp5?.declares === undefined);
  expect(code.filter((c) => (c.outputs ?? []).length === 0).length).toBeLessThan(code.length / 4);
  expect(countMime(notebook, 'application/vnd.plotly.v1+json')).toBeGreaterThanOrEqual(2);
  expect(countMime(notebook, 'image/png')).toBeGreaterThanOrEqual(1);
  const text = outputText(notebook);
  expect(text).toMatch(/Moteur de calcul : \w+/);
  expect(text).toMatch(/: tout est juste/);
  expect(text).not.toMatch(/à revoir|à compléter/);
  expect(text).toMatch(/\| Modèle \| MSE \| PSNR \(dB\) \| SSIM \| images \|/);
}

function checkContents(dir: string, quick: boolean): void {
  const [dense, conv, denoise] = NOTEBOOKS.map((n) => readNotebook(path.join(dir, n)));
  NOTEBOOKS.forEach((n, i) => expectCompleteOutputs(n, [dense, conv, denoise][i], quick));
  // The description tables, with their totals (French number format: narrow no-break spaces).
  const denseText = outputText(dense);
  expect(denseText.match(/\*\*Total\*\* \|.*\| \*\*101\u202f200\*\*/g)).toHaveLength(2);
  expect(denseText).toMatch(/\*\*Total\*\* \|.*\| \*\*218\u202f192\*\*/);
  expect(outputText(conv)).toMatch(/\*\*Total\*\* \|.*\| \*\*210\u202f369\*\*/);
  // Test metrics for every model, and the denoising comparison.
  for (const model of ['Dense n°1 (sans activation, K = 64)', 'Dense n°1 (relu, K = 64)', 'Dense n°2 (relu, K = 64)']) {
    expect(denseText).toContain(`| ${model} | 0,`);
  }
  expect(outputText(conv)).toContain('| Convolutif (relu, code 1×1×64) | 0,');
  const denoiseText = outputText(denoise);
  for (const row of ['entrée bruitée', 'flou gaussien (σ = 1)', 'filtre médian 3×3', 'Auto-encodeur débruiteur']) {
    expect(denoiseText).toContain(`| ${row} | 0,`);
  }
  // Beyond the TP: the strongest classical methods, the denoiser without bottleneck and the σ sweep.
  expect(denoiseText).toMatch(/\| variation totale \(poids [0-9,]+\) \| 0,/);
  expect(denoiseText).toMatch(/\| moyennes non locales \(h = [0-9,]+\) \| 0,/);
  expect(denoiseText).toMatch(/\*\*Total\*\* \|.*\| \*\*46\u202f849\*\*/);
  expect(denoiseText).toMatch(/\| PSNR \(dB\) \| σ = 0,1 \|/);
  expect(denoiseText).toMatch(/\| débruiteur pleine résolution \|/);
  expect(denoiseText).toMatch(/Débruiteur pleine résolution (bat|fait moins bien)/);
}

test('the committed notebook 03: the denoiser without bottleneck beats the best classical method at every σ, by 1 dB or more', () => {
  const text = outputText(readNotebook(path.join(root, 'notebooks', NOTEBOOKS[2])));
  const verdict = /Débruiteur pleine résolution bat le meilleur de ses concurrents à chaque niveau de bruit : (.*)\./.exec(text);
  expect(verdict).not.toBeNull();
  const margins = [...(verdict as RegExpExecArray)[1].matchAll(/σ = ([0-9,]+) \(\+([0-9,]+) dB/g)].map((m) => [
    m[1],
    Number(m[2].replace(',', '.')),
  ]);
  expect(margins.map(([sigma]) => sigma)).toEqual(['0,1', '0,3', '0,5', '0,7', '1']);
  for (const [, margin] of margins) expect(margin).toBeGreaterThanOrEqual(1);
});

test('the committed notebooks are executed: tables, metrics, figures, no error', () => {
  checkContents(path.join(root, 'notebooks'), false);
});

test('every notebook runs from a fresh tslab kernel in quick mode (nbclient)', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tp5-notebooks-'));
  const result = spawnSync(
    python,
    ['-m', 'scripts.tp5nb', 'run', '--quick', '--output-dir', out, ...NOTEBOOKS.map((n) => path.join(root, 'notebooks', n))],
    { cwd: root, encoding: 'utf8', timeout: 600_000 },
  );
  expect(`${result.stderr}`.match(/FAILED.*/g) ?? []).toEqual([]);
  expect(result.status).toBe(0);
  checkContents(out, true);
  // Quick mode really is quick: it says so in its first outputs.
  expect(outputText(readNotebook(path.join(out, NOTEBOOKS[0])))).toContain('Mode rapide (TP5_QUICK=1)');
  // Every check cell said its question is right.
  for (const name of NOTEBOOKS) expect(outputText(readNotebook(path.join(out, name)))).not.toContain('à revoir');
}, 600_000);

/**
 * A student pressing Shift+Enter through an untouched student notebook (errors allowed, through a real
 * tslab kernel): every cell that fails says in French which question to complete or to run first, and
 * no cell meets a variable that an earlier failing cell lost (no "Cannot find name", no stack trace).
 */
test('an untouched student notebook run cell by cell: every error French and naming its question, none "Cannot find name"', () => {
  const kit = path.join(root, 'build', 'untouched-students');
  fs.rmSync(kit, { recursive: true, force: true });
  const made = spawnSync(
    python,
    ['-m', 'scripts.tp5nb', 'student', '--output-dir', kit, ...NOTEBOOKS.map((n) => path.join(root, 'notebooks', n))],
    { cwd: root, encoding: 'utf8' },
  );
  expect(made.status).toBe(0);
  const result = spawnSync(python, [path.join(root, 'test', 'helpers', 'run_untouched.py'), ...NOTEBOOKS.map((n) => path.join(kit, n))], {
    cwd: root,
    encoding: 'utf8',
    timeout: 400_000,
  });
  expect(result.status).toBe(0);
  const errors: Record<string, { cell: number; text: string }[]> = JSON.parse(result.stdout);
  const questions = [
    ['0', '1.1', '1.2', '1.3', '1.4', '1.5', '1.6'],
    ['2.2', '2.3', '2.4', '2.5', '2.6', '2.7'],
    ['3.1', '3.2', '3.3', '3.4'],
  ];
  NOTEBOOKS.forEach((name, i) => {
    const texts = errors[name].map((e) => e.text.trim());
    expect(texts.filter((t) => /Cannot find|is not defined|Error:|\n\s+at /.test(t))).toEqual([]);
    expect(texts.filter((t) => !/^(Question [0-9.]+ à (compléter|revoir)|Exécutez d'abord)/.test(t))).toEqual([]);
    for (const question of questions[i]) expect(texts.some((t) => t.startsWith(`Question ${question} à compléter`))).toBe(true);
  });
}, 420_000);
