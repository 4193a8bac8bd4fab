import * as fs from 'fs';
import * as path from 'path';
import {
  CLASSICAL_METHODS,
  Evaluation,
  ImageSet,
  classicalDenoisers,
  denoisingSweep,
  imageAt,
  nlMeansDenoise,
  psnr,
  sweepVerdict,
  tvDenoise,
} from '../lib';
import { TV_WEIGHTS } from '../lib/noise/classical';
import { sweepTableMarkdown } from '../lib/denoising-sweep';
import { uniformImages } from './helpers/images';

// Made by scripts/make-denoise-fixtures.py with scikit-image (denoise_tv_chambolle, denoise_nl_means in fast mode).
interface Case {
  sigma: number;
  tvWeight: number;
  nlMeans: { h: number; sigma: number; patchSize: number; patchDistance: number };
  noisy: string;
  tvPsnr: number[];
  nlMeansPsnr: number[];
  tvFirst: string;
  nlMeansFirst: string;
}
interface Fixtures {
  height: number;
  width: number;
  clean: string;
  cases: Case[];
}
const fixtures: Fixtures = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'denoise.json'), 'utf8'));
const { height, width } = fixtures;

function float32s(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}
const cleanBytes = Buffer.from(fixtures.clean, 'base64');
const clean: ImageSet = {
  pixels: Float32Array.from(cleanBytes, (v) => v / 255),
  count: cleanBytes.length / (height * width),
  height,
  width,
};
const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;
const psnrs = (denoised: ImageSet) => Array.from({ length: clean.count }, (_, i) => psnr(imageAt(clean, i), imageAt(denoised, i)));
const maxError = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe.each(fixtures.cases.map((c) => [c.sigma, c] as const))('σ = %s: as scikit-image', (_, c) => {
  const noisy: ImageSet = { pixels: float32s(c.noisy), count: clean.count, height, width };

  test('total variation (Chambolle)', () => {
    const denoised = tvDenoise(noisy, { weight: c.tvWeight });
    const ours = psnrs(denoised);
    expect(Math.abs(mean(ours) - mean(c.tvPsnr))).toBeLessThan(0.1);
    ours.forEach((value, i) => expect(Math.abs(value - c.tvPsnr[i])).toBeLessThan(0.1));
    expect(maxError(imageAt(denoised, 0), float32s(c.tvFirst))).toBeLessThan(1e-3);
    // A real denoiser: better than the noisy input.
    expect(mean(ours)).toBeGreaterThan(mean(psnrs(noisy)) + 2);
  });

  test('non-local means (fast mode)', () => {
    const denoised = nlMeansDenoise(noisy, c.nlMeans);
    const ours = psnrs(denoised);
    expect(Math.abs(mean(ours) - mean(c.nlMeansPsnr))).toBeLessThan(0.1);
    ours.forEach((value, i) => expect(Math.abs(value - c.nlMeansPsnr[i])).toBeLessThan(0.1));
    // scikit-image weighs patches with a fast approximation of exp (within 4 %); this uses Math.exp.
    expect(maxError(imageAt(denoised, 0), float32s(c.nlMeansFirst))).toBeLessThan(0.02);
    expect(mean(ours)).toBeGreaterThan(mean(psnrs(noisy)) + 2);
  });
});

describe('bad arguments are named with what is allowed', () => {
  const one = uniformImages(1, 0.5);
  test.each([
    ['weight 0', () => tvDenoise(one, { weight: 0 }), /weight doit être un nombre dans .*strictement positif.*reçu 0/],
    ['negative weight', () => tvDenoise(one, { weight: -0.1 }), /weight .*reçu -0.1/],
    ['no options', () => tvDenoise(one, undefined as never), /tvDenoise attend des options \{ weight \}/],
    ['h 0', () => nlMeansDenoise(one, { h: 0 }), /h doit être un nombre .*strictement positif.*reçu 0/],
    ['even patch', () => nlMeansDenoise(one, { h: 0.1, patchSize: 4 }), /patchSize doit être impair.*reçu 4/],
    [
      'patch larger than the image',
      () => nlMeansDenoise(one, { h: 0.1, patchSize: 29 }),
      /patchSize doit être un entier de 1 à 28, reçu 29/,
    ],
    [
      'search beyond the image',
      () => nlMeansDenoise(one, { h: 0.1, patchDistance: 40 }),
      /patchDistance doit être un entier de 1 à 27, reçu 40/,
    ],
    ['negative sigma', () => nlMeansDenoise(one, { h: 0.1, sigma: -1 }), /sigma doit être un nombre dans \[0, 100\], reçu -1/],
    [
      'not images',
      () => nlMeansDenoise([1, 2] as never, { h: 0.1 }),
      /nlMeansDenoise : un tenseur \[n, M, N, 1\] ou un ImageSet est attendu/,
    ],
  ])('%s', (_, call, message) => expect(call).toThrow(message));
});

test('the input is left as it was', () => {
  const noisy: ImageSet = { pixels: float32s(fixtures.cases[0].noisy), count: clean.count, height, width };
  const before = Float32Array.from(noisy.pixels);
  tvDenoise(noisy, { weight: 0.1 });
  nlMeansDenoise(noisy, { h: 0.06, sigma: 0.1 });
  expect(noisy.pixels).toEqual(before);
});

describe('classical denoisers with parameters chosen on validation pairs', () => {
  const c = fixtures.cases[1]; // σ = 0.3
  const noisy: ImageSet = { pixels: float32s(c.noisy), count: clean.count, height, width };
  const validation = { noisy: { ...noisy, count: 12 }, clean: { ...clean, count: 12 } };
  const testPairs = {
    noisy: { ...noisy, pixels: noisy.pixels.subarray(12 * 784), count: 12 },
    clean: { ...clean, pixels: clean.pixels.subarray(12 * 784), count: 12 },
  };

  test('five methods, the chosen weight beating the other weights of the grid on validation', () => {
    const denoisers = classicalDenoisers(c.sigma, validation);
    expect(denoisers.map((d) => d.method)).toEqual(CLASSICAL_METHODS);
    const tv = denoisers[3];
    const weight = Number(/poids ([0-9,]+)/.exec(tv.name)?.[1].replace(',', '.'));
    expect(TV_WEIGHTS).toContain(weight);
    const score = (w: number) =>
      mean(
        Array.from({ length: 12 }, (_, i) => psnr(imageAt(validation.clean, i), imageAt(tvDenoise(validation.noisy, { weight: w }), i))),
      );
    for (const other of TV_WEIGHTS) expect(score(weight)).toBeGreaterThanOrEqual(score(other) - 1e-9);
    expect(denoisers[4].name).toMatch(/^moyennes non locales \(h = [0-9,]+\)$/);
    // Every method improves on the noisy test images at σ = 0.3.
    const noisyPsnr = mean(Array.from({ length: 12 }, (_, i) => psnr(imageAt(testPairs.clean, i), imageAt(testPairs.noisy, i))));
    for (const denoiser of denoisers) {
      const out = denoiser.denoise(testPairs.noisy);
      expect(mean(Array.from({ length: 12 }, (_, i) => psnr(imageAt(testPairs.clean, i), imageAt(out, i))))).toBeGreaterThan(noisyPsnr);
    }
  });

  test('bad arguments', () => {
    expect(() => classicalDenoisers(0, validation)).toThrow(/sigma doit être un nombre dans \[0.001, 10\] \(écart-type du bruit\), reçu 0/);
    expect(() => classicalDenoisers(0.3, undefined as never)).toThrow(/paires de validation \{ noisy, clean \}/);
    expect(() => classicalDenoisers(0.3, { noisy: validation.noisy, clean: { ...clean, count: 5 } })).toThrow(
      /12 images bruitées pour 5 images propres/,
    );
  });
});

describe('noise-level sweep', () => {
  const evaluation = (name: string, value: number) => ({ name, metrics: { mse: 0, psnr: value, ssim: 0 } }) as unknown as Evaluation;
  const sweep = denoisingSweep(
    [0.1, 0.5],
    [
      [evaluation('A', 20), evaluation('B', 25), evaluation('C', 24)],
      [evaluation('A', 18), evaluation('B', 12), evaluation('C', 15)],
    ],
  );

  test('rows by method, best of each σ in bold', () => {
    expect(sweep.rows).toEqual([
      { name: 'A', psnr: [20, 18] },
      { name: 'B', psnr: [25, 12] },
      { name: 'C', psnr: [24, 15] },
    ]);
    expect(sweepTableMarkdown(sweep)).toContain('| B | **25,0** | 12,0 |');
    expect(sweepTableMarkdown(sweep)).toContain('| A | 20,0 | **18,0** |');
  });

  test('verdict: where the candidate wins and loses against the best rival, with the margin', () => {
    expect(sweepVerdict(sweep, 'A', ['B', 'C'])).toBe(
      'A bat le meilleur de ses concurrents pour σ = 0,5 (+3,0 dB sur C), mais perd pour σ = 0,1 (−5,0 dB face à B).',
    );
    expect(sweepVerdict(sweep, 'B', ['C'])).toMatch(/^B bat .* pour σ = 0,1 .* mais perd pour σ = 0,5 \(−3,0 dB face à C\)/);
    expect(() => sweepVerdict(sweep, 'D', ['B'])).toThrow(/pas de ligne « D » ; lignes : « A », « B », « C »/);
  });

  test('a method missing at one σ is named', () => {
    expect(() => denoisingSweep([0.1, 0.5], [[evaluation('A', 1), evaluation('B', 2)], [evaluation('A', 1)]])).toThrow(
      /« B » n'est pas évalué pour σ = 0,5/,
    );
    expect(() => denoisingSweep([0.1], [])).toThrow(/1 valeurs de σ mais 0 séries/);
  });
});

test('the verdict sentence starts with a capital', () => {
  const evaluation = (name: string, value: number) => ({ name, metrics: { mse: 0, psnr: value, ssim: 0 } }) as unknown as Evaluation;
  const sweep = denoisingSweep([0.3], [[evaluation('débruiteur', 20), evaluation('flou', 15)]]);
  expect(sweepVerdict(sweep, 'débruiteur', ['flou'])).toBe(
    'Débruiteur bat le meilleur de ses concurrents à chaque niveau de bruit : σ = 0,3 (+5,0 dB sur flou).',
  );
});
