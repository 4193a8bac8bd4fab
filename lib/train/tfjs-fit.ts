import * as tf from '@tensorflow/tfjs';
import { modelName } from '../models/autoencoder';
import { inNotebook } from '../util/display';
import { refuseInStoppedCell } from '../util/stopped-cell';
import { TrainedOn, TrainingRecipe, noteFitLoss, noteRecipe, noteTrainedOn, sampledFingerprints } from '../util/traces';
import { labSettings } from '../settings';
import { LossHistory, completedLine, interruptedLine } from './history';
import { StopRequest } from './interrupt';
import { ProgressReporter, createProgress } from './progress';

/**
 * tfjs's own `model.fit`, which questions 1.4, 2.5 and 3.2 let students use, behaves in a notebook as
 * lab.trainAutoencoder does: its progress is the library's French display, not tfjs's English logger;
 * the stop button (■) ends it after its current batch, the model keeping the weights of its last
 * step, and no later `fit` starts in the stopped cell (tslab ends the cell at once but lets its code
 * go on: without this, a loop's other models went on training in the background); quick mode
 * (TP5_QUICK=1) caps its epochs as it caps the library's trainings; the loss it trained with, and its
 * optimizer, learning rate and batch size, are noted for the checks (tfjs's history does not keep them).
 * What `fit` computes is unchanged.
 */
export function adaptFitToNotebooks(): void {
  const prototype = tf.LayersModel.prototype as tf.LayersModel & { [ADAPTED]?: boolean };
  if (!inNotebook() || prototype[ADAPTED]) return;
  const fit = prototype.fit;
  prototype.fit = async function (this: tf.LayersModel, x, y, args = {}) {
    refuseInStoppedCell("l'entraînement (model.fit)");
    const epochs = labSettings().epochs(args.epochs ?? 1);
    const display = new FitDisplay(this, createProgress('auto'));
    try {
      const history = await fit.call(this, x, y, {
        ...args,
        epochs,
        verbose: 0,
        callbacks: [...callbackList(args.callbacks), display.callback],
      });
      noteFitLoss(history, this.loss);
      noteTrainedOn(history, trainedOnTensors(x, y, args.validationSplit));
      noteRecipe(history, fitRecipe(this, args.batchSize));
      return history;
    } finally {
      display.dispose();
    }
  };
  prototype[ADAPTED] = true;
}

const ADAPTED = Symbol('tp5.fitAdapted');

/**
 * What a `fit` trained on, for the grader (lib/util/traces.ts): its inputs and targets when each is one
 * tensor of images (a model of this lab has one input and one output), the validation split taken off
 * as tfjs takes it (the last images).
 */
function trainedOnTensors(x: unknown, y: unknown, validationSplit = 0): TrainedOn | undefined {
  if (!(x instanceof tf.Tensor) || !(y instanceof tf.Tensor) || x.rank < 2 || x.shape[0] !== y.shape[0]) return undefined;
  const count = Math.floor(x.shape[0] * (1 - validationSplit));
  const sample = (images: tf.Tensor) =>
    sampledFingerprints(count, images.size / images.shape[0], (indices) =>
      tf.tidy(() => tf.gather(images, indices).dataSync() as Float32Array),
    );
  return { count, inputs: sample(x), targets: sample(y) };
}

/** The recipe of a `fit`: the compiled optimizer's name and learning rate, and the batch size (tfjs's default: 32). */
function fitRecipe(model: tf.LayersModel, batchSize = 32): TrainingRecipe | undefined {
  const optimizer = model.optimizer as tf.Optimizer | undefined;
  const learningRate = optimizer?.getConfig().learningRate;
  if (optimizer === undefined || typeof learningRate !== 'number') return undefined;
  return { optimizer: optimizer.getClassName().toLowerCase(), learningRate, batchSize };
}

function callbackList(callbacks: tf.ModelFitArgs['callbacks']): (tf.CustomCallbackArgs | tf.Callback)[] {
  if (callbacks === undefined) return [];
  return Array.isArray(callbacks) ? callbacks : [callbacks];
}

/**
 * The library's progress display and stop button for one `fit`. Its callback is a tfjs CustomCallback:
 * tfjs hands it the losses as numbers and returns to the event loop between batches (every 125 ms),
 * which lets the kernel's SIGINT handler run during the training.
 */
class FitDisplay {
  private readonly stop = new StopRequest();
  private readonly started = performance.now();
  /** The losses of the epochs done, as the figures and the last line read them. */
  private readonly curves: LossHistory;
  private stopped = false;
  private lastShown = 0;
  private batchLosses: number[] = [];
  private epoch = 0;
  readonly callback: tf.CustomCallback;

  constructor(
    private readonly fitted: tf.LayersModel,
    private readonly reporter: ProgressReporter,
  ) {
    this.curves = { label: `${modelName(fitted)} (model.fit)`, loss: [], valLoss: [] };
    this.callback = new tf.CustomCallback({
      onEpochBegin: async (epoch) => this.epochBegins(epoch),
      onBatchEnd: async (batch, logs) => this.batchEnds(batch, logs),
      onEpochEnd: async (_epoch, logs) => this.epochEnds(logs),
      onTrainEnd: async () => this.trainingEnds(),
    });
  }

  dispose(): void {
    this.stop.dispose();
  }

  private get epochs(): number {
    return Number(this.callback.params.epochs);
  }

  private get batches(): number {
    const { steps, samples, batchSize } = this.callback.params;
    return Math.max(1, Number(steps ?? Math.ceil(Number(samples) / Number(batchSize))));
  }

  private state(batch: number, loss: number, valLoss?: number) {
    const elapsedSeconds = (performance.now() - this.started) / 1000;
    const fraction = (this.epoch - 1 + batch / this.batches) / this.epochs;
    const etaSeconds = fraction > 0 ? elapsedSeconds * (1 / fraction - 1) : NaN;
    return {
      label: this.curves.label,
      epoch: this.epoch,
      epochs: this.epochs,
      batch,
      batches: this.batches,
      loss,
      valLoss,
      elapsedSeconds,
      etaSeconds,
    };
  }

  private epochBegins(epoch: number): void {
    this.epoch = epoch + 1;
    this.batchLosses = [];
  }

  private batchEnds(batch: number, logs?: tf.Logs): void {
    this.batchLosses.push(Number(logs?.loss));
    if (performance.now() - this.lastShown > 1000) {
      this.reporter.update(this.state(batch + 1, mean(this.batchLosses)));
      this.lastShown = performance.now();
    }
    if (this.stop.requested) {
      this.stopped = true;
      this.fitted.stopTraining = true;
    }
  }

  private epochEnds(logs?: tf.Logs): void {
    if (this.stopped) return;
    const loss = Number(logs?.loss);
    const valLoss = logs?.val_loss === undefined ? undefined : Number(logs.val_loss);
    this.curves.loss.push(loss);
    if (valLoss !== undefined) this.curves.valLoss.push(valLoss);
    this.reporter.epochEnd(this.state(this.batches, loss, valLoss));
  }

  private trainingEnds(): void {
    const seconds = (performance.now() - this.started) / 1000;
    this.reporter.finish(this.stopped ? interruptedLine(this.curves, this.epoch, seconds) : `${completedLine(this.curves, seconds)}.`);
  }
}

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / Math.max(values.length, 1);
}
