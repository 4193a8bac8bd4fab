import * as tf from '@tensorflow/tfjs';
import { builtByLibrary } from '../util/traces';
import { autoencoder } from './autoencoder';
import { Autoencoder, AutoencoderOptions, KERNEL_INITIALIZER, tfActivation } from './types';
import { validateOptions } from './validate';

/**
 * L'auto-encodeur convolutif du TP (modèle de référence), lu ainsi (voir README, « Lire le tableau du TP ») :
 *
 *   encodeur  Conv 16@3×3 pas 2 + act           M×N×1      → M/2×N/2×16
 *             Conv 32@3×3 pas 2 + act           M/2×N/2×16 → M/4×N/4×32
 *             Conv K@(M/4×N/4), sans activation M/4×N/4×32 → 1×1×K        (7×7 pour MNIST)
 *   décodeur  ConvT 32@(M/4×N/4) + act          1×1×K      → M/4×N/4×32
 *             ConvT 16@3×3 pas 2 + act          M/4×N/4×32 → M/2×N/2×16
 *             ConvT 1@3×3 pas 2 + sigmoïde      M/2×N/2×16 → M×N×1
 *
 * Les 64/32/16 « filtres » que le TP donne aux convolutions transposées sont leurs canaux d'entrée
 * (ConvTranspose2d(in, out) de PyTorch) ; leurs canaux de sortie sont 32/16/1, si bien que la dernière
 * couche rend une image. Avec K = 64 sur des images 28×28 : 210 369 paramètres.
 *
 * Les couches de pas 2 prennent le remplissage 'same' de tfjs : mêmes tailles de sortie et mêmes
 * nombres de paramètres que le padding=1 de PyTorch (et output_padding=1 pour les transposées).
 */
export function buildConv(options: AutoencoderOptions = {}): Autoencoder {
  const { imageShape, codeSize, activation } = validateOptions(options, 'relu');
  const [m, n] = imageShape;
  if (m % 4 !== 0 || n % 4 !== 0) {
    throw new Error(
      `imageShape [${m}, ${n}] : l'auto-encodeur convolutif ne rend pas une image de cette taille ; M et N doivent être ` +
        'des multiples de 4 (deux convolutions de pas 2, défaites par deux convolutions transposées de pas 2), par exemple [28, 28]',
    );
  }
  const act = tfActivation(activation);
  const codeKernel: [number, number] = [m / 4, n / 4];
  const encoder = tf.sequential({
    name: 'encoder',
    layers: [
      tf.layers.conv2d({
        kernelInitializer: KERNEL_INITIALIZER,
        inputShape: [m, n, 1],
        filters: 16,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: act,
      }),
      tf.layers.conv2d({ kernelInitializer: KERNEL_INITIALIZER, filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: act }),
      tf.layers.conv2d({ kernelInitializer: KERNEL_INITIALIZER, filters: codeSize, kernelSize: codeKernel, padding: 'valid' }),
    ],
  });
  const decoder = tf.sequential({
    name: 'decoder',
    layers: [
      tf.layers.conv2dTranspose({
        kernelInitializer: KERNEL_INITIALIZER,
        inputShape: [1, 1, codeSize],
        filters: 32,
        kernelSize: codeKernel,
        padding: 'valid',
        activation: act,
      }),
      tf.layers.conv2dTranspose({
        kernelInitializer: KERNEL_INITIALIZER,
        filters: 16,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: act,
      }),
      tf.layers.conv2dTranspose({
        kernelInitializer: KERNEL_INITIALIZER,
        filters: 1,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: 'sigmoid',
      }),
    ],
  });
  const name = options.name ?? `Convolutif (${activation}, code 1×1×${codeSize})`;
  return builtByLibrary('lab.buildConv', autoencoder({ encoder, decoder, name }));
}
