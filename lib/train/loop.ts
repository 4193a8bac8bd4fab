import * as tf from '@tensorflow/tfjs';
import { ImageSet, imageSize, selectImages, toTensor } from '../data/images';
import { Autoencoder } from '../models/types';
import { EpochSteps, TrainingSteps, chooseTrainer } from '../speed';
import { LOSSES, LossName } from '../step/trainer';
import { SeededRandom } from '../util/random';
import { refuseInStoppedCell } from '../util/stopped-cell';
import { TrainedOn, noteRecipe, noteTrainedOn, sampledFingerprints } from '../util/traces';
import { EpochEnd } from './epoch-end';
import { TrainingHistory, emptyHistory, finalLine } from './history';
import { StopRequest } from './interrupt';
import { TrainOptions, TrainingData, TrainingImages, resolveRecipe, trainingImages } from './options';
import { ProgressReporter, createProgress } from './progress';

/**
 * Entraîne un auto-encodeur sur des paires (entrée, cible) : mélange à graine, mini-lots, Adam et
 * erreur quadratique par défaut. Affiche la progression (sur place dans un carnet, une ligne par
 * époque dans un terminal) et s'arrête sur une TrainingDivergedError quand la perte n'est plus finie.
 *
 * Exemple : `await lab.trainAutoencoder(modèle, { inputs: prepared.xTrain }, { epochs: 20, validation: { inputs: prepared.xValidation } })`.
 */
export async function trainAutoencoder(
  autoencoder: Autoencoder,
  trainingData: TrainingData,
  options: TrainOptions = {},
): Promise<TrainingHistory> {
  refuseInStoppedCell("l'entraînement");
  const recipe = resolveRecipe(autoencoder, options);
  const images = trainingImages(autoencoder, trainingData, options);
  warnIfTrainedBefore(autoencoder);
  const { optimizer, learningRate, loss, seed, batchSize, threads } = recipe;
  const chosen = chooseTrainer(autoencoder, optimizer, learningRate, loss, options.reference === true);
  const steps = await TrainingSteps.start(autoencoder, chosen, {
    learningRate,
    loss,
    seed,
    batchSize,
    threads,
    explicitThreads: options.threads !== undefined,
    pixels: images.pixels,
    count: images.count,
  }).catch((error: unknown) => {
    images.dispose();
    throw error;
  });
  const model = autoencoder.model;
  const history = emptyHistory(autoencoder.name, steps);
  const epochEnd = new EpochEnd(model, history, options.earlyStopping, learningRate);
  const progress = new EpochProgress(autoencoder.name, recipe.epochs, steps.batchesPerEpoch, createProgress(options.progress ?? 'auto'));
  const stop = new StopRequest(options.signal);
  const random = new SeededRandom(seed);
  let interruptedIn = 0;
  try {
    for (let epoch = 1; epoch <= recipe.epochs; epoch++) {
      const epochStart = performance.now();
      const epochLoss = await trainEpoch(steps.epoch(random.permutation(images.count)), epoch, { stop, progress, epochEnd, steps });
      if (stop.requested) {
        // The model keeps the weights of its last step; the unfinished epoch is left out of the history.
        history.interrupted = true;
        interruptedIn = epoch;
        break;
      }
      epochEnd.checkFinite(epoch, epochLoss, () => steps.detach());
      history.loss.push(epochLoss);
      if (images.validation) {
        history.valLoss.push(evaluateLoss(model, images.validation.inputs, images.validation.targets, Math.max(batchSize, 256), loss));
      }
      history.epochSeconds.push((performance.now() - epochStart) / 1000);
      progress.epochEnd(epoch, epochLoss, history.valLoss[epoch - 1]);
      const stopEarly = epochEnd.finished(epoch);
      options.onEpochEnd?.(epoch, history);
      if (stopEarly) {
        history.stoppedEarly = true;
        break;
      }
    }
    epochEnd.finish();
  } finally {
    history.totalSeconds = progress.elapsedSeconds();
    history.imagesPerSecond = (history.loss.length * images.count) / Math.max(history.totalSeconds, 1e-9);
    images.dispose();
    epochEnd.dispose();
    stop.dispose();
    await steps.stop();
  }
  progress.finish(finalLine(history, interruptedIn));
  noteTrainedOn(history, trainedOnPixels(images));
  noteRecipe(history, { optimizer, learningRate, batchSize });
  epochsTrained.set(model, (epochsTrained.get(model) ?? 0) + history.loss.length);
  warnIfConstant(autoencoder, images.inputs);
  return history;
}

/** What a library training saw, for the grader (lib/util/traces.ts): its training images, the validation split taken off. */
function trainedOnPixels(images: TrainingImages): TrainedOn {
  const { count, pixels, inputs } = images;
  // The targets lie in memory as the inputs do: the same image set's shape, other pixels.
  const pick = (all: Float32Array) => (indices: number[]) => selectImages({ ...inputs, pixels: all, labels: undefined }, indices).pixels;
  return {
    count,
    inputs: sampledFingerprints(count, imageSize(inputs), pick(pixels.inputs)),
    targets: sampledFingerprints(count, imageSize(inputs), pick(pixels.targets ?? pixels.inputs)),
  };
}

/**
 * One epoch's steps: its batches in turn, the mean loss read and shown about once a second (reading
 * it waits for the device), until the end or the stop button. Returns the epoch's mean loss (NaN
 * when stopped before its end).
 */
async function trainEpoch(
  epochSteps: EpochSteps,
  epoch: number,
  training: { stop: StopRequest; progress: EpochProgress; epochEnd: EpochEnd; steps: TrainingSteps },
): Promise<number> {
  const { stop, progress, epochEnd, steps } = training;
  const batchLosses: tf.Scalar[] = [];
  const meanLoss = async () => {
    const values = tf.tidy(() => tf.stack(batchLosses));
    const losses = await values.data();
    values.dispose();
    return epochSteps.meanOf(losses);
  };
  let lastReport = performance.now();
  try {
    for (let b = 0; b < epochSteps.batches; b++) {
      if (await stop.pause()) return NaN;
      batchLosses.push(epochSteps.step(b));
      if (performance.now() - lastReport > 1000) {
        const sofar = await meanLoss();
        epochEnd.checkFinite(epoch, sofar, () => steps.detach());
        progress.update(epoch, b + 1, sofar);
        lastReport = performance.now();
      }
    }
    return stop.requested ? NaN : await meanLoss();
  } finally {
    epochSteps.end();
    tf.dispose(batchLosses);
  }
}

/** The progress display of a training, with the time it has taken and an estimate of the time left. */
class EpochProgress {
  private readonly started = performance.now();

  constructor(
    private readonly label: string,
    private readonly epochs: number,
    private readonly batches: number,
    private readonly reporter: ProgressReporter,
  ) {}

  elapsedSeconds(): number {
    return (performance.now() - this.started) / 1000;
  }

  update(epoch: number, batch: number, loss: number): void {
    this.reporter.update(this.state(epoch, batch, loss));
  }

  epochEnd(epoch: number, loss: number, valLoss: number | undefined): void {
    this.reporter.epochEnd(this.state(epoch, this.batches, loss, valLoss));
  }

  finish(line: string): void {
    this.reporter.finish(line);
  }

  private state(epoch: number, batch: number, loss: number, valLoss?: number) {
    const elapsedSeconds = this.elapsedSeconds();
    const fraction = (epoch - 1 + batch / this.batches) / this.epochs;
    const etaSeconds = fraction > 0 ? elapsedSeconds * (1 / fraction - 1) : NaN;
    return { label: this.label, epoch, epochs: this.epochs, batch, batches: this.batches, loss, valLoss, elapsedSeconds, etaSeconds };
  }
}

/** Mean loss over a data set, computed in batches without training. */
export function evaluateLoss(
  model: tf.LayersModel,
  inputs: tf.Tensor4D,
  targets: tf.Tensor4D,
  batchSize: number,
  loss: LossName = 'mse',
): number {
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
 * Warns when the trained model gives the same image whatever its input (a learning rate too large
 * sends every output to one constant): its outputs for a few training images hardly differ.
 */
function warnIfConstant(autoencoder: Autoencoder, images: ImageSet): void {
  const spread = tf.tidy(() => {
    const outputs = autoencoder.model.predict(toTensor(images, 0, Math.min(images.count, 64))) as tf.Tensor;
    return tf.mean(tf.moments(outputs, 0).variance).dataSync()[0];
  });
  if (spread < 1e-6) {
    console.warn(
      `Attention : ${autoencoder.name} rend la même image quelle que soit l'entrée : il n'a encore rien appris ` +
        'de ses entrées. Entraînez-le plus longtemps ; si cela ne change rien, essayez un learningRate plus petit (10⁻³ pour Adam).',
    );
  }
}

/** The epochs each model has already trained for through this loop (a re-run cell trains further). */
const epochsTrained = new WeakMap<tf.LayersModel, number>();

/** Warns when a model is trained again: re-running a training cell goes on from the weights it reached. */
function warnIfTrainedBefore(autoencoder: Autoencoder): void {
  const before = epochsTrained.get(autoencoder.model);
  if (before === undefined) return;
  console.warn(
    `Attention : ${autoencoder.name} a déjà été entraîné (${before} époque${before > 1 ? 's' : ''}) : cet entraînement part des poids ` +
      'atteints et le prolonge. Pour repartir de zéro, reconstruisez le modèle (exécutez de nouveau la cellule qui le construit).',
  );
}
