import * as tf from '@tensorflow/tfjs';

/** Activations the reference builders accept; 'none' means no activation (the identity). */
export type ActivationName = 'none' | 'relu' | 'sigmoid' | 'tanh' | 'elu' | 'selu' | 'softplus' | 'swish' | 'gelu';
export const ACTIVATION_NAMES: readonly ActivationName[] = ['none', 'relu', 'sigmoid', 'tanh', 'elu', 'selu', 'softplus', 'swish', 'gelu'];

/** Image size (M, N) in pixels; images have one channel. */
export type ImageShape = [number, number];

export interface AutoencoderOptions {
  /** Image size (M, N); default [28, 28] (MNIST). */
  imageShape?: ImageShape;
  /** Size K of the code (hidden layer) of the dense models; default 64. */
  codeSize?: number;
  /** Activation of the hidden layers; defaults: 'none' for Dense n°1, 'relu' otherwise. */
  activation?: ActivationName;
  /** Model name shown in tables and plots. */
  name?: string;
}

/** An autoencoder: the whole model, and its two halves sharing the same weights. */
export interface Autoencoder {
  name: string;
  /** Input [M, N, 1] to output [M, N, 1]. */
  model: tf.LayersModel;
  /** Input [M, N, 1] to the code. */
  encoder: tf.LayersModel;
  /** Code to output [M, N, 1]. */
  decoder: tf.LayersModel;
  imageShape: ImageShape;
  /** Shape of the code for one image, e.g. [64] or [1, 1, 64]. */
  codeShape: number[];
}

/** tfjs's name for an activation. */
export function tfActivation(name: ActivationName): 'linear' | Exclude<ActivationName, 'none'> {
  return name === 'none' ? 'linear' : name;
}

/**
 * The weights' initialiser of every layer: Glorot (Xavier) uniform, Keras's default and the bench's
 * PyTorch reference's. tfjs-layers would otherwise use a 2σ-truncated normal without variance
 * correction, whose smaller weights trained measurably worse (conv model, 15 epochs, mean test MSE
 * over 4 trainings in the PyTorch reference: 0.0081 with it, 0.0071 with Glorot uniform).
 */
export const KERNEL_INITIALIZER = 'glorotUniform';
