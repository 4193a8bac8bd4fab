import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { NotebookCell, readNotebook, textOf } from './helpers/notebook-outputs';

/**
 * A student's session, through a real tslab kernel (quick mode), on the cells of notebook 01 as a
 * student meets them: an answer that does not compile names its question in French, and a later cell
 * that needs it says which question to run first; a check or a figure fed by a skipped answer says so.
 */

const root = path.resolve(__dirname, '..');
const notebook = readNotebook(path.join(root, 'notebooks', '01-auto-encodeurs-denses.ipynb'));

/** What one cell wrote (test/helpers/run_cells.py). */
interface Seen {
  stdout: string;
  stderr: string;
  text: string;
  data: string;
}

/** Runs the cells in a fresh kernel, one after the other ({ inspect: code }: what Shift+Tab shows). */
function runCells(sources: (string | { inspect: string })[]): Seen[] {
  const result = spawnSync(path.join(root, '.venv', 'bin', 'python'), [path.join(root, 'test', 'helpers', 'run_cells.py')], {
    cwd: root,
    input: JSON.stringify(sources),
    encoding: 'utf8',
    timeout: 300_000,
  });
  expect(result.stderr).not.toMatch(/Traceback/);
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout.trim().split('\n').pop() as string) as Seen[];
}

const source = (cell: NotebookCell) => textOf(cell.source);
const cellsWhere = (test: (cell: NotebookCell) => boolean) => notebook.cells.filter(test).map(source);
const setupCell = source(notebook.cells.find((cell) => cell.cell_type === 'code') as NotebookCell);
const mseCell = cellsWhere((cell) => source(cell).includes('function mse('))[0];
const checkOf = (question: string) => cellsWhere((cell) => cell.metadata.tp5?.check === question)[0];

test('a typo in the answer that defines mse names question 1.5 in French, and its check cell says to run 1.5 first', () => {
  const typo = mseCell.replace('tf.squaredDifference', 'tf.squaredDiference');
  expect(typo).not.toBe(mseCell);
  const [setup, answer, check] = runCells([setupCell, typo, checkOf('1.5')]);
  expect(setup.stderr).toBe('');
  expect(answer.stderr).toMatch(
    /^La réponse à la question 1\.5 ne compile pas :\n {2}ligne \d+, colonne \d+ : .*'squaredDiference'.*'squaredDifference'/,
  );
  expect(answer.stderr).toContain('Corrigez-la, puis exécutez de nouveau sa cellule');
  expect(check.stderr).toContain(
    "« mse » n'est pas encore défini : exécutez d'abord, dans l'ordre, les cellules de votre réponse à la question 1.5",
  );
  // No English from the compiler, in either cell.
  expect(answer.stderr + check.stderr).not.toMatch(/Cannot find name|does not exist|Did you mean/);
}, 320_000);

test('a tensor or a model that ends a cell reads as one French line, not as tfjs internals; Shift+Tab documents the checks', () => {
  const [, tensor, model, help] = runCells([
    setupCell,
    'tf.zeros([2, 3]).add(0.5);',
    'lab.buildDense1().encoder;',
    { inspect: 'lab.check.mseFunction' },
  ]);
  expect(tensor.stdout).toBe('Tenseur float32 de forme [2, 3] : 0,5 ; 0,5 ; 0,5 ; 0,5 ; 0,5 ; 0,5\n');
  // Shift+Tab on a check shows its French documentation.
  expect(help.text).toContain('Question 1.5 : la MSE de l');
  expect(model.stdout).toMatch(/^Modèle tfjs « encoder » : 2 couches, 50\s240 paramètres, entrée \[28, 28, 1\] → sortie \[64\]\n$/);
}, 320_000);

test('with 1.2 skipped, its check says the tables are empty and the 1.3 figure says it has nothing to count', () => {
  const upTo13 = notebook.cells.slice(0, notebook.cells.findIndex((cell) => cell.metadata.tp5?.check === '1.3') + 1);
  const sources = upTo13
    .filter((cell) => cell.cell_type === 'code' && cell.metadata.tp5?.beyond !== true)
    .map((cell) => (cell.metadata.tp5?.answer === '1.2' ? '// À compléter (question 1.2)\nlab.todo("1.2");' : source(cell)));
  const seen = runCells(sources);
  const tablesCheck = seen[sources.indexOf(checkOf('1.2'))];
  const countsCheck = seen[sources.indexOf(checkOf('1.3'))];
  expect(tablesCheck.text).toMatch(/Question 1\.2 \(.*\) : à revoir/);
  expect(tablesCheck.text).toContain('en attendant, la suite utilise vos tableaux tels qu’ils sont, dont tous les vides');
  expect(countsCheck.text).toMatch(/Question 1\.3 \(.*\) : tout est juste/);
  expect(countsCheck.data).toContain('tableaux vides : rien à compter');
  expect(countsCheck.data).toContain('Dense n°1 sans activation (tableau vide)');
}, 320_000);

test('a quick Shift+Enter after a failing cell runs; a cell sent before the failure is aborted, and says so in French', () => {
  interface Outcome {
    status: string;
    printed: string;
  }
  const result = spawnSync(path.join(root, '.venv', 'bin', 'python'), [path.join(root, 'test', 'helpers', 'quick_after_error.py')], {
    cwd: root,
    encoding: 'utf8',
    timeout: 180_000,
  });
  expect(result.status).toBe(0);
  const seen = JSON.parse(result.stdout.trim().split('\n').pop() as string) as {
    after: Outcome[][];
    before: Outcome[];
    blocked: Outcome[];
  };
  // Five times: the failing cell, then the next one sent as soon as the failure's reply came.
  seen.after.forEach(([failed, next], index) => {
    expect(failed.status).toBe('error');
    expect(next).toEqual({ status: 'ok', printed: `suite ${index}\n` });
  });
  const aborted = {
    status: 'aborted',
    printed: expect.stringContaining("Cellule non exécutée : une cellule lancée avant elle s'est arrêtée"),
  };
  expect(seen.before).toEqual([expect.objectContaining({ status: 'error' }), aborted]);
  // Two requests sent while a cell blocked, then failed: each aborted (saying so) or run, never silent; the next one runs.
  const [blocked, ...queued] = seen.blocked;
  expect(blocked.status).toBe('error');
  expect(queued.slice(0, 2)).toEqual([
    expect.objectContaining({
      status: expect.stringMatching(/^(aborted|ok)$/),
      printed: expect.stringMatching(/Cellule non exécutée|en file 1/),
    }),
    expect.objectContaining({
      status: expect.stringMatching(/^(aborted|ok)$/),
      printed: expect.stringMatching(/Cellule non exécutée|en file 2/),
    }),
  ]);
  expect(queued[2]).toEqual({ status: 'ok', printed: 'après\n' });
});
