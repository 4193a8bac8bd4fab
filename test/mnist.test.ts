import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { imageAt, loadDataset } from '../lib';
import { encodeIdx } from '../lib/data/idx';
import { describeUnless, testUnless } from './helpers/skip';

const sharedMnist = path.resolve(__dirname, '..', '..', 'shared', 'datasets', 'mnist');
const debianFashion = '/usr/share/datasets/fashion-mnist';
const hasShared = fs.existsSync(path.join(sharedMnist, 't10k-images-idx3-ubyte.gz'));
const hasFashion = fs.existsSync(path.join(debianFashion, 'train-images-idx3-ubyte.gz'));
const noShared = hasShared ? '' : `${sharedMnist} has no t10k-images-idx3-ubyte.gz`;
const noFashion = hasFashion ? '' : `Debian's dataset-fashion-mnist is not installed (${debianFashion})`;

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tp5-mnist-'));
}

/** Offline loading options that never touch the user's cache. */
function isolated(extra: object = {}) {
  return { cacheDir: tempDir(), download: false, print: false, ...extra };
}

describeUnless(noShared, 'embedded fallback with the official test set', () => {
  test('first 10,000 training images in their original order, and the official test set', async () => {
    const data = await loadDataset(isolated({ fallbackDir: sharedMnist }));
    expect(data.source).toBe('embedded');
    expect(data.full).toBe(false);
    expect([data.train.count, data.test.count]).toEqual([10000, 10000]);
    expect([data.train.height, data.train.width]).toEqual([28, 28]);
    // The first official training labels are 5, 0, 4, 1, 9; the first test labels 7, 2, 1, 0, 4.
    expect(Array.from(data.train.labels!.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
    expect(Array.from(data.test.labels!.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
    // Pixels are bytes / 255: exact, within [0, 1].
    const first = imageAt(data.train, 0);
    expect(first.every((v) => v >= 0 && v <= 1 && Math.abs(v * 255 - Math.round(v * 255)) < 1e-4)).toBe(true);
    // One sentence, nothing shouted, no word of the download that the embedded copy stood in for.
    expect(data.summary).toBe(
      "MNIST : 10\u202f000 images d'entraînement et 10\u202f000 de test, copie embarquée " +
        "(les 10\u202f000 premières des 60\u202f000 images d'entraînement officielles, jeu de test officiel).",
    );
  });
});

test('embedded fallback without the official files: a seeded split of the 10,000 images', async () => {
  const empty = tempDir();
  const a = await loadDataset(isolated({ fallbackDir: empty, seed: 7 }));
  const b = await loadDataset(isolated({ fallbackDir: empty, seed: 7 }));
  expect([a.train.count, a.test.count]).toEqual([8000, 2000]);
  expect(Array.from(a.test.labels!.subarray(0, 50))).toEqual(Array.from(b.test.labels!.subarray(0, 50)));
  expect(a.summary).toContain('partagées au hasard (graine fixe) entre entraînement et test).');
});

test('limits keep the first images, and the summary says so', async () => {
  const data = await loadDataset(isolated({ fallbackDir: tempDir(), trainLimit: 100, testLimit: 20 }));
  expect([data.train.count, data.test.count]).toEqual([100, 20]);
  expect(data.train.pixels.length).toBe(100 * 784);
  expect(data.summary).toMatch(/^MNIST : 100 images d'entraînement et 20 de test \(les premières seulement\), copie embarquée/);
});

test('an explicit folder with missing files is an error naming them', async () => {
  const dir = tempDir();
  await expect(loadDataset(isolated({ dir }))).rejects.toThrow(
    new RegExp(`il manque dans ${dir} : train-images-idx3-ubyte\\[\\.gz\\], train-labels-idx1-ubyte\\[\\.gz\\]`),
  );
});

testUnless(noShared, 'an explicit folder with a corrupt file is an error naming the file', async () => {
  const dir = tempDir();
  for (const f of ['train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']) {
    fs.copyFileSync(path.join(sharedMnist, f), path.join(dir, f));
  }
  fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), Buffer.from('PK\x03\x04 not an idx file'));
  await expect(loadDataset(isolated({ dir }))).rejects.toThrow(/train-images-idx3-ubyte : pas un fichier IDX/);
  // A well-formed file with the wrong content fails its checksum.
  const wrong = encodeIdx({ shape: [10000, 28, 28], data: new Uint8Array(10000 * 784) });
  fs.writeFileSync(path.join(dir, 't10k-images-idx3-ubyte.gz'), zlib.gzipSync(wrong));
  fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), encodeIdx({ shape: [60000, 28, 28], data: new Uint8Array(60000 * 784) }));
  await expect(loadDataset(isolated({ dir }))).rejects.toThrow(
    /t10k-images-idx3-ubyte.gz : empreinte MD5 différente, ce n'est pas le fichier officiel/,
  );
});

testUnless(noShared, 'a download that fails or is corrupt leaves no file behind, then the fallback loads', async () => {
  const cacheDir = tempDir();
  const requested: string[] = [];
  const data = await loadDataset({
    cacheDir,
    print: false,
    fallbackDir: sharedMnist,
    fetchFile: async (url) => {
      requested.push(url);
      const name = path.basename(url);
      if (name.startsWith('train-images')) return new Uint8Array([0x1f, 0x8b, 1, 2, 3]); // corrupt
      return fs.readFileSync(path.join(sharedMnist, name));
    },
  });
  expect(data.source).toBe('embedded');
  expect(data.notes.join('\n')).toMatch(
    /téléchargement : impossible de télécharger train-images-idx3-ubyte.gz depuis 2 miroirs \(empreinte MD5 différente/,
  );
  expect(data.summary).not.toMatch(/télécharg/);
  expect(requested.filter((u) => u.endsWith('train-images-idx3-ubyte.gz')).length).toBeGreaterThanOrEqual(2);
  // Nothing partial or unverified in the cache: at most the files that were verified.
  const cached = fs.readdirSync(path.join(cacheDir, 'mnist'));
  expect(cached.every((f) => !f.includes('.part') && !f.startsWith('train-images'))).toBe(true);
});

testUnless(noFashion, "Fashion-MNIST from Debian's package, through the same loader", async () => {
  const data = await loadDataset(isolated({ dataset: 'fashion-mnist', testLimit: 500 }));
  expect(data.source).toBe('system');
  expect(data.full).toBe(true);
  expect([data.train.count, data.test.count]).toEqual([60000, 500]);
  expect(data.summary).toMatch(
    /^Fashion-MNIST : 60\u202f000 images d'entraînement et 500 de test \(les premières seulement\), copie du système \(.*\), jeu officiel complet\.$/,
  );
});

test('a missing folder, or a folder where a data file should be, is an error naming it', async () => {
  await expect(loadDataset(isolated({ dir: '/nonexistent-tp5' }))).rejects.toThrow("le dossier /nonexistent-tp5 n'existe pas");
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'train-images-idx3-ubyte.gz'));
  await expect(loadDataset(isolated({ dir }))).rejects.toThrow(
    `${path.join(dir, 'train-images-idx3-ubyte.gz')} est un dossier : un fichier IDX`,
  );
});

testUnless(noShared, 'a corrupt file in the cache is moved aside and fetched again, and the notes say so', async () => {
  const cacheDir = tempDir();
  const cached = path.join(cacheDir, 'mnist');
  fs.mkdirSync(cached);
  for (const f of ['train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'])
    fs.copyFileSync(path.join(sharedMnist, f), path.join(cached, f));
  // A training-image file that parses but is not the official one (it fails its MD5).
  fs.writeFileSync(
    path.join(cached, 'train-images-idx3-ubyte.gz'),
    zlib.gzipSync(encodeIdx({ shape: [60000, 28, 28], data: new Uint8Array(60000 * 784) })),
  );
  const requested: string[] = [];
  const data = await loadDataset({
    cacheDir,
    print: false,
    fallbackDir: sharedMnist,
    fetchFile: async (url) => {
      requested.push(path.basename(url));
      throw new Error('offline');
    },
  });
  expect(data.notes.join('\n')).toMatch(
    /cache : .*train-images-idx3-ubyte.gz : empreinte MD5 différente.* ; train-images-idx3-ubyte.gz mis de côté \(.corrupt\), à télécharger de nouveau/,
  );
  expect(requested).toContain('train-images-idx3-ubyte.gz');
  expect(fs.existsSync(path.join(cached, 'train-images-idx3-ubyte.gz.corrupt'))).toBe(true);
  expect(fs.existsSync(path.join(cached, 'train-images-idx3-ubyte.gz'))).toBe(false);
  expect(data.source).toBe('embedded');
});

testUnless(noShared, 'raw training images that no checksum can verify are called unverified', async () => {
  const dir = tempDir();
  for (const f of ['train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'])
    fs.copyFileSync(path.join(sharedMnist, f), path.join(dir, f));
  const random = new Uint8Array(60000 * 784).map((_, i) => (i * 2654435761) >>> 24);
  fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), encodeIdx({ shape: [60000, 28, 28], data: random }));
  const data = await loadDataset(isolated({ dir }));
  expect(data.verified).toBe(false);
  expect(data.summary).toContain('jeu complet non vérifié (train-images-idx3-ubyte : aucune empreinte connue');
  expect(data.summary).not.toContain('jeu officiel complet');
});

test('an unknown data set name is an error listing the allowed ones', async () => {
  await expect(loadDataset({ dataset: 'cifar' as never })).rejects.toThrow(
    /dataset doit être l’une des valeurs 'mnist', 'fashion-mnist', reçu "cifar"/,
  );
});
