#!/usr/bin/env node
// Installs whatever the lab needs and is missing, then exits. Safe to run again:
// each step checks first and skips what is already in place.
//
//   node scripts/setup.mjs            npm packages, .venv (JupyterLab, nbclient), tslab kernel, native TensorFlow
//   node scripts/setup.mjs --debian   the same, plus Debian's chromium (browser test, PDFs),
//                                     dataset-fashion-mnist (notebook 02) and bubblewrap (the
//                                     grader's sandbox), where root can apt-get
//   node scripts/setup.mjs --hub      the same, plus the class server's JupyterLab extension
//                                     (session/labextension, built into build/session/)
//
// Only Node's standard library is used here, because node_modules may not exist yet.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { THREAD_SAFETY_PATCH, applyBindingPatches, applyDistPatches } from './package-patches.mjs';
import { unsupportedNode } from './node-version.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Refuses an unsupported Node.js before installing anything. */
function checkNodeVersion() {
  const problem = unsupportedNode(process.version);
  if (problem) fail(problem);
}
const venv = path.join(root, '.venv');
const venvPython = path.join(venv, 'bin', 'python');
const cacheDir = path.join(root, '.cache');
const tfjsNodeDir = path.join(root, 'node_modules', '@tensorflow', 'tfjs-node');
const TENSORFLOW_WHEEL = 'tensorflow-cpu==2.21.0';

// Messages go to stderr so that commands such as `npm run describe -- --json` keep a clean stdout; in
// French, as students and teachers read them (npm start, npm test).
function log(message) {
  console.error(`[installation] ${message}`);
}

/** Runs a command, streaming its output; returns true when it exits with 0. */
function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: ['inherit', process.stderr, 'inherit'], ...options });
  if (result.error) log(`impossible de lancer ${command} : ${result.error.message}`);
  return result.status === 0;
}

/** Runs a command quietly; returns its exit status and output. */
function capture(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', ...options });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

function fail(message) {
  console.error(`[installation] erreur : ${message}`);
  process.exit(1);
}

function hashOf(...files) {
  const hash = createHash('sha256');
  for (const file of files) hash.update(fs.existsSync(file) ? fs.readFileSync(file) : '');
  return hash.digest('hex');
}

/** What npm installs depends on the dependency lists and the lock file, not on the rest of package.json. */
function dependenciesHash() {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const lists = JSON.stringify([manifest.dependencies, manifest.devDependencies]);
  return createHash('sha256')
    .update(lists)
    .update(hashOf(path.join(root, 'package-lock.json')))
    .digest('hex');
}

/** A stamp file remembers the hash of the inputs of a step that succeeded. */
function stampIsCurrent(stampFile, hash) {
  return fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === hash;
}

function writeStamp(stampFile, hash) {
  fs.mkdirSync(path.dirname(stampFile), { recursive: true });
  fs.writeFileSync(stampFile, hash);
}

function installNodePackages() {
  const hash = dependenciesHash();
  const stamp = path.join(root, 'node_modules', '.tp5-installed');
  if (stampIsCurrent(stamp, hash)) return;
  log('installation des paquets npm');
  // Install scripts stay off (see .npmrc): the native addon is handled below.
  const useLock = fs.existsSync(path.join(root, 'package-lock.json'));
  if (!run('npm', [useLock ? 'ci' : 'install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=warn'])) {
    fail("npm n'a pas pu installer les paquets de package.json (voir les messages ci-dessus)");
  }
  writeStamp(stamp, hash);
}

/**
 * The packages' JavaScript mended (scripts/package-patches/): tfjs-node for the Node.js versions it
 * predates, tslab so that the stop button stops a cell in French, configurable-http-proxy so that the
 * class server's Unix sockets never answer 503 to a request they served.
 */
function patchPackages() {
  const packages = [tfjsNodeDir, path.join(root, 'node_modules', 'tslab'), path.join(root, 'node_modules', 'configurable-http-proxy')];
  for (const packageDir of packages) {
    for (const reason of applyDistPatches(packageDir).skipped) log(`correctif non appliqué : ${reason}`);
  }
}

function installPythonEnvironment() {
  const requirements = path.join(root, 'requirements.txt');
  const hash = hashOf(requirements);
  const stamp = path.join(venv, '.tp5-installed');
  if (stampIsCurrent(stamp, hash)) return;
  if (!fs.existsSync(venvPython)) {
    log("création de l'environnement Python .venv");
    if (!run('python3', ['-m', 'venv', venv])) fail('python3 -m venv a échoué : Python 3 et son module venv sont nécessaires');
  }
  log('installation de JupyterLab et nbclient dans .venv');
  if (!run(venvPython, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements])) {
    fail("pip n'a pas pu installer requirements.txt dans .venv");
  }
  writeStamp(stamp, hash);
}

/**
 * The kernel's environment: TensorFlow's informational lines and warnings (English, on the kernel's
 * stderr) are not for students. Its very first ones (« oneDNN custom operations are on… ») come before
 * TensorFlow reads this setting; the project's commands filter those out (grader/execute.py).
 */
const KERNEL_ENV = { TF_CPP_MIN_LOG_LEVEL: '2' };

function registerKernel() {
  const tslabBin = path.join(root, 'node_modules', 'tslab', 'bin', 'tslab');
  const spec = path.join(venv, 'share', 'jupyter', 'kernels', 'tslab', 'kernel.json');
  const registered = () => (fs.existsSync(spec) ? JSON.parse(fs.readFileSync(spec, 'utf8')) : {});
  const current = registered();
  if (current.argv?.[0] === tslabBin && current.env?.TF_CPP_MIN_LOG_LEVEL === KERNEL_ENV.TF_CPP_MIN_LOG_LEVEL) return;
  log('enregistrement du noyau TypeScript tslab dans .venv');
  const ok = run('node', [tslabBin, 'install', '--python', venvPython, '--sys-prefix', '--binary', tslabBin]);
  if (!ok) fail("tslab n'a pas pu enregistrer son noyau dans .venv");
  fs.writeFileSync(spec, JSON.stringify({ ...registered(), env: KERNEL_ENV }));
}

/**
 * JupyterLab's words its French language pack leaves in English (session/lab/traductions-fr.json),
 * added to the installed pack where it has no French for them.
 */
function supplementFrenchLanguagePack() {
  const lib = path.join(venv, 'lib');
  const pythons = fs.existsSync(lib) ? fs.readdirSync(lib).filter((name) => name.startsWith('python')) : [];
  const words = JSON.parse(fs.readFileSync(path.join(root, 'session', 'lab', 'traductions-fr.json'), 'utf8'));
  for (const python of pythons) {
    const pack = path.join(
      lib,
      python,
      'site-packages',
      'jupyterlab_language_pack_fr_FR',
      'locale',
      'fr_FR',
      'LC_MESSAGES',
      'jupyterlab.json',
    );
    if (!fs.existsSync(pack)) continue;
    const translations = JSON.parse(fs.readFileSync(pack, 'utf8'));
    const forms = (french) => (Array.isArray(french) ? french : [french]);
    const missing = Object.entries(words).filter(
      ([english, french]) => !english.startsWith('$') && JSON.stringify(translations[english]) !== JSON.stringify(forms(french)),
    );
    if (missing.length === 0) continue;
    for (const [english, french] of missing) translations[english] = forms(french);
    fs.writeFileSync(pack, JSON.stringify(translations));
    log(`traductions ajoutées au paquet de langue de JupyterLab : ${missing.map(([english]) => english).join(', ')}`);
  }
}

/** Loads tfjs-node in a child process: the only reliable test that the addon and its libraries link. */
function nativeBackendLoads() {
  const probe = "const tf=require('@tensorflow/tfjs-node');if(tf.getBackend()!=='tensorflow')process.exit(2)";
  return capture('node', ['-e', probe], { env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' } }).ok;
}

function removeNativeBuild() {
  for (const dir of ['deps', 'lib', 'build']) {
    fs.rmSync(path.join(tfjsNodeDir, dir), { recursive: true, force: true });
  }
}

/** tfjs-node's own installer: downloads libtensorflow and a prebuilt addon (needs internet). */
function tryOfficialDownload() {
  log('essai du téléchargement officiel de libtensorflow');
  const result = spawnSync('node', ['scripts/install.js'], {
    cwd: tfjsNodeDir,
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (result.status === 0 && nativeBackendLoads()) return true;
  const reason = (result.stderr || result.stdout || 'no output').match(/(ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN)[^\n]*/)?.[0];
  log(`téléchargement officiel indisponible${reason ? ` (${reason.trim()})` : ''}`);
  removeNativeBuild();
  return false;
}

/** Node's own headers, so node-gyp needs no download. */
function nodeHeadersDir() {
  for (const prefix of [path.resolve(path.dirname(process.execPath), '..'), '/usr', '/usr/local']) {
    if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) return prefix;
  }
  return undefined;
}

const addonDir = path.join(tfjsNodeDir, 'lib', 'napi-v8');
const bindingDir = path.join(tfjsNodeDir, 'binding');
/**
 * Written next to the addon once it is built from the thread-safe source (scripts/package-patches.mjs),
 * listing the patches it was built with; the library trains on helper threads with native TensorFlow
 * only when it is there (lib/train/threads.ts reads it).
 */
const THREAD_SAFE_MARKER = path.join(addonDir, 'thread-safe-attributes');
/**
 * Written when rebuilding an existing addon failed, or when the addon built only with the thread-safety
 * patch, so that later runs do not try again (npm reinstalling tfjs-node removes it).
 */
const REBUILD_FAILED_MARKER = path.join(addonDir, 'thread-safe-rebuild-failed');

/** Compiles the binding's source as it is against the TensorFlow library in deps/; true when it builds and loads. */
function buildAddon() {
  const nodeGyp = path.join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  const nodedir = nodeHeadersDir();
  const args = [nodeGyp, 'rebuild', '--module_name=tfjs_binding', `--module_path=${addonDir}`, '--napi_build_version=8'];
  if (nodedir) args.push(`--nodedir=${nodedir}`);
  const build = capture('node', args, { cwd: tfjsNodeDir });
  if (build.ok && nativeBackendLoads()) return true;
  log(
    `le module natif ne compile pas ou ne se charge pas :\n${build.output
      .split('\n')
      .filter((l) => /error/i.test(l))
      .slice(0, 10)
      .join('\n')}`,
  );
  return false;
}

/**
 * Compiles the addon with the binding patches; where that fails, once more with the thread-safety one
 * only (the others are speed-ups), and remembers it so that later runs do not try again.
 * True when an addon builds and loads.
 */
function compileAddon() {
  let { applied: patches, skipped } = applyBindingPatches(bindingDir);
  for (const reason of skipped) log(`correctif du module natif non appliqué : ${reason}`);
  let built = buildAddon();
  if (!built && patches.length > 1 && patches.includes(THREAD_SAFETY_PATCH)) {
    log(`nouvelle compilation du module natif avec le seul correctif ${THREAD_SAFETY_PATCH}`);
    patches = applyBindingPatches(bindingDir, [THREAD_SAFETY_PATCH]).applied;
    built = buildAddon();
    if (built)
      fs.writeFileSync(
        REBUILD_FAILED_MARKER,
        'the addon did not build with all the binding patches; it was built with the thread-safety one only\n',
      );
  }
  if (!built) return false;
  if (patches.includes(THREAD_SAFETY_PATCH)) fs.writeFileSync(THREAD_SAFE_MARKER, `${patches.join('\n')}\n`);
  else log('module natif compilé sans son correctif multi-fil : TensorFlow natif entraînera sur un seul fil');
  return true;
}

/**
 * Builds the addon against the TensorFlow C library shipped in the tensorflow-cpu wheel
 * from PyPI: its libtensorflow_cc.so.2 exports every TF_/TFE_ function the addon calls.
 */
function tryBuildFromWheel() {
  const wheelDir = path.join(cacheDir, 'wheels');
  log(`compilation du module natif à partir de la roue ${TENSORFLOW_WHEEL}`);
  let wheel = fs.existsSync(wheelDir) && fs.readdirSync(wheelDir).find((f) => /^tensorflow_cpu-.*\.whl$/.test(f));
  if (!wheel) {
    fs.mkdirSync(wheelDir, { recursive: true });
    const downloaded = run(venvPython, [
      '-m',
      'pip',
      'download',
      '--quiet',
      '--no-deps',
      '--disable-pip-version-check',
      '--dest',
      wheelDir,
      TENSORFLOW_WHEEL,
    ]);
    wheel = downloaded && fs.readdirSync(wheelDir).find((f) => /^tensorflow_cpu-.*\.whl$/.test(f));
    if (!wheel) {
      log('impossible de télécharger la roue tensorflow-cpu');
      return false;
    }
  }
  removeNativeBuild();
  const extract = capture(venvPython, [
    path.join(root, 'scripts', 'extract-libtensorflow.py'),
    path.join(wheelDir, wheel),
    path.join(tfjsNodeDir, 'deps'),
  ]);
  if (!extract.ok) {
    log(`impossible d'extraire la roue : ${extract.output.trim()}`);
    removeNativeBuild();
    return false;
  }
  if (compileAddon()) return true;
  removeNativeBuild();
  return false;
}

/**
 * An addon that works but was built without some of the patches that apply to its source (an older
 * setup, or a prebuilt addon) is rebuilt in place, once; kept as it was if that fails.
 */
function updateAddon() {
  if (fs.existsSync(REBUILD_FAILED_MARKER)) return;
  const built = fs.existsSync(THREAD_SAFE_MARKER) ? fs.readFileSync(THREAD_SAFE_MARKER, 'utf8').split('\n') : [];
  const missing = applyBindingPatches(bindingDir).applied.filter((name) => !built.includes(name));
  if (missing.length === 0) return;
  log(`nouvelle compilation du module natif avec : ${missing.join(', ')}`);
  const addon = path.join(addonDir, 'tfjs_binding.node');
  const backup = `${addon}.previous`;
  fs.copyFileSync(addon, backup);
  if (!compileAddon()) {
    fs.copyFileSync(backup, addon);
    fs.writeFileSync(REBUILD_FAILED_MARKER, `the rebuild with ${missing.join(', ')} failed; the previous addon was kept\n`);
    log(`module natif précédent gardé${built.length === 0 ? ' : TensorFlow natif entraînera sur un seul fil' : ''}`);
  }
  fs.rmSync(backup, { force: true });
}

function installNativeTensorFlow() {
  if (nativeBackendLoads()) {
    updateAddon();
    return;
  }
  if (process.env.TP5_NO_DOWNLOAD !== '1' && tryOfficialDownload()) {
    log('TensorFlow natif prêt (version officielle)');
    updateAddon();
  } else if (tryBuildFromWheel()) {
    log('TensorFlow natif prêt (compilé à partir de la roue tensorflow-cpu)');
  } else {
    log('TensorFlow natif indisponible : le TP tournera sur le moteur WASM (plus lent)');
  }
}

/** TypeScript and WebAssembly text files under `dir`, recursively. */
function sourceFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(full);
      return entry.name.endsWith('.ts') || entry.name.endsWith('.wat') ? [full] : [];
    })
    .sort();
}

/** Compiles the library (and scripts) to build/, which the notebooks import. */
function buildLibrary() {
  const sources = ['lib', 'scripts', 'grader', 'bench'].flatMap((d) => sourceFiles(path.join(root, d)));
  const hash = hashOf(
    path.join(root, 'tsconfig.json'),
    path.join(root, 'tsconfig.build.json'),
    path.join(root, 'scripts', 'build-wasm.mjs'),
    ...sources,
  );
  const stamp = path.join(root, 'build', '.tp5-built');
  if (stampIsCurrent(stamp, hash)) return;
  log('compilation de la bibliothèque dans build/');
  if (!run('node', [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'])) {
    fail('la bibliothèque ne compile pas (voir les erreurs ci-dessus)');
  }
  if (!run('node', [path.join(root, 'scripts', 'build-wasm.mjs')]))
    fail('les noyaux WebAssembly ne compilent pas (voir les erreurs ci-dessus)');
  writeStamp(stamp, hash);
}

/**
 * Makes the compiled library importable by name from any notebook inside the project:
 * node_modules/tp5-lab is a link to build/lib (npm removes it on install; it is made again here).
 */
function linkLibrary() {
  const link = path.join(root, 'node_modules', 'tp5-lab');
  const target = path.join('..', 'build', 'lib');
  if (fs.existsSync(link) && fs.lstatSync(link).isSymbolicLink() && fs.readlinkSync(link) === target) return;
  fs.rmSync(link, { recursive: true, force: true });
  fs.symlinkSync(target, link, 'dir');
}

/** Debian packages for the tests and the full notebook run: where each is looked for, and why. */
const DEBIAN_PACKAGES = [
  { name: 'chromium', path: '/usr/bin/chromium', why: 'le test dans le navigateur et les PDF des rendus' },
  { name: 'dataset-fashion-mnist', path: '/usr/share/datasets/fashion-mnist', why: 'la partie Fashion-MNIST du carnet 02' },
  { name: 'bubblewrap', path: '/usr/bin/bwrap', why: 'le bac à sable où chaque rendu est corrigé' },
  { name: 'parallel', path: '/usr/bin/parallel', why: 'le test de la correction en une tâche par rendu (GNU parallel)' },
  {
    name: 'slirp4netns',
    path: '/usr/bin/slirp4netns',
    why: "l'accès des étudiants aux autres machines (serveur de la classe, serve --internet)",
  },
];
/** What `npm run image` needs besides (--image): podman; runc, where crun refuses a machine's cgroups (half
 * v1, half v2); debootstrap, for a Debian base made here where the registry's cannot be pulled. */
const IMAGE_PACKAGES = [
  { name: 'podman', path: '/usr/bin/podman', why: 'la construction des images (npm run image)' },
  { name: 'runc', path: '/usr/sbin/runc', why: 'les conteneurs là où crun refuse les cgroups de la machine' },
  { name: 'debootstrap', path: '/usr/sbin/debootstrap', why: "une base Debian faite ici quand l'image de base ne se télécharge pas" },
];

function installDebianPackages(packages) {
  const missing = packages.filter((p) => !fs.existsSync(p.path));
  if (missing.length === 0) return;
  const names = missing.map((p) => p.name);
  if (process.getuid?.() !== 0 || !fs.existsSync('/usr/bin/apt-get')) {
    log(
      `${names.join(', ')} absent(s) et non installable(s) ici (il faut root et apt-get) : ${missing.map((p) => p.why).join(', ')} : sans objet`,
    );
    return;
  }
  log(`installation des paquets Debian ${names.join(', ')} (${missing.map((p) => p.why).join(', ')})`);
  run('apt-get', ['update', '-qq']);
  if (!run('apt-get', ['install', '-y', '-qq', ...names], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })) {
    log(`apt-get n'a pas pu installer ${names.join(', ')} : ${missing.map((p) => p.why).join(', ')} : sans objet`);
  }
}

/**
 * A JupyterLab (or JupyterLite) extension of the project, in its own folder: its own npm packages
 * (JupyterLab's, its builder), compiled by TypeScript and bundled by `jupyter labextension build` into
 * the output its package.json names; redone when its packages or sources change.
 */
function buildExtension({ folder, output, stamp, what }) {
  const hash = hashOf(
    path.join(folder, 'package.json'),
    path.join(folder, 'package-lock.json'),
    path.join(folder, 'tsconfig.json'),
    ...sourceFiles(path.join(folder, 'src')),
  );
  if (stampIsCurrent(stamp, hash) && fs.existsSync(output)) return;
  const name = path.relative(root, folder);
  log(`compilation de ${what} (${name})`);
  const npmArgs = ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=warn'];
  if (!run('npm', npmArgs, { cwd: folder })) fail(`npm n'a pas pu installer ${name}/package.json`);
  if (!run('node', [path.join(folder, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', folder])) {
    fail(`${what} ne compile pas (voir les erreurs ci-dessus)`);
  }
  const env = { ...process.env, PATH: `${path.join(venv, 'bin')}${path.delimiter}${process.env.PATH}` };
  if (!run(path.join(venv, 'bin', 'jupyter'), ['labextension', 'build', folder], { env })) {
    fail(`jupyter labextension build a échoué pour ${name} (voir les messages ci-dessus)`);
  }
  writeStamp(stamp, hash);
}

/** The class server's JupyterLab extension, where only the class server's JupyterLab looks. */
function buildSessionExtension() {
  buildExtension({
    folder: path.join(root, 'session', 'labextension'),
    output: path.join(root, 'build', 'session', 'jupyter', 'labextensions', 'tp5-classe', 'package.json'),
    stamp: path.join(root, 'build', 'session', '.tp5-built'),
    what: "l'extension JupyterLab du serveur de la classe",
  });
}

/**
 * The static site's TypeScript kernel, a JupyterLite extension, with the packages of its worker (the
 * bundler, the browser's stand-ins for Node's modules), which `npm run site` bundles with the library.
 */
function buildSiteExtension() {
  buildExtension({
    folder: path.join(root, 'site'),
    output: path.join(root, 'build', 'site-extension', 'tp5-noyau', 'package.json'),
    stamp: path.join(root, 'build', 'site-extension', '.tp5-built'),
    what: 'le noyau TypeScript du site statique',
  });
}

checkNodeVersion();
installNodePackages();
patchPackages();
installPythonEnvironment();
supplementFrenchLanguagePack();
registerKernel();
installNativeTensorFlow();
buildLibrary();
linkLibrary();
if (process.argv.includes('--debian')) installDebianPackages(DEBIAN_PACKAGES);
if (process.argv.includes('--image')) installDebianPackages(IMAGE_PACKAGES);
if (process.argv.includes('--hub')) buildSessionExtension();
if (process.argv.includes('--site')) buildSiteExtension();
