import * as tf from '@tensorflow/tfjs';
import { checkPositiveInteger, shown } from '../util/check';
import { builtByLibrary } from '../util/traces';
import { autoencoder } from './autoencoder';
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
 * Un débruiteur sans goulot, au-delà du TP : `depth` convolutions 3×3 de pas 1 avec le remplissage
 * 'same', si bien que chaque couche garde toute la résolution M×N de l'image.
 *
 *   « encodeur »  Conv F@3×3 + tanh, (depth − 2) × [Conv F@3×3 + tanh]   M×N×1 → M×N×F
 *   « décodeur »  Conv 1@3×3 + sigmoïde                                  M×N×F → M×N×1
 *
 * Son « code » garde F valeurs par pixel (25 088 pour F = 32 sur des images 28×28), bien plus que
 * l'image : rien ne l'oblige à résumer, il ne perd donc pas ce que perd un code de 64 valeurs. Sur des
 * images propres il apprendrait l'identité ; sur des paires bruitée → propre, il apprend à ôter le bruit
 * d'après le voisinage de chaque pixel (les traits sont lisses, le fond est uni).
 *
 * tanh plutôt que ReLU : avec ReLU, cet empilement simple (ni normalisation, ni connexion résiduelle)
 * s'effondre parfois dès la première époque sur une image constante, toutes ses unités éteintes ; une
 * unité tanh ne peut pas s'éteindre ainsi. Avec les valeurs par défaut : 320 + 5 × 9 248 + 289 = 46 849 paramètres.
 */
export function buildFullResolutionDenoiser(options: FullResolutionOptions = {}): Autoencoder {
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
  return builtByLibrary('lab.buildFullResolutionDenoiser', autoencoder({ encoder, decoder, name }));
}
