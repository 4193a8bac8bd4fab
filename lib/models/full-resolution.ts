import * as tf from '@tensorflow/tfjs';
import { checkPositiveInteger, shown } from '../util/check';
import { noteLibraryCall } from '../util/provenance';
import { autoencoder, markReference } from './autoencoder';
import { Autoencoder, ImageShape, KERNEL_INITIALIZER } from './types';
import { validateOptions } from './validate';

export interface FullResolutionOptions {
  /** Image size (M, N); default [28, 28]. */
  imageShape?: ImageShape;
  /** Channels of every hidden layer (default 32). */
  filters?: number;
  /** Number of 3×3 convolutions, the last one included (default 7: each pixel sees a 15×15 neighbourhood). */
  depth?: number;
  name?: string;
}

/**
 * A denoiser without a bottleneck, beyond the TP: `depth` convolutions 3×3 of stride 1 with 'same'
 * padding, so that every layer keeps the image's full M×N resolution.
 *
 *   "encoder"  Conv F@3×3 + tanh, (depth − 2) × [Conv F@3×3 + tanh]   M×N×1 → M×N×F
 *   "decoder"  Conv 1@3×3 + sigmoid                                  M×N×F → M×N×1
 *
 * Its "code" holds F values per pixel (25,088 for F = 32 on 28×28 images), far more than the
 * image itself: nothing forces it through a summary, so it cannot lose what a 64-value code loses.
 * It would learn the identity on clean images; trained on noisy → clean pairs it learns to remove
 * noise, using what each pixel's neighbourhood says (strokes are smooth, the background is flat).
 *
 * tanh rather than ReLU: with ReLU this plain stack (no normalisation, no skip connection) sometimes
 * collapses in the first epoch to a constant image, its units all switched off; tanh units cannot die.
 * With the defaults: 320 + 5 × 9,248 + 289 = 46,849 parameters.
 */
export function buildFullResolutionDenoiser(options: FullResolutionOptions = {}): Autoencoder {
  noteLibraryCall('lab.buildFullResolutionDenoiser');
  if (typeof options !== 'object' || options === null)
    throw new Error(`les options sont un objet { imageShape, filters, depth, name }, reçu ${shown(options)}`);
  const { imageShape } = validateOptions({ imageShape: options.imageShape }, 'tanh');
  const filters = checkPositiveInteger('filters', options.filters ?? 32, 512);
  const depth = checkPositiveInteger('depth', options.depth ?? 7, 64);
  if (depth < 2) throw new Error(`depth doit valoir au moins 2 (une couche cachée et la couche de sortie), reçu ${depth}`);
  const [m, n] = imageShape;
  const hidden = (inputShape?: number[]) =>
    tf.layers.conv2d({ kernelInitializer: KERNEL_INITIALIZER, inputShape, filters, kernelSize: 3, padding: 'same', activation: 'tanh' });
  const encoder = tf.sequential({ name: 'encoder', layers: [hidden([m, n, 1]), ...Array.from({ length: depth - 2 }, () => hidden())] });
  const decoder = tf.sequential({
    name: 'decoder',
    layers: [
      tf.layers.conv2d({
        kernelInitializer: KERNEL_INITIALIZER,
        inputShape: [m, n, filters],
        filters: 1,
        kernelSize: 3,
        padding: 'same',
        activation: 'sigmoid',
      }),
    ],
  });
  const name = options.name ?? `Débruiteur pleine résolution (${depth} convolutions de ${filters} canaux)`;
  return markReference(autoencoder({ encoder, decoder, name }), 'lab.buildFullResolutionDenoiser');
}
