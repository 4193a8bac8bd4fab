import { ImageSet, addGaussianNoise } from '../lib';

const clean: ImageSet = { pixels: new Float32Array(200 * 784).fill(0.5), count: 200, height: 28, width: 28 };

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
  expect(() => addGaussianNoise(clean, {})).toThrow(/exactly one of `variance` and `std`/);
  expect(() => addGaussianNoise(clean, { variance: -1 })).toThrow(/variance doit être un nombre dans \[0, 10000\], reçu -1/);
});
