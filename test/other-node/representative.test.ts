import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Run by scripts/test-node-versions.mjs on each other supported Node.js (the main run covers these in
 * full): a real tslab kernel, and a small class graded (notebook 01 run whole in it), both on the
 * Node.js first on PATH, which is the one running this test.
 */
const root = path.resolve(__dirname, '..', '..');
const python = path.join(root, '.venv', 'bin', 'python');
const NOTEBOOK = '01-auto-encodeurs-denses.ipynb';
const grader = (args: string[]) => spawnSync(python, ['-m', 'grader', ...args], { cwd: root, encoding: 'utf8', timeout: 900_000 });
const outputs = (file: string): string =>
  JSON.parse(fs.readFileSync(file, 'utf8'))
    .cells.flatMap((c: { outputs?: { text?: string | string[]; data?: Record<string, string | string[]> }[] }) => c.outputs ?? [])
    .map((o: { text?: string | string[]; data?: Record<string, string | string[]> }) =>
      [o.text ?? '', o.data?.['text/plain'] ?? ''].flat().join(''),
    )
    .join('\n');

test(`a tslab kernel runs on Node.js ${process.version}`, () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tp5-node-'));
  const probe = path.join(out, 'version.ipynb');
  fs.writeFileSync(
    probe,
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
      cells: [{ cell_type: 'code', id: 'v', source: 'console.log(process.version);', metadata: {}, outputs: [], execution_count: null }],
    }),
  );
  const result = grader(['run', '--quick', '--output-dir', out, probe]);
  expect(result.stderr).not.toMatch(/ÉCHEC/);
  expect(result.status).toBe(0);
  expect(outputs(path.join(out, 'version.ipynb'))).toContain(process.version);
}, 900_000);

// Notebook 01 runs whole, every check passed, through a tslab kernel on this version: alice's 7/7 below.

test(`a small class is graded in sandboxes on Node.js ${process.version}`, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp5-node-class-'));
  const kit = path.join(dir, 'kit');
  expect(grader(['student', '--output-dir', kit, path.join(root, 'notebooks', NOTEBOOK)]).status).toBe(0);
  for (const [student, source] of [
    ['alice', path.join(root, 'notebooks', NOTEBOOK)],
    ['bob', path.join(kit, NOTEBOOK)],
  ]) {
    fs.mkdirSync(path.join(dir, 'rendus', student), { recursive: true });
    fs.copyFileSync(source, path.join(dir, 'rendus', student, NOTEBOOK));
  }
  const result = grader(['grade', path.join(dir, 'rendus'), '--out', path.join(dir, 'notes'), '--jobs', '2', '--cell-timeout', '60']);
  expect(result.status).toBe(0);
  expect(fs.readFileSync(path.join(dir, 'notes', 'notes-moodle.csv'), 'utf8')).toBe(
    'identifiant,TP5 partie 1,TP5 total\nalice,7,7\nbob,0,0\n',
  );
}, 900_000);
