import { ImageSet, Images, asImageSet } from '../data/images';
import { gaussianKernel } from '../metrics';
import { checkNumberInRange } from '../util/check';
import { mapImages, mirrorIndex } from './per-image';

/** The images with every value brought back into [0, 1] (the simplest "denoiser": pixels are known to lie there). */
export function clipImages(input: Images): ImageSet {
  const images = asImageSet(input);
  return { ...images, pixels: images.pixels.map((v) => Math.min(1, Math.max(0, v))) };
}

/**
 * Flou gaussien d'écart type `sigma`, fenêtre de rayon round(4σ), bords en miroir (comme scipy.ndimage.gaussian_filter).
 */
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
        for (let t = -radius; t <= radius; t++) s += taps[t + radius] * image[y * width + mirrorIndex(x + t, width)];
        rows[y * width + x] = s;
      }
    }
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let s = 0;
        for (let t = -radius; t <= radius; t++) s += taps[t + radius] * rows[mirrorIndex(y + t, height) * width + x];
        out[y * width + x] = s;
      }
    }
  });
}

/** Filtre médian 3×3, bords en miroir (comme scipy.ndimage.median_filter(size=3)). */
export function medianFilter3x3(input: Images): ImageSet {
  const images = asImageSet(input);
  const { height, width } = images;
  const window = new Float32Array(9);
  return mapImages(images, (image, out) => {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let k = 0;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) window[k++] = image[mirrorIndex(y + dy, height) * width + mirrorIndex(x + dx, width)];
        }
        window.sort();
        out[y * width + x] = window[4];
      }
    }
  });
}
