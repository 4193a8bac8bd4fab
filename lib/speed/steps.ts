import * as tf from '@tensorflow/tfjs';
import { Autoencoder } from '../models/types';
import { PartTensors, disposeParts, partsOfShare, shareOfEpoch } from '../step/batches';
import { Trainer, trainStep } from '../step/trainer';
import { HelperSetup, HelperThreads } from './threads';

export type TrainingPath = 'native' | 'fused' | 'reference';

/** The trainer chosen for a model, the path it takes and, off the native path, why. */
export interface ChosenTrainer {
  trainer: Trainer;
  path: TrainingPath;
  /** Why a faster path does not apply (in French, shown to students), when the path is not native. */
  reason?: string;
}

/** What the steps need to know of a training: its recipe, its training images and its threads. */
export interface StepsSetup extends HelperSetup {
  /** Threads to share each batch with, and why one where two would have paid. */
  threads: { threads: number; reason?: string };
  /** The threads were asked for: helpers that cannot start are an error, not a reason to go on alone. */
  explicitThreads: boolean;
}

/** One epoch's batches, in a shuffled order: the loop runs `step(b)` for each, then `end()`. */
export interface EpochSteps {
  batches: number;
  /** Trains on batch `b` and returns its loss (not yet read from the device). */
  step(b: number): tf.Scalar;
  /** The mean loss per image of the first batches, given their losses (the last batch may be smaller). */
  meanOf(losses: ArrayLike<number>): number;
  /** Frees the epoch's batches and leaves the weights the threads share. */
  end(): void;
}

/**
 * A training's steps, on this thread alone or shared with helper threads: the training loop asks
 * for an epoch's batches and each batch's step, and never sees the threads. With helpers, each
 * thread computes the gradient of its part of every batch, the parts are added up and each thread
 * applies the same Adam update to its own copy of the weights (threads.ts).
 */
export class TrainingSteps {
  private stepsDone = 0;

  private constructor(
    private readonly chosen: ChosenTrainer,
    private readonly helpers: HelperThreads | undefined,
    private readonly setup: StepsSetup,
    /** Why the training runs on one thread where two would have paid, if so (in French). */
    readonly threadsReason: string | undefined,
  ) {}

  /**
   * Starts the helper threads the setup asks for; when they were not asked for explicitly and cannot
   * start, the steps run on this thread alone and `threadsReason` says why. Disposes the trainer if it fails.
   */
  static async start(autoencoder: Autoencoder, chosen: ChosenTrainer, setup: StepsSetup): Promise<TrainingSteps> {
    let reason = setup.threads.reason;
    let helpers: HelperThreads | undefined;
    if (setup.threads.threads > 1) {
      try {
        helpers = await HelperThreads.start(autoencoder, setup.threads.threads, setup);
      } catch (error) {
        if (setup.explicitThreads) {
          chosen.trainer.dispose();
          throw error;
        }
        reason = `les fils d'aide n'ont pas démarré : ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    return new TrainingSteps(chosen, helpers, setup, reason);
  }

  get threads(): number {
    return this.helpers?.threads ?? 1;
  }

  get path(): TrainingPath {
    return this.chosen.path;
  }

  /** Why a faster path did not apply, when the path is not native (in French). */
  get pathReason(): string | undefined {
    return this.chosen.reason;
  }

  get batchesPerEpoch(): number {
    return Math.ceil(this.setup.count / this.setup.batchSize);
  }

  /** The epoch's batches in `order` (this thread's parts of them, copied out once). */
  epoch(order: Int32Array): EpochSteps {
    const { trainer } = this.chosen;
    const share = shareOfEpoch(order, this.setup.batchSize, this.threads, 0);
    const parts: PartTensors[] = partsOfShare(share, this.setup.pixels);
    // Until the epoch's steps are done, the model reads the weights the threads share, in place.
    this.helpers?.attach();
    return {
      batches: parts.length,
      step: (b) => {
        const { inputs, targets } = parts[b];
        this.stepsDone++;
        return tf.tidy(() => {
          if (!this.helpers) return trainStep(trainer, inputs, targets);
          return tf.scalar(this.helpers.step(this.stepsDone, trainer.gradient(inputs, targets, share.parts[b].batchSize)));
        });
      },
      meanOf: (losses) => {
        const { batchSize, count } = this.setup;
        let sum = 0;
        for (let b = 0; b < losses.length; b++) sum += losses[b] * Math.min(batchSize, count - b * batchSize);
        return sum / Math.min(count, losses.length * batchSize);
      },
      end: () => {
        this.helpers?.detach();
        disposeParts(parts);
      },
    };
  }

  /** Leaves the weights the threads share, so that the model's own weights can be set (a diverged training's last good ones). */
  detach(): void {
    this.helpers?.detach();
  }

  /** Frees the trainer and stops the helper threads. */
  async stop(): Promise<void> {
    this.chosen.trainer.dispose();
    await this.helpers?.stop();
  }
}
