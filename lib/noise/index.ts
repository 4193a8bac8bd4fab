import { ImageSet, Images, asImageSet, imageAt } from '../data/images';
import { markMadeBy, noteLibraryCall } from '../util/provenance';
import { SeededRandom } from '../util/random';
import { checkNumberInRange } from '../util/check';
import { gaussianKernel } from '../metrics';

export interface NoiseOptions {
  /** Variance σ² of the noise (the TP's parameter); give this or `std`. */
  variance?: number;
  /** Standard deviation σ of the noise. */
  std?: number;
  seed?: number;
  /** Clip the noisy images to [0, 1] (default false: x = y + n exactly). */
  clip?: boolean;
}

/** x = y + n with n ~ N(0, σ²) drawn independently for every pixel, from a seeded generator. */
export function addGaussianNoise(clean: Images, options: NoiseOptions): ImageSet {
  noteLibraryCall('lab.addGaussianNoise');
  const images = asImageSet(clean);
  if ((options.variance === undefined) === (options.std === undefined)) {
    throw new Error('addGaussianNoise needs exactly one of `variance` and `std`');
  }
  const std = options.std !== undefined
    ? checkNumberInRange('std', options.std, 0, 100)
    : Math.sqrt(checkNumberInRange('variance', options.variance, 0, 10000));
  const random = new SeededRandom(options.seed ?? 0);
  const pixels = new Float32Array(images.pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    const value = images.pixels[i] + std * random.normal();
    pixels[i] = options.clip ? Math.min(1, Math.max(0, value)) : value;
  }
  return markMadeBy({ ...images, pixels: markMadeBy(pixels, 'lab.addGaussianNoise') }, 'lab.addGaussianNoise');
}

/** Index into [0, size) after mirror reflection at the borders (d c b a | a b c d | d c b a). */
function reflect(index: number, size: number): number {
  const period = 2 * size;
  let i = ((index % period) + period) % period;
  if (i >= size) i = period - 1 - i;
  return i;
}

function mapImages(images: ImageSet, filter: (image: Float32Array, out: Float32Array) => void): ImageSet {
  const pixels = new Float32Array(images.pixels.length);
  const size = images.height * images.width;
  for (let i = 0; i < images.count; i++) filter(imageAt(images, i), pixels.subarray(i * size, (i + 1) * size));
  return { ...images, pixels };
}

/** Gaussian blur of standard deviation `sigma`, window radius round(4σ), mirrored borders (as scipy.ndimage.gaussian_filter). */
export function gaussianBlur(input: Images, sigma = 1): ImageSet {
  checkNumberInRange('sigma', sigma, 0.1, 10);
  const images = asImageSet(input);
  const taps = gaussianKernel(sigma, 4);
  const radius = (taps.length - 1) / 2;
  const { height, width } = images;
  const rows = new Float64Array(height * width);
  return mapImages(images, (image, out) => {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let s = 0;
        for (let t = -radius; t <= radius; t++) s += taps[t + radius] * image[y * width + reflect(x + t, width)];
        rows[y * width + x] = s;
      }
    }
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let s = 0;
        for (let t = -radius; t <= radius; t++) s += taps[t + radius] * rows[reflect(y + t, height) * width + x];
        out[y * width + x] = s;
      }
    }
  });
}

/** 3×3 median filter with mirrored borders (as scipy.ndimage.median_filter(size=3)). */
export function medianFilter3x3(input: Images): ImageSet {
  const images = asImageSet(input);
  const { height, width } = images;
  const window = new Float32Array(9);
  return mapImages(images, (image, out) => {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let k = 0;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) window[k++] = image[reflect(y + dy, height) * width + reflect(x + dx, width)];
        }
        window.sort();
        out[y * width + x] = window[4];
      }
    }
  });
}
