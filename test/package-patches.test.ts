import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The package patches (scripts/package-patches/NAME-VERSION/*.patch), applied to copies of
 * tfjs-node's binding source and of tfjs-node's and tslab's JavaScript as setup applies them: after a
 * dry run, only where they fit, and not at all for a version they were not written for.
 */
const root = path.resolve(__dirname, '..');
const tfjsNode = path.dirname(require.resolve('@tensorflow/tfjs-node/package.json'));
const FILES = ['tfjs_backend.h', 'tfjs_backend.cc', 'tfjs_binding.cc'];

/** A copy of the binding's own source (the .original files setup keeps, else the files) under a package.json of this version. */
function bindingCopy(version: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp5-binding-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node', version }));
  fs.mkdirSync(path.join(dir, 'binding'));
  for (const file of FILES) {
    const original = path.join(tfjsNode, 'binding', `${file}.original`);
    fs.copyFileSync(fs.existsSync(original) ? original : path.join(tfjsNode, 'binding', file), path.join(dir, 'binding', file));
  }
  return path.join(dir, 'binding');
}

function apply(bindingDir: string, names?: string[]): { applied: string[]; skipped: string[] } {
  const script =
    `import { applyBindingPatches } from ${JSON.stringify(path.join(root, 'scripts', 'package-patches.mjs'))};` +
    `console.log(JSON.stringify(applyBindingPatches(${JSON.stringify(bindingDir)}${names ? `, ${JSON.stringify(names)}` : ''})));`;
  const result = spawnSync('node', ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout);
}

const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), 'utf8');

test('for tfjs-node 4.22.0 both patches apply, and again from the kept originals', () => {
  const dir = bindingCopy('4.22.0');
  const expected = { applied: ['per-thread attribute names', 'copyTensorData'], skipped: [] };
  expect(apply(dir)).toEqual(expected);
  expect(read(dir, 'tfjs_backend.cc')).toContain('static thread_local std::set<std::string> ATTR_NAME_SET;');
  expect(read(dir, 'tfjs_binding.cc')).toContain('"copyTensorData"');
  // A second run starts from the originals: the same result, each change present once.
  expect(apply(dir)).toEqual(expected);
  expect(read(dir, 'tfjs_backend.cc').match(/thread_local std::set/g)).toHaveLength(1);
  expect(read(dir, 'tfjs_binding.cc').match(/"copyTensorData"/g)).toHaveLength(1);
  // Only the thread-safety one when asked.
  expect(apply(dir, ['per-thread attribute names'])).toEqual({ applied: ['per-thread attribute names'], skipped: [] });
  expect(read(dir, 'tfjs_binding.cc')).not.toContain('copyTensorData');
});

test('an unknown tfjs-node version: no patch, with a one-line reason, the source left as it is', () => {
  const dir = bindingCopy('9.9.9');
  const before = read(dir, 'tfjs_backend.cc');
  expect(apply(dir)).toEqual({ applied: [], skipped: ['no patches for tfjs-node 9.9.9 (written for 4.22.0)'] });
  expect(read(dir, 'tfjs_backend.cc')).toBe(before);
});

test('a source a patch does not fit: that patch is left out after its dry run, the other applied', () => {
  const dir = bindingCopy('4.22.0');
  const changed = read(dir, 'tfjs_backend.cc').replace(
    'static std::set<std::string> ATTR_NAME_SET;',
    'static std::set<std::string> NAMES;',
  );
  fs.writeFileSync(path.join(dir, 'tfjs_backend.cc'), changed);
  fs.rmSync(path.join(dir, 'tfjs_backend.cc.original'), { force: true });
  const result = apply(dir);
  expect(result.applied).toEqual(['copyTensorData']);
  expect(result.skipped).toEqual([
    'per-thread attribute names: package-patches/tfjs-node-4.22.0/01-per-thread-attribute-names.patch does not fit this source',
  ]);
  expect(fs.readdirSync(dir).filter((f) => f.endsWith('.rej') || f.endsWith('.orig'))).toEqual([]);
});

/** A copy of tfjs-node's two patched JavaScript files as tfjs-node ships them, under a package.json of this version. */
function distCopy(version: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp5-dist-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node', version }));
  for (const file of ['dist/nodejs_kernel_backend.js', 'dist/kernels/TopK.js']) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(tfjsNode, file), path.join(dir, file));
  }
  // Setup has patched the installed package: undo it on the copy to get the shipped files back.
  const patch = path.join(root, 'scripts', 'package-patches', 'tfjs-node-4.22.0', 'dist-removed-node-apis.patch');
  spawnSync('patch', ['-p1', '--reverse', '--force', '--batch', '-d', dir, '-i', patch]);
  return dir;
}

function applyDist(dir: string): { applied: string[]; skipped: string[] } {
  const script =
    `import { applyDistPatches } from ${JSON.stringify(path.join(root, 'scripts', 'package-patches.mjs'))};` +
    `console.log(JSON.stringify(applyDistPatches(${JSON.stringify(dir)})));`;
  const result = spawnSync('node', ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout);
}

test("tfjs-node's JavaScript no longer calls the util functions Node.js 23 removed; applying twice changes nothing", () => {
  const dir = distCopy('4.22.0');
  const backend = path.join(dir, 'dist', 'nodejs_kernel_backend.js');
  expect(fs.readFileSync(backend, 'utf8')).toContain('util_1.isNullOrUndefined');
  expect(applyDist(dir)).toEqual({ applied: ['dist-removed-node-apis.patch'], skipped: [] });
  const patched = fs.readFileSync(backend, 'utf8') + fs.readFileSync(path.join(dir, 'dist', 'kernels', 'TopK.js'), 'utf8');
  expect(patched).not.toMatch(/util_1\.(isNullOrUndefined|isArray)/);
  expect(applyDist(dir)).toEqual({ applied: ['dist-removed-node-apis.patch'], skipped: [] });
  expect(fs.readFileSync(backend, 'utf8') + fs.readFileSync(path.join(dir, 'dist', 'kernels', 'TopK.js'), 'utf8')).toBe(patched);
  expect(fs.readdirSync(path.join(dir, 'dist')).filter((f) => f.endsWith('.rej') || f.endsWith('.orig'))).toEqual([]);
});

test('tfjs-node JavaScript of another version: no patch, with its reason', () => {
  const dir = distCopy('4.23.0');
  expect(applyDist(dir)).toEqual({ applied: [], skipped: ['no patches for tfjs-node 4.23.0 (written for 4.22.0)'] });
  expect(fs.readFileSync(path.join(dir, 'dist', 'nodejs_kernel_backend.js'), 'utf8')).toContain('util_1.isNullOrUndefined');
});

/** A copy of tslab's patched files as tslab ships them, under a package.json of this version. */
function tslabCopy(version: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp5-tslab-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'tslab', version }));
  fs.mkdirSync(path.join(dir, 'dist'));
  for (const file of ['executor.js', 'converter.js', 'jupyter.js'])
    fs.copyFileSync(require.resolve(`tslab/dist/${file}`), path.join(dir, 'dist', file));
  for (const patch of TSLAB_PATCHES) {
    const file = path.join(root, 'scripts', 'package-patches', 'tslab-1.0.22', patch);
    spawnSync('patch', ['-p1', '--reverse', '--force', '--batch', '-d', dir, '-i', file]);
  }
  return dir;
}

const TSLAB_PATCHES = ['dist-executor.patch', 'dist-jupyter.patch', 'dist-shorthand-properties.patch'];

test('tslab 1.0.22: cells counted, a stopped cell told in French, compiler messages in French and explained by the library, shorthand properties rewritten, requests after a failure run, ipc channels; another version left as it is', () => {
  const dir = tslabCopy('1.0.22');
  const read = (file: string) => fs.readFileSync(path.join(dir, 'dist', file), 'utf8');
  expect(read('executor.js')).not.toContain('cellStarts');
  expect(read('executor.js')).not.toContain('explainDiagnostics');
  expect(read('converter.js')).not.toContain('isShorthandPropertyAssignment');
  expect(read('jupyter.js')).toContain('this.execQueue.reset(200);');
  expect(applyDist(dir)).toEqual({ applied: TSLAB_PATCHES, skipped: [] });
  expect(read('jupyter.js')).not.toContain('reset(200)');
  expect(read('jupyter.js')).toContain('ipc://${conn.ip}-${port}');
  const patched = read('executor.js') + read('converter.js') + read('jupyter.js');
  expect(patched).toContain('tslabGlobal.cellStarts++;');
  expect(patched).toContain('Cellule arrêtée');
  expect(patched).toContain('validateLocaleAndSetLanguage("fr"');
  expect(patched).toContain('tslabGlobal.explainDiagnostics(src, diagnostics)');
  expect(patched).toContain('tslabGlobal.explainError(src, e)');
  expect(patched).toContain('getShorthandAssignmentValueSymbol');
  expect(applyDist(dir)).toEqual({ applied: TSLAB_PATCHES, skipped: [] });
  expect(read('executor.js') + read('converter.js') + read('jupyter.js')).toBe(patched);
  const other = tslabCopy('1.0.23');
  expect(applyDist(other)).toEqual({ applied: [], skipped: ['no patches for tslab 1.0.23 (written for 1.0.22)'] });
  expect(fs.readFileSync(path.join(other, 'dist', 'executor.js'), 'utf8')).not.toContain('cellStarts');
});

test('configurable-http-proxy 5.3.0: Unix-socket targets get the keep-alive agent; another version left as it is', () => {
  const copy = (version: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp5-proxy-'));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'configurable-http-proxy', version }));
    fs.mkdirSync(path.join(dir, 'lib'));
    fs.copyFileSync(require.resolve('configurable-http-proxy/lib/configproxy.js'), path.join(dir, 'lib', 'configproxy.js'));
    const patch = path.join(root, 'scripts', 'package-patches', 'configurable-http-proxy-5.3.0', 'dist-unix-socket-agent.patch');
    spawnSync('patch', ['-p1', '--reverse', '--force', '--batch', '-d', dir, '-i', patch]);
    return dir;
  };
  const dir = copy('5.3.0');
  const read = () => fs.readFileSync(path.join(dir, 'lib', 'configproxy.js'), 'utf8');
  expect(read()).toContain('// No need for agents for unix sockets');
  expect(applyDist(dir)).toEqual({ applied: ['dist-unix-socket-agent.patch'], skipped: [] });
  expect(read()).toMatch(/proxyOptions\.secure = false;\n\s+proxyOptions\.agent = this\.httpAgent;\n\s+proxyOptions\.target\.socketPath/);
  const other = copy('5.4.0');
  expect(applyDist(other)).toEqual({ applied: [], skipped: ['no patches for configurable-http-proxy 5.4.0 (written for 5.3.0)'] });
});

test('a supported Node.js passes; another is refused in French and English, naming both', () => {
  const script =
    `import { unsupportedNode, supportedMajors } from ${JSON.stringify(path.join(root, 'scripts', 'node-version.mjs'))};` +
    `console.log(JSON.stringify([supportedMajors(), ...['v20.20.2', 'v22.23.5', 'v24.22.3', 'v21.7.3', 'v18.20.0'].map((v) => unsupportedNode(v))]));`;
  const [majors, ...problems] = JSON.parse(spawnSync('node', ['--input-type=module', '-e', script], { encoding: 'utf8' }).stdout);
  expect(majors).toEqual([20, 22, 24]);
  expect(problems.slice(0, 3)).toEqual(['', '', '']);
  expect(problems[3]).toBe(
    "Node.js v21.7.3 n'est pas pris en charge : installez Node.js 20, 22, 24 / Node.js v21.7.3 is not supported: install Node.js 20, 22, 24",
  );
  expect(problems[4]).toContain('Node.js v18.20.0 is not supported');
});
