#!/usr/bin/env node
// `npm test`: setup, type check, lint and jest, each timed, with a summary at the end so that the
// suite's budget (well inside CI's 90 minutes, aimed under 25) can be watched from any run's output.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const phases = [
  ['setup', process.execPath, ['scripts/setup.mjs', '--debian', '--hub', '--site']],
  ['type check', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']],
  // The static site's worker, with the library, as the browser runs them (its extension is checked as setup builds it).
  ['type check of the site', bin('tsc'), ['-p', 'site/worker']],
  ['lint', 'npm', ['run', '--silent', 'lint']],
  ['jest', bin('jest'), process.argv.slice(2)],
];
/**
 * Run side by side after jest, each one's output printed whole when it ends: the Python side's own tests
 * (mostly waiting on kernels and sandboxes) beside the other supported Node.js versions.
 */
const together = [
  // -rs: each skipped test's reason in the output.
  ['python tests', path.join(root, '.venv', 'bin', 'python'), ['-m', 'pytest', '-q', '-rs', 'test/python']],
  // The unit tests, notebook 01 and a small class's grading again on the other supported Node.js versions.
  ['other Node.js versions', process.execPath, ['scripts/test-node-versions.mjs']],
];

const times = [];
let failed = '';

for (const [name, command, args] of phases) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  times.push([name, (Date.now() - started) / 1000]);
  if (result.status !== 0) {
    failed = `${name} failed (exit ${result.status ?? result.signal})`;
    break;
  }
}

/** Runs one phase with its output kept, resolving to [name, seconds, exit status]. */
function runKept(name, command, args) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks = [];
    child.stdout.on('data', (chunk) => chunks.push(chunk));
    child.stderr.on('data', (chunk) => chunks.push(chunk));
    child.on('close', (status, signal) => {
      console.log(`\n===== ${name} =====\n${Buffer.concat(chunks).toString('utf8')}`);
      resolve([name, (Date.now() - started) / 1000, status ?? signal]);
    });
  });
}

if (!failed) {
  console.log(`\nnpm test: ${together.map(([name]) => name).join(' and ')}, side by side (each one's output when it ends)`);
  const started = Date.now();
  for (const [name, seconds, status] of await Promise.all(together.map((phase) => runKept(...phase)))) {
    console.log(`npm test: ${name} ${seconds.toFixed(0)} s`);
    if (status !== 0 && !failed) failed = `${name} failed (exit ${status})`;
  }
  times.push([together.map(([name]) => name).join(' ‖ '), (Date.now() - started) / 1000]);
}
if (failed) console.error(`npm test: ${failed}`);
const total = times.reduce((sum, [, seconds]) => sum + seconds, 0);
console.log(`\nnpm test phases: ${times.map(([name, s]) => `${name} ${s.toFixed(0)} s`).join(', ')}; total ${(total / 60).toFixed(1)} min`);
process.exit(failed ? 1 : 0);
