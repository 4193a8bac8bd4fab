/**
 * A helper thread's side of multi-threaded training (started by HelperThreads, see threads.ts).
 *
 * It rebuilds the model from its description and the shared weights, then follows the
 * same schedule as the main thread (the same seeded shuffles, the same batches): for each batch it
 * computes the gradient of its part and takes its share of the update through the exchange.
 * It never returns to its event loop while training: the main thread stops it through the exchange,
 * and it ends once it has freed its tensors.
 */
import * as tf from '@tensorflow/tfjs';
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../backend';
import { autoencoder } from '../models/autoencoder';
import { SeededRandom } from '../util/random';
import { TrainingPixels, disposeParts, partsOfShare, shareOfEpoch } from '../step/batches';
import { trainableVariables } from '../step/trainer';
import { GradientExchange, StopRequested } from './exchange';
import { fastestTrainer } from './index';
import type { HelperInit, HelperMessage } from './threads';

const post = (message: HelperMessage) => parentPort?.postMessage(message);

/** The model, with its layers' initial weights (the trainable ones are then loaded from the exchange). */
async function rebuild({ description }: HelperInit) {
  const [encoder, decoder] = await Promise.all([description.encoder, description.decoder].map((json) => tf.models.modelFromJSON(json)));
  return autoencoder({ encoder, decoder, name: description.name });
}

async function run(init: HelperInit): Promise<void> {
  // tfjs's notices (such as its advice to install tfjs-node, printed on wasm) are the main thread's to show.
  tf.enableProdMode();
  const backend = await initBackend({ preferred: init.backend, print: false });
  if (backend.name !== init.backend) throw new Error(`the helper thread started ${backend.name}, not ${init.backend}`);
  const autoencoder = await rebuild(init);
  const { trainer } = fastestTrainer(autoencoder, 'adam', init.learningRate, init.loss);
  const variables = trainableVariables(autoencoder);
  const exchange = new GradientExchange(init.buffers, {
    threads: init.threads,
    thread: init.thread,
    learningRate: init.learningRate,
    timeoutSeconds: Infinity,
  });
  // attach checks that the rebuilt model's variables have the main thread's sizes.
  exchange.attach(variables);
  const pixels: TrainingPixels = {
    inputs: new Float32Array(init.inputs),
    targets: init.targets && new Float32Array(init.targets),
    imageShape: autoencoder.imageShape,
  };
  post({ type: 'ready' });
  const random = new SeededRandom(init.seed);
  let step = 0;
  try {
    for (;;) {
      const share = shareOfEpoch(random.permutation(init.count), init.batchSize, init.threads, init.thread);
      const parts = partsOfShare(share, pixels);
      try {
        share.parts.forEach((part, b) => {
          step++;
          tf.tidy(() => {
            const own = part.size === 0 ? undefined : trainer.gradient(parts[b].inputs, parts[b].targets, part.batchSize);
            exchange.step(step, own, variables);
          });
        });
      } finally {
        disposeParts(parts);
      }
    }
  } catch (error) {
    if (!(error instanceof StopRequested)) exchange.fail(error);
  } finally {
    // Free every tensor before the thread ends: tfjs-node's addon frees whatever is left while the
    // thread is being torn down, which can crash the process.
    trainer.dispose();
    autoencoder.model.dispose();
    tf.disposeVariables();
  }
}

run(workerData as HelperInit).catch((error: unknown) => {
  post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
});
