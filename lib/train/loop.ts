import * as tf from '@tensorflow/tfjs';
import { ImageSet, toTensor } from '../data/images';
import { Autoencoder } from '../models/types';
import { SeededRandom } from '../util/random';
import { checkNumberInRange, checkOneOf, checkPositiveInteger } from '../util/check';
import { ProgressMode, ProgressState, createProgress, formatDuration } from './progress';
import { compileForward, trainableVariables } from './fast-forward';
import { FlatAdam } from './flat-adam';
import { nativeTrainer } from './native-step';

export type LossName = 'mse' | 'bce';
export const LOSS_NAMES: readonly LossName[] = ['mse', 'bce'];
export type OptimizerName = 'adam' | 'sgd' | 'rmsprop';
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['adam', 'sgd', 'rmsprop'];

/** What the model learns to map: inputs to targets (targets default to the inputs: plain reconstruction). */
export interface TrainingData {
  inputs: ImageSet;
  targets?: ImageSet;
}

export interface EarlyStoppingOptions {
  /** Epochs without improvement of the monitored loss before stopping. */
  patience: number;
  /** Smallest decrease that counts as an improvement (default 0). */
  minDelta?: number;
  /** Put back the weights of the best epoch when stopping (default true). */
  restoreBestWeights?: boolean;
}

export interface TrainOptions {
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  optimizer?: OptimizerName;
  /** 'mse' (least squares, default) or 'bce' (binary cross-entropy). */
  loss?: LossName;
  /** Fraction of the data kept aside (the last ones, as Keras does) to measure the validation loss. */
  validationSplit?: number;
  /** Explicit validation data (takes precedence over validationSplit). */
  validation?: TrainingData;
  /** Seed of the shuffling of each epoch. */
  seed?: number;
  earlyStopping?: EarlyStoppingOptions;
  progress?: ProgressMode;
  /** Called after each epoch (e.g. to record metrics). */
  onEpochEnd?: (epoch: number, history: TrainingHistory) => void;
}

export interface TrainingHistory {
  label: string;
  /** Mean training loss of each epoch. */
  loss: number[];
  /** Validation loss of each epoch (empty without validation data). */
  valLoss: number[];
  epochSeconds: number[];
  totalSeconds: number;
  /** 1-based epoch whose weights the model holds at the end. */
  bestEpoch: number;
  stoppedEarly: boolean;
  /** Training images processed per second, over the whole run. */
  imagesPerSecond: number;
}

/** Thrown when the loss becomes NaN or infinite; the model keeps its last finite weights. */
export class TrainingDivergedError extends Error {
  constructor(message: string, readonly history: TrainingHistory) {
    super(message);
    this.name = 'TrainingDivergedError';
  }
}

type LossFunction = (targets: tf.Tensor, outputs: tf.Tensor) => tf.Scalar;

const LOSSES: Record<LossName, LossFunction> = {
  mse: (targets, outputs) => tf.mean(tf.squaredDifference(targets, outputs)) as tf.Scalar,
  bce: (targets, outputs) => {
    const p = tf.clipByValue(outputs, 1e-7, 1 - 1e-7);
    return tf.neg(tf.mean(tf.add(tf.mul(targets, tf.log(p)), tf.mul(tf.sub(1, targets), tf.log(tf.sub(1, p)))))) as tf.Scalar;
  },
};

/** One optimisation step: computes the loss of a batch, updates the weights, returns the loss. */
type TrainStep = (inputs: tf.Tensor4D, targets: tf.Tensor4D) => tf.Scalar;

interface Trainer {
  step: TrainStep;
  dispose: () => void;
}

/**
 * The step used by trainAutoencoder, the fastest that applies: TensorFlow's own operations on
 * native TensorFlow; else the fast forward pass and a single-vector Adam (the TP's models on the
 * other backends); else tfjs-layers and tfjs optimizers. All compute the same thing.
 */
function makeTrainer(autoencoder: Autoencoder, optimizerName: OptimizerName, learningRate: number, lossName: LossName): Trainer {
  if (optimizerName === 'adam' && lossName === 'mse') {
    const native = nativeTrainer(autoencoder, learningRate);
    if (native) return native;
  }
  const loss = LOSSES[lossName];
  const fast = compileForward(autoencoder);
  const variables = fast?.variables ?? trainableVariables(autoencoder);
  const forward = fast?.forward ?? ((x: tf.Tensor4D) => autoencoder.model.apply(x, { training: true }) as tf.Tensor4D);
  if (optimizerName === 'adam') {
    const adam = new FlatAdam(variables, learningRate);
    return {
      step: (x, y) => {
        const { value, grads } = tf.variableGrads(() => loss(y, forward(x)), variables);
        adam.apply(variables.map((v) => grads[v.name]));
        return value;
      },
      dispose: () => adam.dispose(),
    };
  }
  const optimizer = optimizerName === 'sgd' ? tf.train.sgd(learningRate) : tf.train.rmsprop(learningRate);
  return {
    step: (x, y) => optimizer.minimize(() => loss(y, forward(x)), true, variables) as tf.Scalar,
    dispose: () => optimizer.dispose(),
  };
}

function checkImagesMatch(autoencoder: Autoencoder, data: TrainingData, what: string): void {
  const [m, n] = autoencoder.imageShape;
  const output = (autoencoder.model.outputs[0].shape as number[]).slice(1);
  if (output.join() !== [m, n, 1].join()) {
    throw new Error(`${autoencoder.name} outputs ${output.join('×')} per image; an autoencoder of ${m}×${n} images must output ${m}×${n}×1`);
  }
  for (const [role, set] of [['inputs', data.inputs], ['targets', data.targets ?? data.inputs]] as const) {
    if (set.height !== m || set.width !== n) {
      throw new Error(`${what} ${role} are ${set.height}×${set.width} images but ${autoencoder.name} expects ${m}×${n}`);
    }
  }
  if (data.targets && data.targets.count !== data.inputs.count) {
    throw new Error(`${what}: ${data.inputs.count} inputs but ${data.targets.count} targets; each input needs its target`);
  }
}

/** Mean loss over a data set, computed in batches without training. */
export function evaluateLoss(model: tf.LayersModel, inputs: tf.Tensor4D, targets: tf.Tensor4D, batchSize: number, loss: LossName = 'mse'): number {
  const count = inputs.shape[0];
  let total = 0;
  for (let start = 0; start < count; start += batchSize) {
    const size = Math.min(batchSize, count - start);
    const batchLoss = tf.tidy(() => {
      const x = inputs.slice(start, size);
      const y = targets.slice(start, size);
      return LOSSES[loss](y, model.predict(x) as tf.Tensor);
    });
    total += batchLoss.dataSync()[0] * size;
    batchLoss.dispose();
  }
  return total / count;
}

/**
 * Trains an autoencoder on (input, target) pairs: seeded shuffling, mini-batches, Adam and
 * least squares by default. Shows progress (in place in a notebook, a line per epoch in a
 * terminal) and stops with a TrainingDivergedError when the loss stops being finite.
 */
export async function trainAutoencoder(autoencoder: Autoencoder, data: TrainingData, options: TrainOptions = {}): Promise<TrainingHistory> {
  const epochs = checkPositiveInteger('epochs', options.epochs ?? 10);
  const batchSize = checkPositiveInteger('batchSize', options.batchSize ?? 128);
  const learningRate = checkNumberInRange('learningRate', options.learningRate ?? 1e-3, Number.MIN_VALUE, 10);
  const lossName = checkOneOf('loss', options.loss ?? 'mse', LOSS_NAMES);
  const optimizerName = checkOneOf('optimizer', options.optimizer ?? 'adam', OPTIMIZER_NAMES);
  const validationSplit = checkNumberInRange('validationSplit', options.validationSplit ?? 0, 0, 0.9);
  const seed = options.seed ?? 0;
  if (options.earlyStopping) checkPositiveInteger('earlyStopping.patience', options.earlyStopping.patience);
  checkImagesMatch(autoencoder, data, 'training');
  if (options.validation) checkImagesMatch(autoencoder, options.validation, 'validation');

  const model = autoencoder.model;
  const total = data.inputs.count;
  const valCount = options.validation ? 0 : Math.floor(total * validationSplit);
  const trainCount = total - valCount;
  if (trainCount < 1) throw new Error(`no training images left after keeping ${valCount} for validation`);
  const sameTargets = data.targets === undefined;

  const x = toTensor(data.inputs, 0, trainCount);
  const y = sameTargets ? x : toTensor(data.targets as ImageSet, 0, trainCount);
  let valX: tf.Tensor4D | undefined;
  let valY: tf.Tensor4D | undefined;
  if (options.validation) {
    valX = toTensor(options.validation.inputs);
    valY = options.validation.targets ? toTensor(options.validation.targets) : valX;
  } else if (valCount > 0) {
    valX = toTensor(data.inputs, trainCount, total);
    valY = sameTargets ? valX : toTensor(data.targets as ImageSet, trainCount, total);
  }

  const trainer = makeTrainer(autoencoder, optimizerName, learningRate, lossName);
  const progress = createProgress(options.progress ?? 'auto');
  const random = new SeededRandom(seed);
  const batches = Math.ceil(trainCount / batchSize);
  const history: TrainingHistory = {
    label: autoencoder.name, loss: [], valLoss: [], epochSeconds: [], totalSeconds: 0,
    bestEpoch: 0, stoppedEarly: false, imagesPerSecond: 0,
  };
  const monitored = () => (valX ? history.valLoss : history.loss);
  let lastGood = model.getWeights().map((w) => w.clone());
  let best: tf.Tensor[] | undefined;
  let bestValue = Infinity;
  let waited = 0;
  const started = performance.now();
  let imagesSeen = 0;

  const stateOf = (epoch: number, batch: number, loss: number): ProgressState => {
    const elapsedSeconds = (performance.now() - started) / 1000;
    const fraction = (epoch - 1 + batch / batches) / epochs;
    return {
      label: autoencoder.name, epoch, epochs, batch, batches, loss,
      valLoss: history.valLoss[epoch - 1], elapsedSeconds,
      etaSeconds: fraction > 0 ? elapsedSeconds * (1 / fraction - 1) : NaN,
    };
  };

  const diverged = (epoch: number, value: number): never => {
    model.setWeights(lastGood);
    throw new TrainingDivergedError(
      `${autoencoder.name}: the loss became ${value} during epoch ${epoch}; training stopped and the weights of ` +
      `epoch ${epoch - 1} were kept. Try a smaller learningRate (now ${learningRate}) or check the data for NaN values.`,
      history);
  };

  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const epochStart = performance.now();
      // The epoch's shuffled copy is made once; each batch is then a slice of it.
      const [epochX, epochY] = tf.tidy(() => {
        const order = tf.tensor1d(random.permutation(trainCount), 'int32');
        const shuffledX = tf.gather(x, order);
        return [shuffledX, sameTargets ? shuffledX : tf.gather(y, order)];
      });
      const batchLosses: tf.Scalar[] = [];
      /** Mean loss of the batches so far (reading it waits for the device). */
      const meanLoss = async () => {
        const values = tf.tidy(() => tf.stack(batchLosses));
        const losses = await values.data();
        values.dispose();
        let sum = 0;
        losses.forEach((l, b) => { sum += l * Math.min(batchSize, trainCount - b * batchSize); });
        return sum / Math.min(trainCount, losses.length * batchSize);
      };
      let lastReport = performance.now();
      let epochLoss = NaN;
      try {
        for (let b = 0; b < batches; b++) {
          const start = b * batchSize;
          const size = Math.min(batchSize, trainCount - start);
          batchLosses.push(tf.tidy(() => {
            const inputs = epochX.slice(start, size);
            return trainer.step(inputs, sameTargets ? inputs : epochY.slice(start, size));
          }));
          // Reading the loss waits for the device: about once a second, not at every step.
          if (performance.now() - lastReport > 1000) {
            const sofar = await meanLoss();
            if (!Number.isFinite(sofar)) diverged(epoch, sofar);
            progress.update(stateOf(epoch, b + 1, sofar));
            lastReport = performance.now();
          }
        }
        epochLoss = await meanLoss();
      } finally {
        tf.dispose([epochX, epochY, ...batchLosses]);
      }
      if (!Number.isFinite(epochLoss)) diverged(epoch, epochLoss);
      imagesSeen += trainCount;
      history.loss.push(epochLoss);
      if (valX && valY) history.valLoss.push(evaluateLoss(model, valX, valY, Math.max(batchSize, 256), lossName));
      history.epochSeconds.push((performance.now() - epochStart) / 1000);
      tf.dispose(lastGood);
      lastGood = model.getWeights().map((w) => w.clone());
      progress.epochEnd(stateOf(epoch, batches, epochLoss));

      const value = monitored()[epoch - 1];
      if (value < bestValue - (options.earlyStopping?.minDelta ?? 0)) {
        bestValue = value;
        history.bestEpoch = epoch;
        waited = 0;
        if (options.earlyStopping) {
          tf.dispose(best ?? []);
          best = model.getWeights().map((w) => w.clone());
        }
      } else {
        waited++;
      }
      options.onEpochEnd?.(epoch, history);
      if (options.earlyStopping && waited >= options.earlyStopping.patience) {
        history.stoppedEarly = true;
        break;
      }
    }
    if (history.stoppedEarly && best && (options.earlyStopping?.restoreBestWeights ?? true)) {
      model.setWeights(best);
    } else {
      history.bestEpoch = history.loss.length;
    }
  } finally {
    history.totalSeconds = (performance.now() - started) / 1000;
    history.imagesPerSecond = imagesSeen / Math.max(history.totalSeconds, 1e-9);
    tf.dispose([x, y, valX ?? [], valY ?? [], lastGood, best ?? []].flat());
    trainer.dispose();
  }
  const last = history.loss.length;
  progress.finish(`${autoencoder.name}: ${last} epoch${last > 1 ? 's' : ''} in ${formatDuration(history.totalSeconds)}, ` +
    `final loss ${history.loss[last - 1].toFixed(5)}` +
    (history.valLoss.length ? `, validation ${history.valLoss[last - 1].toFixed(5)}` : '') +
    (history.stoppedEarly ? ` (stopped early, weights of epoch ${history.bestEpoch} kept)` : ''));
  return history;
}
