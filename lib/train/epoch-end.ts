import * as tf from '@tensorflow/tfjs';
import { TrainingDivergedError, TrainingHistory } from './history';

/** L'arrêt anticipé : arrêter quand la perte suivie ne baisse plus. */
export interface EarlyStoppingOptions {
  /** Nombre d'époques sans amélioration de la perte suivie avant d'arrêter. */
  patience: number;
  /** Plus petite baisse qui compte comme une amélioration (0 par défaut). */
  minDelta?: number;
  /** Remettre les poids de la meilleure époque en arrêtant (oui par défaut). */
  restoreBestWeights?: boolean;
}

/**
 * What the end of each epoch decides beyond recording it, as Keras's callbacks do: a loss that is no
 * longer finite stops the training with the last finite weights; the best epoch (by validation loss
 * where there is one) is tracked; early stopping stops after `patience` epochs without improvement
 * and puts the best epoch's weights back.
 */
export class EpochEnd {
  /** The weights after the last finite epoch, put back when the loss diverges. */
  private lastGood: tf.Tensor[];
  private best: tf.Tensor[] | undefined;
  private bestValue = Infinity;
  private waited = 0;

  constructor(
    private readonly model: tf.LayersModel,
    private readonly history: TrainingHistory,
    private readonly earlyStopping: EarlyStoppingOptions | undefined,
    /** The learning rate, named in the divergence's message. */
    private readonly learningRate: number,
  ) {
    this.lastGood = model.getWeights().map((w) => w.clone());
  }

  /** Throws TrainingDivergedError unless `loss` is finite, the last finite epoch's weights put back (call `beforeRestore` first). */
  checkFinite(epoch: number, loss: number, beforeRestore: () => void): void {
    if (Number.isFinite(loss)) return;
    beforeRestore();
    this.model.setWeights(this.lastGood);
    throw new TrainingDivergedError(
      `${this.history.label} : la perte est devenue ${loss} pendant l'époque ${epoch} ; l'entraînement s'arrête et garde les poids ` +
        `de l'époque ${epoch - 1}. Essayez un learningRate plus petit (actuellement ${this.learningRate}) ou cherchez des valeurs NaN dans les données.`,
      this.history,
    );
  }

  /** After a finished epoch: keeps its weights as the last good ones, tracks the best epoch; true when early stopping says stop. */
  finished(epoch: number): boolean {
    tf.dispose(this.lastGood);
    this.lastGood = this.model.getWeights().map((w) => w.clone());
    const monitored = this.history.valLoss.length > 0 ? this.history.valLoss : this.history.loss;
    if (monitored[epoch - 1] < this.bestValue - (this.earlyStopping?.minDelta ?? 0)) {
      this.bestValue = monitored[epoch - 1];
      this.history.bestEpoch = epoch;
      this.waited = 0;
      if (this.earlyStopping) {
        tf.dispose(this.best ?? []);
        this.best = this.model.getWeights().map((w) => w.clone());
      }
    } else {
      this.waited++;
    }
    return this.earlyStopping !== undefined && this.waited >= this.earlyStopping.patience;
  }

  /** Once the epochs are over: the best epoch's weights back after an early stop, else the last epoch is the one kept. */
  finish(): void {
    if (this.history.stoppedEarly && this.best && (this.earlyStopping?.restoreBestWeights ?? true)) this.model.setWeights(this.best);
    else this.history.bestEpoch = this.history.loss.length;
  }

  dispose(): void {
    tf.dispose([...this.lastGood, ...(this.best ?? [])]);
  }
}
