import { ImageSet, Images, asImageSet } from './data/images';
import { PerImageMetrics, compareImageSets } from './metrics';
import { Autoencoder } from './models/types';
import { NamedMetrics } from './report';
import { reconstruct } from './train/predict';

/** Les mesures (MSE, PSNR, SSIM) d'images comparées à leurs références propres, avec les images elles-mêmes. */
export interface Evaluation extends NamedMetrics {
  images: ImageSet;
  perImage: PerImageMetrics;
}

/** Compare des images `candidate` (la sortie d'un filtre, les entrées bruitées…) avec `reference`. */
export function evaluateImages(name: string, reference: Images, candidate: Images): Evaluation {
  const images = asImageSet(candidate);
  const { perImage, mean } = compareImageSets(asImageSet(reference), images);
  return { name, metrics: mean, perImage, images };
}

/**
 * Passe `inputs` dans l'auto-encodeur et compare ses sorties avec `targets` (les entrées elles-mêmes
 * pour la reconstruction, les images propres pour le débruitage).
 */
export async function evaluateAutoencoder(
  autoencoder: Autoencoder,
  inputs: Images,
  targets: Images = inputs,
  name = autoencoder.name,
): Promise<Evaluation> {
  return evaluateImages(name, targets, await reconstruct(autoencoder, asImageSet(inputs)));
}
