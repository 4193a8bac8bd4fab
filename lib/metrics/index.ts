import { ImageSet, Images, asImageSet, imageAt } from '../data/images';
import { noteLibraryCall } from '../util/traces';

/** Mean squared error between two images of the same size. */
export function mse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`mse: images of ${a.length} and ${b.length} pixels cannot be compared`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    sum += d * d;
  }
  return sum / a.length;
}

/** Peak signal-to-noise ratio in dB, for pixel values spanning `dataRange` (1 for images in [0, 1]). */
export function psnr(a: ArrayLike<number>, b: ArrayLike<number>, dataRange = 1): number {
  return 10 * Math.log10((dataRange * dataRange) / mse(a, b));
}

export interface SsimOptions {
  /** Standard deviation of the Gaussian window (default 1.5). */
  sigma?: number;
  /** Pixel value range (default 1). */
  dataRange?: number;
  k1?: number;
  k2?: number;
}

/** Normalised Gaussian taps over [-radius, radius]; radius = round(3.5 σ), i.e. 5 (window 11) for σ = 1.5. */
export function gaussianKernel(sigma: number, truncate = 3.5): Float64Array {
  const radius = Math.floor(truncate * sigma + 0.5);
  const taps = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    taps[i + radius] = Math.exp((-0.5 * i * i) / (sigma * sigma));
    sum += taps[i + radius];
  }
  for (let i = 0; i < taps.length; i++) taps[i] /= sum;
  return taps;
}

/** Separable Gaussian filter keeping only the positions where the window fits ('valid'). */
function filterValid(image: Float64Array, height: number, width: number, taps: Float64Array): Float64Array {
  const k = taps.length;
  const outH = height - k + 1;
  const outW = width - k + 1;
  const rows = new Float64Array(height * outW);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < outW; x++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += taps[t] * image[y * width + x + t];
      rows[y * outW + x] = s;
    }
  }
  const out = new Float64Array(outH * outW);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += taps[t] * rows[(y + t) * outW + x];
      out[y * outW + x] = s;
    }
  }
  return out;
}

/**
 * Structural similarity (Wang et al. 2004) with a Gaussian window: σ = 1.5 (11 taps),
 * K1 = 0.01, K2 = 0.03, population covariances, averaged over the positions where the
 * whole window fits, like scikit-image's structural_similarity(gaussian_weights=True,
 * sigma=1.5, use_sample_covariance=False).
 */
export function ssim(a: ArrayLike<number>, b: ArrayLike<number>, height: number, width: number, options: SsimOptions = {}): number {
  const sigma = options.sigma ?? 1.5;
  const range = options.dataRange ?? 1;
  const c1 = ((options.k1 ?? 0.01) * range) ** 2;
  const c2 = ((options.k2 ?? 0.03) * range) ** 2;
  const taps = gaussianKernel(sigma);
  if (a.length !== height * width || b.length !== height * width) {
    throw new Error(`ssim: both images must have ${height}×${width} = ${height * width} pixels, got ${a.length} and ${b.length}`);
  }
  if (height < taps.length || width < taps.length) {
    throw new Error(`ssim: images of ${height}×${width} are smaller than the ${taps.length}×${taps.length} window`);
  }
  const n = height * width;
  const x = Float64Array.from(a);
  const y = Float64Array.from(b);
  const xx = new Float64Array(n);
  const yy = new Float64Array(n);
  const xy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xx[i] = x[i] * x[i];
    yy[i] = y[i] * y[i];
    xy[i] = x[i] * y[i];
  }
  const [ux, uy, uxx, uyy, uxy] = [x, y, xx, yy, xy].map((m) => filterValid(m, height, width, taps));
  let total = 0;
  for (let i = 0; i < ux.length; i++) {
    const vx = uxx[i] - ux[i] * ux[i];
    const vy = uyy[i] - uy[i] * uy[i];
    const vxy = uxy[i] - ux[i] * uy[i];
    total += ((2 * ux[i] * uy[i] + c1) * (2 * vxy + c2)) / ((ux[i] * ux[i] + uy[i] * uy[i] + c1) * (vx + vy + c2));
  }
  return total / ux.length;
}

export interface PerImageMetrics {
  mse: Float64Array;
  psnr: Float64Array;
  ssim: Float64Array;
}

/** Metrics averaged over a set of images. */
export interface MetricSummary {
  mse: number;
  psnr: number;
  ssim: number;
  count: number;
}

export const METRIC_NAMES = ['mse', 'psnr', 'ssim'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** MSE, PSNR and SSIM of each candidate image against its reference, and their means. */
export function compareImageSets(reference: ImageSet, candidate: ImageSet): { perImage: PerImageMetrics; mean: MetricSummary } {
  if (reference.count !== candidate.count || reference.height !== candidate.height || reference.width !== candidate.width) {
    throw new Error(
      `cannot compare ${reference.count} images of ${reference.height}×${reference.width} ` +
        `with ${candidate.count} images of ${candidate.height}×${candidate.width}`,
    );
  }
  const count = reference.count;
  const perImage: PerImageMetrics = { mse: new Float64Array(count), psnr: new Float64Array(count), ssim: new Float64Array(count) };
  for (let i = 0; i < count; i++) {
    const a = imageAt(reference, i);
    const b = imageAt(candidate, i);
    perImage.mse[i] = mse(a, b);
    perImage.psnr[i] = 10 * Math.log10(1 / perImage.mse[i]); // psnr(a, b), without computing the MSE again
    perImage.ssim[i] = ssim(a, b, reference.height, reference.width);
  }
  const mean = (values: Float64Array) => values.reduce((s, v) => s + v, 0) / Math.max(count, 1);
  return { perImage, mean: { mse: mean(perImage.mse), psnr: mean(perImage.psnr), ssim: mean(perImage.ssim), count } };
}

/** The mean PSNR of candidate images against their references, image by image (no SSIM: for searches that only need it). */
export function meanPsnr(reference: ImageSet, candidate: ImageSet): number {
  if (reference.count !== candidate.count) throw new Error(`meanPsnr: ${reference.count} references but ${candidate.count} candidates`);
  let sum = 0;
  for (let i = 0; i < reference.count; i++) sum += psnr(imageAt(reference, i), imageAt(candidate, i));
  return sum / Math.max(reference.count, 1);
}

/**
 * La MSE, le PSNR et le SSIM moyens d'images candidates face à leurs références (tenseurs [n, M, N, 1]
 * ou ImageSet), chacun calculé image par image.
 */
export function compareImages(reference: Images, candidate: Images): MetricSummary {
  noteLibraryCall('lab.compareImages');
  return compareImageSets(asImageSet(reference, 'références'), asImageSet(candidate, 'images comparées')).mean;
}
