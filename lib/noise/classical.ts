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
export interface DenoisingPairs {
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
 * Les méthodes classiques auxquelles l'auto-encodeur est comparé, pour un bruit gaussien d'écart type
 * `sigma` : l'écrêtage à [0, 1], le flou gaussien du TP (σ = 1 pixel) et le filtre médian 3×3, la
 * variation totale et les moyennes non locales. Les deux dernières ont un réglage qui compte ; chacun
 * est choisi par le meilleur PSNR moyen sur des paires de validation, jamais sur les images de test :
 * - variation totale : son poids, parmi TV_WEIGHTS ;
 * - moyennes non locales : h = f·σ avec f parmi NL_MEANS_H_FACTORS, des fenêtres 3×3 cherchées à
 *   5 pixels au plus, le σ du bruit donné (le conseil de scikit-image pour les petites fenêtres).
 */
export function classicalDenoisers(sigma: number, validation: DenoisingPairs, options: ClassicalOptions = {}): ClassicalDenoiser[] {
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
