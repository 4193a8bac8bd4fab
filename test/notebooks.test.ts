import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Part, questionsOf } from '../lib/coursework/questions';
import { NOTEBOOKS, expectExecutedNotebook, outputText, readNotebook } from './helpers/notebook-outputs';

/**
 * The notebooks as students get them: the committed ones carry their executed outputs, and an untouched
 * student version runs cell by cell with a French message at each question. (That every notebook
 * runs whole from a fresh kernel in quick mode is the opening of each coursework simulation.)
 */

const root = path.resolve(__dirname, '..');
const python = path.join(root, '.venv', 'bin', 'python');

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

/** The questions of notebook `i` (0, 1, 2), from the TP's table of questions. */
const questionIds = (i: number) => questionsOf((i + 1) as Part).map((q) => q.id);

test("the notebooks' answer and check cells name the table's questions, a check cell for each", () => {
  NOTEBOOKS.forEach((name, i) => {
    const cells = readNotebook(path.join(root, 'notebooks', name)).cells.map((c) => c.metadata.tp5 ?? {});
    expect([...new Set(cells.flatMap((tp5) => tp5.check ?? []))]).toEqual(questionIds(i));
    for (const tp5 of cells) if (tp5.answer !== undefined) expect(questionIds(i)).toContain(tp5.answer);
  });
});

test('the committed notebooks are executed: tables, metrics, figures, no error', () => {
  NOTEBOOKS.forEach((name, i) => expectExecutedNotebook(i, readNotebook(path.join(root, 'notebooks', name)), false));
});

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
    ['-m', 'grader', 'student', '--output-dir', kit, ...NOTEBOOKS.map((n) => path.join(root, 'notebooks', n))],
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
  NOTEBOOKS.forEach((name, i) => {
    const texts = errors[name].map((e) => e.text.trim());
    expect(texts.filter((t) => /Cannot find|is not defined|Error:|\n\s+at /.test(t))).toEqual([]);
    expect(texts.filter((t) => !/^(Question [0-9.]+ à (compléter|revoir)|Exécutez d'abord)/.test(t))).toEqual([]);
    for (const question of questionIds(i)) expect(texts.some((t) => t.startsWith(`Question ${question} à compléter`))).toBe(true);
  });
}, 420_000);
