import * as tf from '@tensorflow/tfjs';
import { builtByLibrary } from '../util/traces';
import { autoencoder } from './autoencoder';
import { Autoencoder, AutoencoderOptions, KERNEL_INITIALIZER, tfActivation } from './types';
import { validateOptions } from './validate';

/**
 * Dense n°1 (modèle de référence) : aplatissement → Linéaire(M·N → K, activation) | Linéaire(K → M·N) → sigmoïde → remise en forme (M, N).
 * Avec K = 64 sur des images 28×28 : 50 240 + 50 960 = 101 200 paramètres.
 */
export function buildDense1(options: AutoencoderOptions = {}): Autoencoder {
  const { imageShape, codeSize, activation } = validateOptions(options, 'none');
  const [m, n] = imageShape;
  const encoder = tf.sequential({
    name: 'encoder',
    layers: [
      tf.layers.flatten({ inputShape: [m, n, 1] }),
      tf.layers.dense({ kernelInitializer: KERNEL_INITIALIZER, units: codeSize, activation: tfActivation(activation) }),
    ],
  });
  const decoder = tf.sequential({
    name: 'decoder',
    layers: [
      tf.layers.dense({ kernelInitializer: KERNEL_INITIALIZER, inputShape: [codeSize], units: m * n, activation: 'sigmoid' }),
      tf.layers.reshape({ targetShape: [m, n, 1] }),
    ],
  });
  const name = options.name ?? `Dense n°1 (${activation === 'none' ? 'sans activation' : activation}, K=${codeSize})`;
  return builtByLibrary('lab.buildDense1', autoencoder({ encoder, decoder, name }));
}

/**
 * Dense n°2 (modèle de référence) : aplatissement → Linéaire(M·N → 128) → activation → Linéaire(128 → K)
 *          | activation → Linéaire(K → 128) → activation → Linéaire(128 → M·N) → sigmoïde → remise en forme.
 * Avec K = 64 sur des images 28×28 : 218 192 paramètres.
 */
export function buildDense2(options: AutoencoderOptions = {}): Autoencoder {
  const { imageShape, codeSize, activation } = validateOptions(options, 'relu');
  const [m, n] = imageShape;
  const hidden = 128;
  const act = () => tf.layers.activation({ activation: tfActivation(activation) });
  const encoder = tf.sequential({
    name: 'encoder',
    layers: [
      tf.layers.flatten({ inputShape: [m, n, 1] }),
      tf.layers.dense({ kernelInitializer: KERNEL_INITIALIZER, units: hidden }),
      act(),
      tf.layers.dense({ kernelInitializer: KERNEL_INITIALIZER, units: codeSize }),
    ],
  });
  const decoder = tf.sequential({
    name: 'decoder',
    layers: [
      tf.layers.activation({ inputShape: [codeSize], activation: tfActivation(activation) }),
      tf.layers.dense({ kernelInitializer: KERNEL_INITIALIZER, units: hidden }),
      act(),
      tf.layers.dense({ kernelInitializer: KERNEL_INITIALIZER, units: m * n }),
      tf.layers.activation({ activation: 'sigmoid' }),
      tf.layers.reshape({ targetShape: [m, n, 1] }),
    ],
  });
  const name = options.name ?? `Dense n°2 (${activation}, K=${codeSize})`;
  return builtByLibrary('lab.buildDense2', autoencoder({ encoder, decoder, name }));
}
