import { Images, asImageSet, ImageSet } from '../data/images';
import { checkNumberInRange, checkPositiveInteger } from '../util/check';
import { mapImages, reflectIndex } from './per-image';

export interface NlMeansOptions {
  /** Cut-off of the patch distance, in grey levels: the larger, the more patches are averaged. Must be > 0. */
  h: number;
  /** Standard deviation of the noise, when known: 2σ² is taken off each squared difference (default 0). */
  sigma?: number;
  /** Side of the square patches compared, odd (default 3). */
  patchSize?: number;
  /** Patches are searched up to this many pixels away in each direction (default 5). */
  patchDistance?: number;
}

/** Weights below exp(−5) are dropped, as scikit-image does. */
const DISTANCE_CUTOFF = 5;

/**
 * Non-local means (Buades, Coll and Morel, 2005): each pixel becomes a weighted mean of the pixels
 * whose surrounding patch looks like its own, within `patchDistance`; the weight of a patch at
 * mean squared distance D is exp(−max(D − 2σ², 0) / h²). Unlike a blur, it averages along strokes
 * rather than across them.
 *
 * This is scikit-image's `denoise_nl_means(fast_mode=True)` for one-channel images: the loops run
 * over shifts rather than pixels, and the patch distances of one shift are read from an integral
 * image of squared differences (Darbon et al. 2008; Froment 2014). The image is first padded by
 * reflection, and the padding is denoised with it, as there.
 */
export function nlMeansDenoise(input: Images, options: NlMeansOptions): ImageSet {
  if (typeof options !== 'object' || options === null)
    throw new Error('nlMeansDenoise attend des options { h, sigma, patchSize, patchDistance } (h > 0)');
  const images = asImageSet(input, 'nlMeansDenoise');
  const { height, width } = images;
  const h = checkNumberInRange('h', options.h, Number.MIN_VALUE, 100, ' (strictement positif)');
  const sigma = checkNumberInRange('sigma', options.sigma ?? 0, 0, 100);
  const smallestSide = Math.min(height, width);
  const patchSize = checkPositiveInteger('patchSize', options.patchSize ?? 3, smallestSide);
  if (patchSize % 2 === 0)
    throw new Error(`patchSize doit être impair (un pixel au centre du motif), par exemple 3, 5 ou 7 ; reçu ${patchSize}`);
  const patchDistance = checkPositiveInteger('patchDistance', options.patchDistance ?? 5, smallestSide - 1);

  const offset = (patchSize - 1) / 2;
  const pad = offset + patchDistance + 1;
  const rows = height + 2 * pad;
  const cols = width + 2 * pad;
  const padded = new Float64Array(rows * cols);
  const integral = new Float64Array(rows * cols);
  const weights = new Float64Array(rows * cols);
  const sums = new Float64Array(rows * cols);
  const twiceVariance = 2 * sigma * sigma;
  /** A patch sum over h² × the patch's area: the distance that the weight exp(−distance) takes. */
  const scale = h * h * patchSize * patchSize;

  return mapImages(images, (image, out) => {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) padded[r * cols + c] = image[reflectIndex(r - pad, height) * width + reflectIndex(c - pad, width)];
    }
    weights.fill(0);
    sums.fill(0);
    // Shifts (dr, dc) with dc ≥ 0: each pair of patches is met once and counts for both pixels.
    for (let dr = -patchDistance; dr <= patchDistance; dr++) {
      for (let dc = 0; dc <= patchDistance; dc++) {
        const shift = dr * cols + dc;
        // A vertical shift is met twice (as dr and −dr), and the null shift adds its weight twice
        // to the same pixel, so each counts half.
        const share = dc === 0 ? 0.5 : 1;
        integral.fill(0);
        for (let r = Math.max(1, -dr); r < Math.min(rows, rows - dr); r++) {
          for (let c = Math.max(1, -dc); c < Math.min(cols, cols - dc); c++) {
            const i = r * cols + c;
            const difference = padded[i] - padded[i + shift];
            integral[i] = difference * difference - twiceVariance + integral[i - cols] + integral[i - 1] - integral[i - cols - 1];
          }
        }
        for (let r = Math.max(offset, offset - dr); r < Math.min(rows - offset, rows - offset - dr); r++) {
          for (let c = Math.max(offset, offset - dc); c < Math.min(cols - offset, cols - offset - dc); c++) {
            const below = (r + offset) * cols;
            const above = (r - offset) * cols;
            const patchSum =
              integral[below + c + offset] + integral[above + c - offset] - integral[above + c + offset] - integral[below + c - offset];
            const distance = Math.max(patchSum, 0) / scale;
            if (distance > DISTANCE_CUTOFF) continue;
            const weight = share * Math.exp(-distance);
            const i = r * cols + c;
            weights[i] += weight;
            weights[i + shift] += weight;
            sums[i] += weight * padded[i + shift];
            sums[i + shift] += weight * padded[i];
          }
        }
      }
    }
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) {
        const i = (r + pad) * cols + c + pad;
        out[r * width + c] = sums[i] / weights[i];
      }
    }
  });
}
