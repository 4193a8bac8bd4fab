import * as tf from '@tensorflow/tfjs';
import { layerKind } from '../models/layer-kinds';
import { Autoencoder } from '../models/types';
import { LossName, OptimizerName, gradientOf, referenceTrainer } from '../step/trainer';
import { FlatAdam } from './flat-adam';
import { compileForward } from './fused-forward';
import { nativeTrainer } from './native-step';
import { switchedOff } from '../util/speed-switches';
import { coreCount, helperThreadsUnavailable } from './threads';
import { tfjsInternalsUnavailable } from './tfjs-internals';
import { ChosenTrainer } from './steps';

/**
 * Everything in this folder exists only for speed; the training loop (lib/train/loop.ts) reaches it
 * through this module alone: it picks a trainer (fastestTrainer) and asks TrainingSteps (steps.ts)
 * for each batch's step, never seeing the threads. Each training step computes what the reference
 * trainer (lib/step/trainer.ts) computes, as the tests check; the paths differ in how many round trips
 * to the runtime they take:
 *
 *   native     TensorFlow's own operations with an explicit backward pass and one-vector Adam
 *              (native-step.ts): native TensorFlow, Adam and the MSE loss;
 *   fused      a forward pass of fused operations (fused-forward.ts), tfjs's autodiff and a
 *              one-vector Adam (flat-adam.ts): any backend;
 *   reference  tfjs-layers' own forward pass, tf.variableGrads and tfjs's optimizer.
 *
 * Helper threads (threads.ts, helper-thread.ts, exchange.ts, simd-adam.ts) share each batch on
 * several cores; tfjs-internals.ts is the one module that reaches inside tfjs. (The training kernels
 * the wasm backend lacks are the backend's: lib/backend/wasm-kernels.ts and sub-pixel.ts.)
 */

/** The trainer to train with: the reference one when asked (`reference: true`), else the fastest that applies. */
export function chooseTrainer(
  autoencoder: Autoencoder,
  optimizer: OptimizerName,
  learningRate: number,
  loss: LossName,
  reference: boolean,
): ChosenTrainer {
  if (!reference) return fastestTrainer(autoencoder, optimizer, learningRate, loss);
  return {
    trainer: referenceTrainer(autoencoder, optimizer, learningRate, loss),
    path: 'reference',
    reason: 'demandé par reference: true',
  };
}

/** The fastest trainer that applies to this model and recipe. */
export function fastestTrainer(autoencoder: Autoencoder, optimizer: OptimizerName, learningRate: number, loss: LossName): ChosenTrainer {
  const unknownTfjs = tfjsInternalsUnavailable();
  if (unknownTfjs !== undefined)
    return { trainer: referenceTrainer(autoencoder, optimizer, learningRate, loss), path: 'reference', reason: unknownTfjs };
  let reason: string | undefined;
  if (switchedOff('native')) reason = 'chemin natif coupé par TP5_SPEED_OFF';
  else if (optimizer !== 'adam') reason = `l'optimiseur ${optimizer} (le chemin natif est écrit pour Adam)`;
  else if (loss !== 'mse') reason = `la perte ${loss} (le chemin natif est écrit pour la MSE)`;
  else {
    const native = nativeTrainer(autoencoder, learningRate);
    if (typeof native !== 'string') return { trainer: native, path: 'native' };
    reason = native;
  }
  const fast = switchedOff('fused') ? 'chemin rapide coupé par TP5_SPEED_OFF' : compileForward(autoencoder);
  if (typeof fast === 'string')
    return { trainer: referenceTrainer(autoencoder, optimizer, learningRate, loss), path: 'reference', reason: fast };
  const gradient = gradientOf(fast.forward, fast.variables, loss);
  const size = fast.variables.reduce((total, v) => total + v.size, 0);
  if (optimizer === 'adam') {
    const adam = new FlatAdam(fast.variables, learningRate);
    return {
      trainer: { size, gradient, apply: (gradients) => adam.apply(gradients), dispose: () => adam.dispose() },
      path: 'fused',
      reason,
    };
  }
  const reference = referenceTrainer(autoencoder, optimizer, learningRate, loss);
  return { trainer: { ...reference, gradient }, path: 'fused', reason };
}

/**
 * Threads to share each batch when the user does not say: two for models with convolutions trained
 * with Adam on a machine with two cores or more (on the dense models a helper thread costs more than
 * it saves: `npm run bench` measures both), else one; with why not two where two would have paid.
 */
export function defaultThreads(autoencoder: Autoencoder, optimizer: OptimizerName): { threads: number; reason?: string } {
  const convolutional = [...autoencoder.encoder.layers, ...autoencoder.decoder.layers].some((layer) => {
    const kind = layerKind(layer);
    return kind === 'conv' || kind === 'convTranspose';
  });
  if (!convolutional || optimizer !== 'adam' || coreCount() < 2) return { threads: 1 };
  if (switchedOff('threads')) return { threads: 1, reason: 'fils d’aide coupés par TP5_SPEED_OFF' };
  const unavailable = helperThreadsUnavailable(tf.getBackend());
  return unavailable === undefined ? { threads: 2 } : { threads: 1, reason: unavailable };
}

export { coreCount, helperThreadsUnavailable } from './threads';
export { TrainingSteps, type ChosenTrainer, type EpochSteps, type StepsSetup, type TrainingPath } from './steps';
