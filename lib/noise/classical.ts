import { ImageSet, Images, asImageSet, firstImages } from '../data/images';
import { meanPsnr } from '../metrics';
import { checkNumberInRange, checkPositiveInteger } from '../util/check';
import { refuseInStoppedCell } from '../util/stopped-cell';
import { shortDecimal } from '../util/french';
import { clipImages, gaussianBlur, medianFilter3x3 } from './filters';
import { nlMeansDenoise } from './nl-means';
import { tvDenoise } from './total-variation';

/** A classical denoiser with its parameters fixed, ready to run on any images. */
export interface ClassicalDenoiser {
  /** The method, e.g. « variation totale »: the same name at every noise level. */
  method: string;
  /** The method with its chosen parameters, e.g. « variation totale (poids 0,2) ». */
  name: string;
  denoise(images: Images): ImageSet;
}

/** Noisy images and the clean images they come from, to choose parameters on. */
export interface ValidationPairs {
  noisy: Images;
  clean: Images;
}

export interface ClassicalOptions {
  /** How many validation pairs the parameter search uses (default 200, the first ones). */
  tuningImages?: number;
}

/** The classical methods' names, as `method` gives them. */
export const CLASSICAL_METHODS = [
  'entrée ramenée dans [0, 1]',
  'flou gaussien (σ = 1)',
  'filtre médian 3×3',
  'variation totale',
  'moyennes non locales',
];

/** Total-variation weights tried: a geometric grid from 0.02 to 3 (σ = 1 picks 2). */
export const TV_WEIGHTS = [0.02, 0.03, 0.05, 0.08, 0.12, 0.18, 0.27, 0.4, 0.6, 0.9, 1.35, 2, 3];
/** Non-local means cut-offs tried, as multiples of the noise's σ. */
export const NL_MEANS_H_FACTORS = [0.4, 0.6, 0.8, 1, 1.2, 1.5];

/** The candidate whose denoiser gives the best mean PSNR on the pairs. */
function bestOf<T>(
  candidates: readonly T[],
  pairs: { noisy: ImageSet; clean: ImageSet },
  denoiser: (candidate: T) => (images: ImageSet) => ImageSet,
): T {
  const scores = candidates.map((candidate) => meanPsnr(pairs.clean, denoiser(candidate)(pairs.noisy)));
  return candidates[scores.indexOf(Math.max(...scores))];
}

/**
 * The classical methods the autoencoder is compared with, for Gaussian noise of standard deviation
 * `sigma`: clipping to [0, 1], the TP's Gaussian blur (σ = 1 pixel) and 3×3 median, total variation
 * and non-local means. The last two have a parameter that matters; each is chosen by the best mean
 * PSNR on validation pairs, never on the test images:
 * - total variation: its weight, among TV_WEIGHTS;
 * - non-local means: h = f·σ with f among NL_MEANS_H_FACTORS, 3×3 patches searched 5 pixels away,
 *   the noise's σ given (scikit-image's advice for small patches).
 */
export function classicalDenoisers(sigma: number, validation: ValidationPairs, options: ClassicalOptions = {}): ClassicalDenoiser[] {
  refuseInStoppedCell('le réglage des débruiteurs classiques');
  checkNumberInRange('sigma', sigma, 1e-3, 10, ' (écart-type du bruit)');
  if (typeof validation !== 'object' || validation === null) {
    throw new Error('classicalDenoisers attend des paires de validation { noisy, clean } pour choisir les paramètres');
  }
  const count = checkPositiveInteger('tuningImages', options.tuningImages ?? 200);
  const pairs = {
    noisy: firstImages(asImageSet(validation.noisy, 'validation (noisy)'), count),
    clean: firstImages(asImageSet(validation.clean, 'validation (clean)'), count),
  };
  if (pairs.noisy.count !== pairs.clean.count) {
    throw new Error(
      `classicalDenoisers : ${pairs.noisy.count} images bruitées pour ${pairs.clean.count} images propres ; il faut des paires`,
    );
  }
  const weight = bestOf(TV_WEIGHTS, pairs, (w) => (images) => tvDenoise(images, { weight: w }));
  const factor = bestOf(NL_MEANS_H_FACTORS, pairs, (f) => (images) => nlMeansDenoise(images, { h: f * sigma, sigma }));
  const h = factor * sigma;
  return [
    { method: 'entrée ramenée dans [0, 1]', name: 'entrée ramenée dans [0, 1]', denoise: clipImages },
    { method: 'flou gaussien (σ = 1)', name: 'flou gaussien (σ = 1)', denoise: (images) => gaussianBlur(images, 1) },
    { method: 'filtre médian 3×3', name: 'filtre médian 3×3', denoise: medianFilter3x3 },
    {
      method: 'variation totale',
      name: `variation totale (poids ${shortDecimal(weight, 2)})`,
      denoise: (images) => tvDenoise(images, { weight }),
    },
    {
      method: 'moyennes non locales',
      name: `moyennes non locales (h = ${shortDecimal(h, 3)})`,
      denoise: (images) => nlMeansDenoise(images, { h, sigma }),
    },
  ];
}
