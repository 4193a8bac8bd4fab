import * as tf from '@tensorflow/tfjs';
import { Autoencoder } from '../models/types';

/**
 * What a training step is, and the reference way to take one: tfjs-layers' own forward pass,
 * tf.variableGrads for the gradient and tfjs's optimizers. The faster ways (lib/speed/) compute the
 * same thing and are checked against it.
 */

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

/** Adam's constants, as tf.train.adam uses them (ε is tfjs's backend epsilon). */
export const ADAM_DEFAULTS = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } as const;

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

/** The model's trainable variables (the tf.Variable behind each of its weights), in the model's order. */
export function trainableVariables(autoencoder: Autoencoder): tf.Variable[] {
  return autoencoder.model.trainableWeights.map((weight) => weight.read() as tf.Variable);
}

/** The gradient half of a step, for any forward pass over the given variables. */
export function gradientOf(forward: (images: tf.Tensor4D) => tf.Tensor, variables: tf.Variable[], lossName: LossName): Trainer['gradient'] {
  const loss = LOSSES[lossName];
  return (inputs, targets, batchSize) => {
    const share = inputs.shape[0] / batchSize;
    const { value, grads } = tf.variableGrads(() => {
      const mean = loss(targets, forward(inputs));
      return share === 1 ? mean : tf.mul(mean, share);
    }, variables);
    return { loss: value, gradients: variables.map((v) => grads[v.name]) };
  };
}

/** The reference trainer: the model's own forward pass, tf.variableGrads and tfjs's optimizer. */
export function referenceTrainer(
  autoencoder: Autoencoder,
  optimizerName: OptimizerName,
  learningRate: number,
  lossName: LossName,
): Trainer {
  const variables = trainableVariables(autoencoder);
  const forward = (images: tf.Tensor4D) => autoencoder.model.apply(images, { training: true }) as tf.Tensor;
  const optimizer = {
    adam: () => tf.train.adam(learningRate, ADAM_DEFAULTS.beta1, ADAM_DEFAULTS.beta2, ADAM_DEFAULTS.epsilon),
    sgd: () => tf.train.sgd(learningRate),
    rmsprop: () => tf.train.rmsprop(learningRate),
  }[optimizerName]();
  return {
    size: variables.reduce((total, v) => total + v.size, 0),
    gradient: gradientOf(forward, variables, lossName),
    apply: (gradients) => optimizer.applyGradients(variables.map((v, i) => ({ name: v.name, tensor: gradients[i] }))),
    dispose: () => optimizer.dispose(),
  };
}
