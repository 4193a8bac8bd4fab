import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Autoencoder, ImageSet, autoencoder, buildConv, buildDense1, buildDense2 } from '../lib';

/** The benchmark's models: the TP's four instances, and the convolutional one as a denoiser. */
export const BENCH_MODELS = ['dense1-linear', 'dense1-relu', 'dense2', 'conv', 'conv-denoiser'] as const;
/** The conv model with the TP's other activations ("au choix"), measured against its ReLU version (--machinery). */
export const ACTIVATION_MODELS = ['conv-leakyrelu', 'conv-elu', 'conv-tanh', 'conv-sigmoid'] as const;
export type BenchModel = (typeof BENCH_MODELS)[number] | (typeof ACTIVATION_MODELS)[number];

/** The conv model with a LeakyReLU layer (α = 0.2) after each hidden layer instead of ReLU, as a student writes it. */
function convWithLeakyRelu(): Autoencoder {
  const leaky = () => tf.layers.leakyReLU({ alpha: 0.2 });
  const encoder = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, strides: 2, padding: 'same' }),
      leaky(),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, strides: 2, padding: 'same' }),
      leaky(),
      tf.layers.conv2d({ filters: 64, kernelSize: 7, padding: 'valid' }),
    ],
  });
  const decoder = tf.sequential({
    layers: [
      tf.layers.conv2dTranspose({ inputShape: [1, 1, 64], filters: 32, kernelSize: 7, padding: 'valid' }),
      leaky(),
      tf.layers.conv2dTranspose({ filters: 16, kernelSize: 3, strides: 2, padding: 'same' }),
      leaky(),
      tf.layers.conv2dTranspose({ filters: 1, kernelSize: 3, strides: 2, padding: 'same', activation: 'sigmoid' }),
    ],
  });
  return autoencoder({ encoder, decoder, name: 'conv, LeakyReLU' });
}

export function buildBenchModel(name: BenchModel): Autoencoder {
  switch (name) {
    case 'dense1-linear':
      return buildDense1({ activation: 'none' });
    case 'dense1-relu':
      return buildDense1({ activation: 'relu' });
    case 'dense2':
      return buildDense2({ activation: 'relu' });
    case 'conv':
    case 'conv-denoiser':
      return buildConv({ activation: 'relu' });
    case 'conv-leakyrelu':
      return convWithLeakyRelu();
    case 'conv-elu':
      return buildConv({ activation: 'elu' });
    case 'conv-tanh':
      return buildConv({ activation: 'tanh' });
    case 'conv-sigmoid':
      return buildConv({ activation: 'sigmoid' });
  }
}

export type Split = 'train' | 'test' | 'noisy-train' | 'noisy-test';

/** The data both sides read: float32 pixels, 784 per image (bench.ts writes them). */
export function writeImages(dir: string, split: Split, images: ImageSet): void {
  fs.mkdirSync(dir, { recursive: true });
  const bytes = Buffer.from(images.pixels.buffer, images.pixels.byteOffset, images.pixels.byteLength);
  fs.writeFileSync(path.join(dir, `${split}.f32`), bytes);
}

export function readImages(dir: string, split: Split): ImageSet {
  const bytes = fs.readFileSync(path.join(dir, `${split}.f32`));
  const pixels = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return { pixels, count: pixels.length / 784, height: 28, width: 28 };
}

/** (inputs, targets) of a model: noisy → clean for the denoiser, clean → clean otherwise. */
export function pairFor(model: BenchModel, dir: string, split: 'train' | 'test'): { inputs: ImageSet; targets: ImageSet } {
  const clean = readImages(dir, split);
  return { inputs: model === 'conv-denoiser' ? readImages(dir, `noisy-${split}`) : clean, targets: clean };
}

export interface SpeedResult {
  model: BenchModel;
  backend: string;
  batch: number;
  /** Threads the library trained on (its default for this model, or 1 for the comparison row). */
  threads: number;
  trainImgPerSec: number;
  inferImgPerSec: number;
}

export interface WorkerRequest {
  /** Measure each model with the library's default threads only (not also on one thread). */
  defaultThreadsOnly?: boolean;
  backend: 'tensorflow' | 'wasm' | 'cpu';
  dataDir: string;
  models: BenchModel[];
  batches: number[];
  /** Images per timed epoch. */
  trainCount: number;
  /** Also time the conv model to this test MSE (0: skip). */
  mseTarget: number;
  maxEpochs: number;
  /** Train each model this many epochs and report its test MSE instead of timing (0: timing). */
  parityEpochs: number;
  /** How many times each model is trained for the parity check (fresh initialisation and shuffling each time). */
  parityRuns: number;
}

export interface WorkerReport {
  backend: string;
  speed: SpeedResult[];
  timeToMse?: { seconds: number | null; epochs: number; mse: number };
  /** Test MSE of each parity run, per model. */
  parity?: { model: BenchModel; testMse: number[] }[];
  peakRssMb: number;
}
