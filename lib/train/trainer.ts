import * as tf from '@tensorflow/tfjs';
import { Autoencoder } from '../models/types';
import { compileForward, trainableVariables } from './fast-forward';
import { FlatAdam } from './flat-adam';
import { nativeTrainer } from './native-step';

export type LossName = 'mse' | 'bce';
export const LOSS_NAMES: readonly LossName[] = ['mse', 'bce'];
export type OptimizerName = 'adam' | 'sgd' | 'rmsprop';
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['adam', 'sgd', 'rmsprop'];

type LossFunction = (targets: tf.Tensor, outputs: tf.Tensor) => tf.Scalar;

export const LOSSES: Record<LossName, LossFunction> = {
  mse: (targets, outputs) => tf.mean(tf.squaredDifference(targets, outputs)) as tf.Scalar,
  bce: (targets, outputs) => {
    const p = tf.clipByValue(outputs, 1e-7, 1 - 1e-7);
    return tf.neg(tf.mean(tf.add(tf.mul(targets, tf.log(p)), tf.mul(tf.sub(1, targets), tf.log(tf.sub(1, p)))))) as tf.Scalar;
  },
};

/** A part of a batch's loss and its gradient with respect to every trainable variable. */
export interface PartGradient {
  /** The part's share of the batch loss: its mean loss × part size / batch size. */
  loss: tf.Scalar;
  /** The gradient of that share with respect to each trainable variable, in the model's order. */
  gradients: tf.Tensor[];
}

/**
 * One optimisation step, in two halves so that several threads can share a batch: each computes
 * the gradient of its part, the parts' gradients are added (their sum is the batch's gradient),
 * and each thread applies the same update to its copy of the weights.
 */
export interface Trainer {
  /** The number of trainable parameters. */
  size: number;
  gradient(inputs: tf.Tensor4D, targets: tf.Tensor4D, batchSize: number): PartGradient;
  /** Updates the weights from the whole batch's gradients (one per variable, in the model's order). */
  apply(gradients: tf.Tensor[]): void;
  dispose(): void;
}

/** A whole step on one thread; returns the batch's loss. */
export function trainStep(trainer: Trainer, inputs: tf.Tensor4D, targets: tf.Tensor4D): tf.Scalar {
  const { loss, gradients } = trainer.gradient(inputs, targets, inputs.shape[0]);
  trainer.apply(gradients);
  return loss;
}

/**
 * The fastest trainer that applies: TensorFlow's own operations on native TensorFlow; else the fast
 * forward pass and a single-vector Adam (the TP's models on the other backends); else tfjs-layers
 * and tfjs optimizers. All compute the same thing.
 */
export function makeTrainer(autoencoder: Autoencoder, optimizerName: OptimizerName, learningRate: number, lossName: LossName): Trainer {
  if (optimizerName === 'adam' && lossName === 'mse') {
    const native = nativeTrainer(autoencoder, learningRate);
    if (native) return native;
  }
  const loss = LOSSES[lossName];
  const fast = compileForward(autoencoder);
  const variables = fast?.variables ?? trainableVariables(autoencoder);
  const forward = fast?.forward ?? ((x: tf.Tensor4D) => autoencoder.model.apply(x, { training: true }) as tf.Tensor4D);
  const gradient = (x: tf.Tensor4D, y: tf.Tensor4D, batchSize: number): PartGradient => {
    const share = x.shape[0] / batchSize;
    const { value, grads } = tf.variableGrads(() => {
      const mean = loss(y, forward(x));
      return share === 1 ? mean : tf.mul(mean, share);
    }, variables);
    return { loss: value, gradients: variables.map((v) => grads[v.name]) };
  };
  const size = variables.reduce((total, v) => total + v.size, 0);
  if (optimizerName === 'adam') {
    const adam = new FlatAdam(variables, learningRate);
    return { size, gradient, apply: (gradients) => adam.apply(gradients), dispose: () => adam.dispose() };
  }
  const optimizer = optimizerName === 'sgd' ? tf.train.sgd(learningRate) : tf.train.rmsprop(learningRate);
  return {
    size,
    gradient,
    apply: (gradients) => optimizer.applyGradients(variables.map((v, i) => ({ name: v.name, tensor: gradients[i] }))),
    dispose: () => optimizer.dispose(),
  };
}
