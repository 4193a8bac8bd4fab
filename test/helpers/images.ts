import { ImageSet } from '../../lib';
import { SeededRandom } from '../../lib/util/random';

/**
 * Made-up 28×28 images for the tests that need no MNIST, one kind for each need, all from this one
 * place: `pixel(image, y, x)` gives each pixel.
 */
export function syntheticImages(count: number, pixel: (image: number, y: number, x: number) => number): ImageSet {
  const pixels = new Float32Array(count * 784);
  for (let i = 0; i < count; i++) for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) pixels[i * 784 + y * 28 + x] = pixel(i, y, x);
  return { pixels, count, height: 28, width: 28 };
}

/** Every pixel `value` (out of [0, 1] too: the figures' clipping). */
export const uniformImages = (count: number, value: number): ImageSet => syntheticImages(count, () => value);

/** One smooth blob per image at a seeded place: easy to learn, so a few epochs show the loss going down. */
export function blobImages(count: number, seed = 0): ImageSet {
  const random = new SeededRandom(seed + 1);
  const centres = Array.from({ length: count }, () => [8 + 12 * random.next(), 8 + 12 * random.next()]);
  return syntheticImages(count, (i, y, x) => Math.exp(-((y - centres[i][0]) ** 2 + (x - centres[i][1]) ** 2) / 18));
}

/** Seeded noise, 70 % of it black, as MNIST's digits leave most pixels black. */
export function sparseImages(count: number, seed: number): ImageSet {
  const random = new SeededRandom(seed);
  return syntheticImages(count, () => (random.next() < 0.7 ? 0 : random.next()));
}

/** Vertical stripes, shifted from one image to the next. */
export const stripeImages = (count: number): ImageSet => syntheticImages(count, (i, _y, x) => ((x + (i % 7)) % 9 < 3 ? 1 : 0));
