import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The teacher's tools: student versions, the hand-in export and the checker. */

const root = path.resolve(__dirname, '..');
const python = path.join(root, '.venv', 'bin', 'python');
const NOTEBOOKS = ['01-auto-encodeurs-denses.ipynb', '02-auto-encodeur-convolutif.ipynb', '03-debruitage.ipynb'];
const solution = (name: string) => path.join(root, 'notebooks', name);

interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: unknown[];
}

function tp5nb(args: string[]) {
  const result = spawnSync(python, ['-m', 'scripts.tp5nb', ...args], { cwd: root, encoding: 'utf8', timeout: 600_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function cells(file: string): Cell[] {
  return JSON.parse(fs.readFileSync(file, 'utf8')).cells;
}

const text = (cell: Cell) => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);

/** A scratch folder inside the project (notebooks import the library by name from node_modules). */
function scratch(): string {
  fs.mkdirSync(path.join(root, 'build'), { recursive: true });
  return fs.mkdtempSync(path.join(root, 'build', 'coursework-test-'));
}

/** A copy of a solution notebook with one piece of its code replaced. */
function variant(name: string, find: string, replace: string): string {
  const notebook = JSON.parse(fs.readFileSync(solution(name), 'utf8'));
  let found = false;
  for (const cell of notebook.cells) {
    const source = text(cell);
    if (cell.cell_type === 'code' && source.includes(find)) {
      cell.source = source.replace(find, replace);
      found = true;
    }
  }
  expect(found).toBe(true);
  const file = path.join(scratch(), name);
  fs.writeFileSync(file, JSON.stringify(notebook));
  return file;
}

test('the solution notebooks score full marks', () => {
  const { status, stdout } = tp5nb(['check', ...NOTEBOOKS.map(solution)]);
  expect(stdout.match(/Score : \d+ \/ \d+/g)).toEqual(['Score : 5 / 5', 'Score : 5 / 5', 'Score : 4 / 4']);
  expect(stdout).not.toContain('✘');
  expect(stdout).not.toContain('ERREUR');
  expect(status).toBe(0);
}, 600_000);

test('student versions: stubs that parse, no outputs, same text; they run up to their first stub and score zero', () => {
  const out = scratch();
  const made = tp5nb(['student', '--output-dir', out, ...NOTEBOOKS.map(solution)]);
  expect(made.status).toBe(0);
  for (const name of NOTEBOOKS) {
    const student = cells(path.join(out, name));
    const original = cells(solution(name));
    expect(student.map((c) => c.cell_type)).toEqual(original.map((c) => c.cell_type));
    expect(student.filter((c) => c.cell_type === 'markdown').map(text)).toEqual(original.filter((c) => c.cell_type === 'markdown').map(text));
    expect(student.every((c) => (c.outputs ?? []).length === 0)).toBe(true);
    const sources = student.map(text).join('\n');
    expect(sources).not.toMatch(/BEGIN SOLUTION|END SOLUTION/);
    const firstStub = student.findIndex((c) => text(c).includes('// À compléter'));
    expect(firstStub).toBeGreaterThan(0);

    // Runs cleanly up to the first stub: the first failure is at the stub's cell (the question's own
    // message) or after it, and is never a TypeScript error in the stub itself.
    const run = tp5nb(['run', '--quick', '--output-dir', path.join(out, 'executed'), path.join(out, name)]);
    const failure = run.stderr.match(/FAILED \S+: cell (\d+): (.*)/);
    expect(failure).not.toBeNull();
    const failedCell = Number(failure![1]);
    expect(failedCell).toBeGreaterThanOrEqual(firstStub);
    if (failedCell === firstStub) expect(failure![2]).toMatch(/Error: Question \d\.\d/);
  }
  const checked = tp5nb(['check', ...NOTEBOOKS.map((n) => path.join(out, n))]);
  expect(checked.stdout.match(/Score : \d+ \/ \d+/g)).toEqual(['Score : 0 / 5', 'Score : 0 / 5', 'Score : 0 / 4']);
  expect(checked.status).toBe(1);
}, 600_000);

test('a dense model with K = 32 where 64 is asked is caught, naming the question', () => {
  const file = variant(NOTEBOOKS[0], 'const K = 64;', 'const K = 32;');
  const { status, stdout } = tp5nb(['check', file]);
  expect(stdout).toMatch(/✘ Question 1\.1 — .*K = 32 au lieu de K = 64/);
  expect(stdout).toMatch(/Score : [0-4] \/ 5/);
  expect(status).toBe(1);
}, 300_000);

test("the TP's table read literally (16 channels out of the last layer) is caught, naming the question", () => {
  const file = variant(NOTEBOOKS[1], 'conv = lab.buildConv({ codeSize: 64, activation: "relu" });', `conv = (() => {
  const tf = require("@tensorflow/tfjs");
  const literal = lab.buildConv({ codeSize: 64, activation: "relu" });
  literal.decoder.pop();
  literal.decoder.add(tf.layers.conv2dTranspose({ filters: 16, kernelSize: 3, strides: 2, padding: "same", activation: "sigmoid" }));
  return lab.assemble("Convolutif (lecture littérale)", "conv", literal.encoder, literal.decoder, [28, 28], "relu");
})();`);
  const { status, stdout } = tp5nb(['check', file]);
  expect(stdout).toMatch(/✘ Question 2\.1 — .*la dernière couche sort 16 canaux/);
  expect(status).toBe(1);
}, 300_000);

test('hand-in export: one self-contained HTML page with the figures, and a PDF where chromium is installed', () => {
  const out = scratch();
  const { status, stdout } = tp5nb(['handin', solution(NOTEBOOKS[2]), '--name', 'Ada Lovelace', '--output-dir', out]);
  expect(status).toBe(0);
  const page = fs.readFileSync(path.join(out, '03-debruitage-Ada-Lovelace.html'), 'utf8');
  expect(page).toContain('rendu de <b>Ada Lovelace</b>');
  expect(page).not.toMatch(/<script[^>]*\bsrc="https?:/);
  expect(page.match(/class="tp5-figure"/g)?.length).toBeGreaterThanOrEqual(3);
  expect(page).toContain('data:image/png;base64,');
  expect(page).toContain('Plotly.newPlot');
  if (fs.existsSync('/usr/bin/chromium')) {
    expect(stdout).toContain('03-debruitage-Ada-Lovelace.pdf');
    const pdf = fs.readFileSync(path.join(out, '03-debruitage-Ada-Lovelace.pdf'));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(50_000);
  }
}, 300_000);
