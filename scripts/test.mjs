#!/usr/bin/env node
// `npm test`: setup, type check, lint and jest, each timed, with a summary at the end so that the
// suite's budget (well inside CI's 90 minutes, aimed under 25) can be watched from any run's output.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const phases = [
  ['setup', process.execPath, ['scripts/setup.mjs', '--debian', '--hub']],
  ['type check', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']],
  ['lint', 'npm', ['run', '--silent', 'lint']],
  // The Python side's own tests (the class server's roster and exchange, …).
  // -rs: each skipped test's reason in the output.
  ['python tests', path.join(root, '.venv', 'bin', 'python'), ['-m', 'pytest', '-q', '-rs', 'test/python']],
  ['jest', bin('jest'), process.argv.slice(2)],
  // The unit tests, notebook 01 and a small class's grading again on the other supported Node.js versions.
  ['other Node.js versions', process.execPath, ['scripts/test-node-versions.mjs']],
];

const times = [];
let status = 0;
for (const [name, command, args] of phases) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  times.push([name, (Date.now() - started) / 1000]);
  status = result.status ?? 1;
  if (status !== 0) {
    console.error(`npm test: ${name} failed (exit ${result.status ?? result.signal})`);
    break;
  }
}
const total = times.reduce((sum, [, seconds]) => sum + seconds, 0);
console.log(`\nnpm test phases: ${times.map(([name, s]) => `${name} ${s.toFixed(0)} s`).join(', ')}; total ${(total / 60).toFixed(1)} min`);
process.exit(status);
