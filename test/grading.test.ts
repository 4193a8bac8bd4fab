import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The teacher's grading of a class folder (npm run grade), each hand-in in a bubblewrap sandbox:
 * the solutions, untouched student versions, a student wrong in the usual ways, fakes (plain
 * objects for a model, an edited library check, console.log silenced, a training history made up, a
 * changed set-up cell) and hostile hand-ins (writing
 * outside the sandbox and into the project, reading the home folder and the environment, leaving
 * a detached process, looping forever, allocating without end).
 */

const root = path.resolve(__dirname, '..');
const python = path.join(root, '.venv', 'bin', 'python');
const NOTEBOOKS = ['01-auto-encodeurs-denses.ipynb', '02-auto-encodeur-convolutif.ipynb', '03-debruitage.ipynb'];
const haveSandbox = fs.existsSync('/usr/bin/bwrap');
const SECRET = `secret-${process.pid}`;
const MARKERS = [path.join(root, 'PWNED-by-handin'), path.join(os.tmpdir(), 'tp5-pwned'), path.join(os.homedir(), '.tp5-pwned')];

interface Cell {
  cell_type: string;
  id?: string;
  source: string | string[];
  metadata: { tp5?: { answer?: string; check?: string } };
  outputs?: unknown[];
}

const text = (source: string | string[]) => (Array.isArray(source) ? source.join('') : source);
const read = (file: string): { cells: Cell[] } => JSON.parse(fs.readFileSync(file, 'utf8'));

/** A solution notebook with replacements in its code and, optionally, a cell of its own after the set-up. */
function variant(name: string, edits: [string, string][], added?: string): object {
  const notebook = read(path.join(root, 'notebooks', name));
  for (const [find, replace] of edits) {
    const cell = notebook.cells.find((c) => text(c.source).includes(find));
    if (!cell) throw new Error(`${name}: "${find}" not found`);
    cell.source = text(cell.source).split(find).join(replace);
  }
  if (added) notebook.cells.splice(3, 0, { cell_type: 'code', id: 'added-by-student', source: added, metadata: {}, outputs: [] });
  return notebook;
}

const HOSTILE = `const fs = require("fs") as typeof import("fs");
for (const target of ${JSON.stringify(MARKERS)}) {
  try { fs.writeFileSync(target, "pwned"); console.log("écrit", target); } catch (error) { console.log("refusé", target, String(error)); }
}
try { fs.appendFileSync(${JSON.stringify(path.join(root, 'scripts', 'tp5nb', 'check.py'))}, "# pwned"); } catch (error) { console.log("refusé", String(error)); }
try { console.log(fs.readFileSync(${JSON.stringify(path.join(os.homedir(), '.bashrc'))}, "utf8")); } catch (error) { console.log("refusé", String(error)); }
console.log(JSON.stringify(process.env));
require("child_process").spawn("sleep", ["987"], { detached: true, stdio: "ignore" }).unref();`;

function hash(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

(haveSandbox ? describe : describe.skip)('npm run grade on a class folder', () => {
  let rows: Record<string, string>[] = [];
  let out = '';
  let stdout = '';
  const watched = [path.join(root, 'scripts', 'tp5nb', 'check.py'), path.join(root, 'build', 'lib', 'index.js')];
  let before: string[] = [];

  beforeAll(() => {
    fs.mkdirSync(path.join(root, 'build'), { recursive: true });
    const dir = fs.mkdtempSync(path.join(root, 'build', 'grading-test-'));
    const handins = path.join(dir, 'rendus');
    const put = (student: string, name: string, notebook: object) => {
      fs.mkdirSync(path.join(handins, student), { recursive: true });
      fs.writeFileSync(path.join(handins, student, name), JSON.stringify(notebook));
    };
    for (const name of NOTEBOOKS) put('alice', name, read(path.join(root, 'notebooks', name)));
    const kit = path.join(dir, 'kit');
    spawnSync(python, ['-m', 'scripts.tp5nb', 'student', '--output-dir', kit, ...NOTEBOOKS.map((n) => path.join(root, 'notebooks', n))], {
      cwd: root,
    });
    for (const name of NOTEBOOKS) put('bob', name, read(path.join(kit, name)));
    put('carol', NOTEBOOKS[0], variant(NOTEBOOKS[0], [['(M, N, 64,', '(M, N, 32,']]));
    put(
      'carol',
      NOTEBOOKS[1],
      variant(NOTEBOOKS[1], [
        [
          'encoder.add(tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: "same", activation }));',
          'encoder.add(tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: "same" }));\n  encoder.add(tf.layers.leakyReLU());',
        ],
      ]),
    );
    put(
      'carol',
      NOTEBOOKS[2],
      variant(NOTEBOOKS[2], [
        [
          'return tf.tidy(() => tf.add(images, tf.randomNormal(images.shape, 0, Math.sqrt(variance))));',
          'return tf.tidy(() => tf.clipByValue(tf.add(images, tf.randomNormal(images.shape, 0, Math.sqrt(variance))), 0, 1) as tf.Tensor4D);',
        ],
      ]),
    );
    put('dave', NOTEBOOKS[0], variant(NOTEBOOKS[0], [], HOSTILE));
    put(
      'dave',
      NOTEBOOKS[1],
      variant(NOTEBOOKS[1], [
        ['let convTable: lab.TableRow[] = [];', 'let convTable: lab.TableRow[] = [];\nwhile (Date.now() > 0) { /* never ends */ }'],
      ]),
    );
    put(
      'dave',
      NOTEBOOKS[2],
      variant(NOTEBOOKS[2], [], '(() => { const hog: Float64Array[] = []; for (;;) hog.push(new Float64Array(2e7).fill(1)); })();'),
    );
    put(
      'eve',
      NOTEBOOKS[0],
      variant(NOTEBOOKS[0], [
        ['(M, N, 64,', '(M, N, 32,'],
        [
          'dense2 = denseAutoencoder2(M, N, 32, "relu");',
          'dense2 = denseAutoencoder2(M, N, 32, "relu");\n(lab.check as { denseModels: unknown }).denseModels = (...models: unknown[]) => models;',
        ],
        [
          '  denseHistories.push(await lab.trainAutoencoder(model, { inputs: prepared.xTrain }, recipe));',
          '  denseHistories.push({ label: model.name, loss: [0.2, 0.01], valLoss: [0.2, 0.01] });',
        ],
      ]),
    );
    put(
      'eve',
      NOTEBOOKS[1],
      variant(NOTEBOOKS[1], [
        [
          'conv = convAutoencoder(M, N, 64, "relu");',
          'conv = { name: "faux", model: {}, encoder: {}, decoder: {}, imageShape: [28, 28], codeShape: [1, 1, 64] } as unknown as lab.Autoencoder;\n' +
            'console.log = () => undefined;',
        ],
      ]),
    );
    put('eve', NOTEBOOKS[2], variant(NOTEBOOKS[2], [['const VARIANCE = 0.25;', 'const VARIANCE = 0;']]));

    before = watched.map(hash);
    out = path.join(dir, 'notes');
    const result = spawnSync(python, ['-m', 'scripts.tp5nb', 'grade', handins, '--out', out, '--cell-timeout', '45', '--memory-gb', '6'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 1_500_000,
      env: { ...process.env, TP5_TEST_SECRET: SECRET },
    });
    stdout = result.stdout;
    const [header, ...lines] = fs.readFileSync(path.join(out, 'grades.csv'), 'utf8').trim().split('\n').map(parseCsvLine);
    rows = lines.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i]])));
  }, 1_600_000);

  const row = (student: string, notebook: string) =>
    rows.find((r) => r.student === student && r.notebook === notebook) as Record<string, string>;
  const score = (student: string, notebook: string) => `${row(student, notebook).auto_points}/${row(student, notebook).auto_max}`;

  test('progress is shown, hand-in by hand-in', () => {
    expect(stdout).toMatch(/\[grade\] 1\/15 alice\/01-auto-encodeurs-denses.ipynb : 7 \/ 7/);
    expect(stdout).toMatch(/\[grade\] 15\/15 /);
  });

  test('grades.csv: one row per student and notebook, a column per question, the written answers', () => {
    expect(rows).toHaveLength(15);
    expect(Object.keys(rows[0])).toEqual(
      expect.arrayContaining([
        'student',
        'notebook',
        'auto_points',
        'auto_max',
        'q0',
        'q1.1',
        'q3.4',
        'redige_2.1',
        'manual_points',
        'total',
      ]),
    );
    expect(NOTEBOOKS.map((n) => score('alice', n))).toEqual(['7/7', '6/6', '4/4']);
    // The parts beyond the TP are not run when grading: the feedback page has the TP's denoiser, not the sweep.
    const feedback = fs.readFileSync(path.join(out, 'feedback', 'alice', '03-debruitage.html'), 'utf8');
    expect(feedback).toContain('Auto-encodeur débruiteur');
    expect(feedback).not.toContain('débruiteur pleine résolution');
    expect(NOTEBOOKS.map((n) => score('bob', n))).toEqual(['0/7', '0/6', '0/4']);
    expect(row('alice', NOTEBOOKS[1])['redige_2.1']).toBe('rédigée');
    expect(row('bob', NOTEBOOKS[1])['redige_2.1']).toBe('vide');
  });

  test('usual mistakes fail their question only; LeakyReLU passes', () => {
    expect(score('carol', NOTEBOOKS[0])).toBe('6/7');
    expect(row('carol', NOTEBOOKS[0])['q1.1']).toBe('0');
    expect(score('carol', NOTEBOOKS[1])).toBe('6/6');
    expect(row('carol', NOTEBOOKS[2])['q3.1']).toBe('0');
    const page = fs.readFileSync(path.join(out, 'feedback', 'carol', '01-auto-encodeurs-denses.html'), 'utf8');
    expect(page).toContain('le code a la forme 32 au lieu de 64');
  });

  test('fakes: plain objects for a model, a patched check or console.log, a made-up history and a changed set-up cell gain nothing', () => {
    expect(row('eve', NOTEBOOKS[1])['q2.2']).toBe('0');
    expect(fs.readFileSync(path.join(out, 'feedback', 'eve', '02-auto-encodeur-convolutif.html'), 'utf8')).toContain(
      'conv doit être un auto-encodeur fait par lab.autoencoder',
    );
    expect(row('eve', NOTEBOOKS[0])['q1.1']).toBe('0');
    expect(row('eve', NOTEBOOKS[0])['q1.4']).toBe('0');
    expect(fs.readFileSync(path.join(out, 'feedback', 'eve', '01-auto-encodeurs-denses.html'), 'utf8')).toContain(
      'le modèle ne semble pas entraîné',
    );
    expect(score('eve', NOTEBOOKS[2])).toBe('4/4');
    expect(row('eve', NOTEBOOKS[2]).notes).toContain("cellule donnée n°2 modifiée : remise d'origine");
  });

  test('hostile hand-ins are contained: nothing written outside, no secret read, no process left, the class graded', () => {
    for (const marker of MARKERS) expect(fs.existsSync(marker)).toBe(false);
    expect(watched.map(hash)).toEqual(before);
    const page = fs.readFileSync(path.join(out, 'feedback', 'dave', '01-auto-encodeurs-denses.html'), 'utf8');
    expect(page).toContain('refusé');
    expect(page).not.toContain(SECRET);
    expect(score('dave', NOTEBOOKS[0])).toBe('7/7');
    expect(spawnSync('pgrep', ['-f', 'sleep 987']).status).toBe(1);
    // An endless loop is stopped at its cell, named with its question; the others are graded.
    expect(score('dave', NOTEBOOKS[1])).toBe('5/6');
    expect(row('dave', NOTEBOOKS[1]).notes).toMatch(/cellule \d+ \(question 2\.3\) arrêtée au bout de 45 s/);
    // Endless allocation fails its cell at the memory limit; the notebook goes on
    // (as a JavaScript RangeError, or a native allocation failure that kills the kernel: the cell is then taken out).
    // What follows depends on when the memory comes back, so only containment is asserted here.
    expect(row('dave', NOTEBOOKS[2]).notes).toMatch(/^cellule 3 : .*(allocation failed|arrêté le noyau)/i);
    expect(row('dave', NOTEBOOKS[2]).auto_max).toBe('4');
  });

  test('written answers side by side, and the template for their points', () => {
    const page = fs.readFileSync(path.join(out, 'reponses-redigees.html'), 'utf8');
    expect(page).toContain('<h2>Question 2.1</h2>');
    expect(page).toContain('<b>alice</b>');
    const template = fs.readFileSync(path.join(out, 'points-manuels.csv'), 'utf8');
    expect(template.split('\n')[0]).toBe('student,notebook,question,points,commentaire');
    expect(template).toContain('alice,02-auto-encodeur-convolutif.ipynb,2.1,,');
  });

  test("the teacher's points merge into grades.csv without grading again", () => {
    const points = path.join(out, 'points-manuels.csv');
    fs.writeFileSync(
      points,
      fs
        .readFileSync(points, 'utf8')
        .replace('alice,02-auto-encodeur-convolutif.ipynb,2.1,,', 'alice,02-auto-encodeur-convolutif.ipynb,2.1,1,bien vu')
        .replace('alice,02-auto-encodeur-convolutif.ipynb,2.4,,', 'alice,02-auto-encodeur-convolutif.ipynb,2.4,"0,5",'),
    );
    const merged = spawnSync(python, ['-m', 'scripts.tp5nb', 'grade', '--points-only', '--out', out], { cwd: root, encoding: 'utf8' });
    expect(merged.status).toBe(0);
    const lines = fs.readFileSync(path.join(out, 'grades.csv'), 'utf8').trim().split('\n').map(parseCsvLine);
    const header = lines[0];
    const alice = lines.find((cells) => cells[0] === 'alice' && cells[1] === NOTEBOOKS[1]) as string[];
    expect(alice[header.indexOf('manual_points')]).toBe('1.5');
    expect(alice[header.indexOf('total')]).toBe('7.5');
  });
});

test('grading refuses to run hand-ins where no sandbox can be had, and says why', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp5-nosandbox-'));
  fs.mkdirSync(path.join(dir, 'alice'));
  const result = spawnSync(python, ['-m', 'scripts.tp5nb', 'grade', dir, '--out', path.join(dir, 'out')], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PATH: path.join(root, '.venv', 'bin') },
  });
  expect(result.status).toBe(2);
  expect(result.stderr).toContain("refus : bubblewrap n'est pas installé");
  expect(result.stderr).toContain('--unsafe');
});

/** One line of the grader's CSV (quoted fields with doubled quotes). */
function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        current += '"';
        i++;
      } else if (c === '"') quoted = false;
      else current += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(current);
      current = '';
    } else current += c;
  }
  cells.push(current);
  return cells;
}
