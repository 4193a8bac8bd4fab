import { ImageSet, Images, asImageSet } from './data/images';
import { PerImageMetrics, compareImageSets } from './metrics';
import { Autoencoder } from './models/types';
import { NamedMetrics } from './report';
import { reconstruct } from './train/predict';

/** Metrics of some images against the clean references, with the images themselves. */
export interface Evaluation extends NamedMetrics {
  images: ImageSet;
  perImage: PerImageMetrics;
}

/** Compares `candidate` images (a filter's output, the noisy inputs...) with `reference`. */
export function evaluateImages(name: string, reference: Images, candidate: Images): Evaluation {
  const images = asImageSet(candidate);
  const { perImage, mean } = compareImageSets(asImageSet(reference), images);
  return { name, metrics: mean, perImage, images };
}

/**
 * Runs the autoencoder on `inputs` and compares its outputs with `targets`
 * (the inputs themselves for reconstruction, the clean images for denoising).
 */
export async function evaluateAutoencoder(
  autoencoder: Autoencoder,
  inputs: Images,
  targets: Images = inputs,
  name = autoencoder.name,
): Promise<Evaluation> {
  return evaluateImages(name, targets, await reconstruct(autoencoder, asImageSet(inputs)));
}
