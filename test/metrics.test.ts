import fs from 'node:fs';
import path from 'node:path';
import { ImageSet, gaussianBlur, medianFilter3x3, mse, psnr, ssim } from '../lib';
import { compareImageSets } from '../lib/metrics';

interface Fixtures {
  height: number;
  width: number;
  ssim: { kind: string; a: number[]; b: number[]; ssim: number }[];
  filters: { input: number[]; gaussianSigma1: number[]; median3x3: number[] };
}

// Made by scripts/make-metric-fixtures.py with scikit-image and SciPy.
const fixtures: Fixtures = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'metrics.json'), 'utf8'));
const { height, width } = fixtures;

function oneImage(pixels: number[]): ImageSet {
  return { pixels: Float32Array.from(pixels), count: 1, height, width };
}

describe("SSIM matches scikit-image's structural_similarity (Gaussian window, σ = 1.5)", () => {
  test.each(fixtures.ssim.map((c, i) => [`${i}: ${c.kind}`, c] as const))('%s', (_, c) => {
    expect(Math.abs(ssim(Float32Array.from(c.a), Float32Array.from(c.b), height, width) - c.ssim)).toBeLessThan(1e-4);
  });

  test('the fixtures span dissimilar to identical pairs', () => {
    const values = fixtures.ssim.map((c) => c.ssim);
    expect(Math.min(...values)).toBeLessThan(0.2);
    expect(Math.max(...values)).toBeCloseTo(1, 6);
  });
});

test('MSE and PSNR on a known difference', () => {
  const a = new Float32Array(100).fill(0.5);
  const b = a.map((v, i) => (i < 50 ? v + 0.1 : v - 0.1));
  expect(mse(a, b)).toBeCloseTo(0.01, 6);
  expect(psnr(a, b)).toBeCloseTo(20, 4);
  expect(() => mse(a, new Float32Array(3))).toThrow(/images of 100 and 3 pixels cannot be compared/);
});

test('compareImageSets gives per-image values and their means', () => {
  const [c0, c1] = fixtures.ssim;
  const reference: ImageSet = { pixels: Float32Array.from([...c0.a, ...c1.a]), count: 2, height, width };
  const candidate: ImageSet = { pixels: Float32Array.from([...c0.b, ...c1.b]), count: 2, height, width };
  const { perImage, mean } = compareImageSets(reference, candidate);
  expect(perImage.ssim[0]).toBeCloseTo(c0.ssim, 4);
  expect(perImage.ssim[1]).toBeCloseTo(c1.ssim, 4);
  expect(mean.ssim).toBeCloseTo((c0.ssim + c1.ssim) / 2, 4);
  expect(mean.mse).toBeCloseTo((perImage.mse[0] + perImage.mse[1]) / 2, 10);
  expect(mean.count).toBe(2);
  expect(() => compareImageSets(reference, { ...candidate, count: 1 })).toThrow(/cannot compare 2 images/);
});

test('Gaussian blur and 3×3 median match SciPy (mirrored borders)', () => {
  const input = oneImage(fixtures.filters.input);
  const blurred = gaussianBlur(input, 1).pixels;
  const median = medianFilter3x3(input).pixels;
  const maxError = (a: Float32Array, b: number[]) => Math.max(...b.map((v, i) => Math.abs(v - a[i])));
  expect(maxError(blurred, fixtures.filters.gaussianSigma1)).toBeLessThan(1e-5);
  expect(maxError(median, fixtures.filters.median3x3)).toBeLessThan(1e-6);
});
