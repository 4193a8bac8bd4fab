import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The course from nbgrader (npm run nbgrader): the course folder it lays out makes nbgrader's student
 * versions (our stubs, written answers emptied, given cells locked) and autogrades tslab notebooks
 * (nbgrader's own Execute fails on tslab's error replies; the configured TslabExecute does not).
 */

const root = path.resolve(__dirname, '..');
const venvBin = path.join(root, '.venv', 'bin');
const NOTEBOOK = '01-auto-encodeurs-denses.ipynb';

function nbgrader(course: string, args: string[]) {
  return spawnSync(path.join(venvBin, 'nbgrader'), args, {
    cwd: course,
    encoding: 'utf8',
    timeout: 600_000,
    env: { ...process.env, PATH: `${venvBin}:${process.env.PATH}` },
  });
}

test('generate_assignment and autograde work on the lab with the configuration made here', () => {
  fs.mkdirSync(path.join(root, 'build'), { recursive: true });
  const course = fs.mkdtempSync(path.join(root, 'build', 'nbgrader-test-'));
  const made = spawnSync(
    path.join(venvBin, 'python'),
    ['-m', 'grader', 'nbgrader', '--course', course, path.join(root, 'notebooks', NOTEBOOK)],
    { cwd: root, encoding: 'utf8' },
  );
  expect(made.status).toBe(0);

  const generated = nbgrader(course, ['generate_assignment', 'tp5', '--force']);
  expect(generated.status).toBe(0);
  const release = JSON.parse(fs.readFileSync(path.join(course, 'release', 'tp5', NOTEBOOK), 'utf8'));
  const sources = release.cells
    .map((c: { source: string | string[] }) => (Array.isArray(c.source) ? c.source.join('') : c.source))
    .join('\n');
  expect(sources).not.toMatch(/SOLUTION|denseAutoencoder1\(M, N, 64, "linear"\)/);
  expect(sources.match(/lab\.todo\(\);/g)?.length).toBeGreaterThanOrEqual(12);
  expect(sources).toContain('const prepared = lab.check.preparedData("0", xTrain, xValidation, xTest, data);');

  for (const [student, file] of [
    ['alice', path.join(course, 'source', 'tp5', NOTEBOOK)],
    ['bob', path.join(course, 'release', 'tp5', NOTEBOOK)],
  ]) {
    fs.mkdirSync(path.join(course, 'submitted', student, 'tp5'), { recursive: true });
    fs.copyFileSync(file, path.join(course, 'submitted', student, 'tp5', NOTEBOOK));
  }
  const graded = nbgrader(course, ['autograde', 'tp5', '--create', '--force']);
  expect(`${graded.stdout}${graded.stderr}`).not.toMatch(/KeyError|Traceback/);
  expect(graded.status).toBe(0);
  const scores = spawnSync(
    path.join(venvBin, 'python'),
    [
      '-c',
      `
from nbgrader.api import Gradebook
with Gradebook("sqlite:///${path.join(course, 'gradebook.db')}") as gb:
    for student in ("alice", "bob"):
        notebook = gb.find_submission("tp5", student).notebooks[0]
        print(student, notebook.score, notebook.max_score, notebook.needs_manual_grade)
`,
    ],
    { encoding: 'utf8' },
  );
  // 8 check cells in notebook 01, 3 written answers graded by hand.
  expect(scores.stdout.trim().split('\n')).toEqual(['alice 8.0 11.0 True', 'bob 0.0 11.0 False']);
}, 600_000);
