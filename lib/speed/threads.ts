import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { inBrowser, type BackendName } from '../backend';
import { Autoencoder } from '../models/types';
import { TrainingPixels } from '../step/batches';
import { LossName, PartGradient, trainableVariables } from '../step/trainer';
import { ExchangeBuffers, GradientExchange, createExchangeBuffers } from './exchange';

/**
 * Multi-threaded training: the main thread and helper threads (worker_threads) share every batch.
 *
 * The TP's models are small, so TensorFlow's own thread pool gains little on them (each operation is
 * too short to split; on the dense models it costs more than it saves) and the training step runs
 * on one core. Here each thread holds a copy of the model and computes the gradient of its part of
 * the batch, one core each; the threads then share the Adam update through shared memory
 * (exchange.ts). Results equal one thread's up to rounding (the batch's gradient is summed by parts).
 */

/** What a helper thread needs to rebuild the autoencoder (its layers as tfjs-layers JSON). */
export interface ModelTopology {
  name: string;
  encoder: tf.io.ModelJSON['modelTopology'];
  decoder: tf.io.ModelJSON['modelTopology'];
}

/** The data handed to a helper thread when it starts. */
export interface HelperInit {
  thread: number;
  threads: number;
  backend: BackendName;
  description: ModelTopology;
  learningRate: number;
  loss: LossName;
  /** The shuffling seed and batch size: helpers follow the main thread's schedule. */
  seed: number;
  batchSize: number;
  /** The training images (float32, count × M × N), shared by all threads; targets when they differ. */
  inputs: SharedArrayBuffer;
  targets?: SharedArrayBuffer;
  count: number;
  buffers: ExchangeBuffers;
}

export type HelperMessage = { type: 'ready' } | { type: 'error'; message: string };

/** A training's recipe and its training images, as the main thread has them. */
export interface HelperSetup {
  learningRate: number;
  loss: LossName;
  seed: number;
  batchSize: number;
  pixels: TrainingPixels;
  count: number;
}

/** How long the main thread waits for a helper's part of a step before giving up. */
const HELPER_TIMEOUT_SECONDS = 120;

/** The cores this process may use. */
export function coreCount(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/**
 * Why helper threads cannot train on this backend, or undefined when they can. Native TensorFlow
 * needs the addon that scripts/setup.mjs builds from patched source and marks with this file (the
 * stock addon is not safe to run from two threads at once); the other backends have no native part.
 */
export function helperThreadsUnavailable(backend: string): string | undefined {
  if (inBrowser()) return "pas de fils d'aide dans le navigateur";
  if (backend !== 'tensorflow') return undefined;
  const addonDir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-node/package.json')), 'lib', 'napi-v8');
  if (fs.existsSync(path.join(addonDir, 'thread-safe-attributes'))) return undefined;
  return "l'extension native de tfjs-node n'est pas la version sûre à plusieurs fils que construit `node scripts/setup.mjs`";
}

/** The compiled helper script: next to this module, or in build/ when this module runs from its TypeScript source (tests). */
function helperScript(): string {
  const candidates = [
    path.join(__dirname, 'helper-thread.js'),
    path.resolve(__dirname, '..', '..', 'build', 'lib', 'speed', 'helper-thread.js'),
  ];
  const found = candidates.find((file) => fs.existsSync(file));
  if (found === undefined)
    throw new Error(`the helper thread's script is missing (looked for ${candidates.join(', ')}); run \`npm run build\``);
  return found;
}

function shared(values: Float32Array): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(values.byteLength);
  new Float32Array(buffer).set(values);
  return buffer;
}

function topologyOf(autoencoder: Autoencoder): ModelTopology {
  const { name } = autoencoder;
  return {
    name,
    encoder: autoencoder.encoder.toJSON(null, false) as ModelTopology['encoder'],
    decoder: autoencoder.decoder.toJSON(null, false) as ModelTopology['decoder'],
  };
}

function started(worker: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    worker.once('message', (message: HelperMessage) => {
      if (message.type === 'ready') resolve();
      else reject(new Error(message.message));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the helper thread exited (code ${code}) before it was ready`)));
  });
}

/** How long a stopped helper may take to free its tensors and end before it is terminated. */
const HELPER_EXIT_SECONDS = 10;

/** Resolves when the worker has ended, terminating it if it does not end by itself in time. */
function ended(worker: Worker): Promise<void> {
  if (worker.threadId < 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => void worker.terminate(), HELPER_EXIT_SECONDS * 1000);
    worker.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The helper threads of one training run, and the exchange the main thread (thread 0) swaps parts through. */
export class HelperThreads {
  private constructor(
    private readonly workers: Worker[],
    private readonly exchange: GradientExchange,
    private readonly variables: tf.Variable[],
  ) {}

  /** Threads sharing each batch, the main thread included. */
  get threads(): number {
    return this.workers.length + 1;
  }

  /** Starts threads − 1 helpers with copies of the model and the data; resolves when all are ready. */
  static async start(autoencoder: Autoencoder, threads: number, setup: HelperSetup): Promise<HelperThreads> {
    const variables = trainableVariables(autoencoder);
    const buffers = createExchangeBuffers(
      threads,
      variables.map((v) => v.size),
    );
    const exchange = new GradientExchange(buffers, {
      threads,
      thread: 0,
      learningRate: setup.learningRate,
      timeoutSeconds: HELPER_TIMEOUT_SECONDS,
    });
    exchange.setWeights(variables);
    const common = {
      threads,
      backend: tf.getBackend() as BackendName,
      description: topologyOf(autoencoder),
      learningRate: setup.learningRate,
      loss: setup.loss,
      seed: setup.seed,
      batchSize: setup.batchSize,
      inputs: shared(setup.pixels.inputs),
      targets: setup.pixels.targets && shared(setup.pixels.targets),
      count: setup.count,
      buffers,
    };
    const script = helperScript();
    const workers: Worker[] = [];
    for (let thread = 1; thread < threads; thread++) {
      const init: HelperInit = { ...common, thread };
      workers.push(new Worker(script, { workerData: init }));
    }
    const helpers = new HelperThreads(workers, exchange, variables);
    try {
      await Promise.all(workers.map(started));
    } catch (error) {
      await helpers.stop();
      throw new Error(`a helper training thread did not start: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    return helpers;
  }

  /** Lets the model read the shared weights in place until detach (see GradientExchange.attach). */
  attach(): void {
    this.exchange.attach(this.variables);
  }

  /** Gives the model a copy of the weights that the next steps leave alone. */
  detach(): void {
    this.exchange.detach(this.variables);
  }

  /** Step `step` with this thread's part: updates the model's weights, returns the batch's loss (see GradientExchange.step). */
  step(step: number, own: PartGradient): number {
    return this.exchange.step(step, own, this.variables);
  }

  /** Stops the helpers and waits until they have ended (see helper-thread.ts). */
  async stop(): Promise<void> {
    this.exchange.stop();
    await Promise.all(this.workers.map(ended));
  }
}
