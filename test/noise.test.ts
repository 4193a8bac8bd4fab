import { addGaussianNoise } from '../lib';
import { uniformImages } from './helpers/images';

const clean = uniformImages(200, 0.5);

test('x = y + n with n of mean 0 and the chosen variance', () => {
  const noisy = addGaussianNoise(clean, { variance: 0.25, seed: 1 });
  const n = noisy.pixels.map((v, i) => v - clean.pixels[i]);
  const mean = n.reduce((s, v) => s + v, 0) / n.length;
  const variance = n.reduce((s, v) => s + (v - mean) ** 2, 0) / n.length;
  expect(Math.abs(mean)).toBeLessThan(0.005);
  expect(variance).toBeGreaterThan(0.245);
  expect(variance).toBeLessThan(0.255);
  // Not clipped by default: values leave [0, 1].
  expect(noisy.pixels.some((v) => v < 0)).toBe(true);
  expect(noisy.pixels.some((v) => v > 1)).toBe(true);
});

test('seeded: the same seed gives the same noise, another seed other noise', () => {
  const a = addGaussianNoise(clean, { std: 0.3, seed: 42 });
  const b = addGaussianNoise(clean, { std: 0.3, seed: 42 });
  const c = addGaussianNoise(clean, { std: 0.3, seed: 43 });
  expect(Array.from(a.pixels.subarray(0, 100))).toEqual(Array.from(b.pixels.subarray(0, 100)));
  expect(Array.from(a.pixels.subarray(0, 100))).not.toEqual(Array.from(c.pixels.subarray(0, 100)));
});

test('optional clipping to [0, 1]', () => {
  const clipped = addGaussianNoise(clean, { std: 0.5, clip: true });
  expect(clipped.pixels.reduce((m, v) => Math.min(m, v), Infinity)).toBe(0);
  expect(clipped.pixels.reduce((m, v) => Math.max(m, v), -Infinity)).toBe(1);
});

test('bad noise parameters are named', () => {
  expect(() => addGaussianNoise(clean, {})).toThrow(/exactement une des options variance, std ou stdRange/);
  expect(() => addGaussianNoise(clean, { std: 0.1, stdRange: [0.1, 1] })).toThrow(/exactement une des options/);
  expect(() => addGaussianNoise(clean, { stdRange: [0.5, 0.1] })).toThrow(
    /stdRange\[1\] doit être un nombre dans \[0.5, 100\] \(au moins stdRange\[0\]\), reçu 0.1/,
  );
  expect(() => addGaussianNoise(clean, { stdRange: 0.3 as never })).toThrow(/stdRange doit être \[min, max\], reçu 0.3/);
  expect(() => addGaussianNoise(clean, { variance: -1 })).toThrow(/variance doit être un nombre dans \[0, 10000\], reçu -1/);
});

test('stdRange: each image its own σ, log-uniform in [min, max]', () => {
  const noisy = addGaussianNoise(clean, { stdRange: [0.05, 1.2], seed: 3 });
  const stds = Array.from({ length: clean.count }, (_, i) => {
    const n = noisy.pixels.subarray(i * 784, (i + 1) * 784).map((v) => v - 0.5);
    return Math.sqrt(n.reduce((s, v) => s + v * v, 0) / n.length);
  });
  expect(Math.min(...stds)).toBeGreaterThan(0.04);
  expect(Math.max(...stds)).toBeLessThan(1.3);
  // Log-uniform: about as many images below √(0.05·1.2) ≈ 0.245 as above.
  const below = stds.filter((s) => s < Math.sqrt(0.05 * 1.2)).length;
  expect(below).toBeGreaterThan(70);
  expect(below).toBeLessThan(130);
});
