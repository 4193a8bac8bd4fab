/**
 * Where one training step's time goes, on native TensorFlow, one thread (as the library trains the
 * dense models): the whole step, then each of its parts timed alone, in one process:
 *   - the batch: its images gathered from JavaScript memory into one tensor by the library's own
 *     partsOfShare (which a training calls once per epoch for every batch; per step it costs the same);
 *   - the forward and backward pass (the native trainer's `gradient`);
 *   - the Adam update on one vector (its `apply`);
 *   - TensorFlow's fixed cost per operation: an AddV2 of two one-element tensors, times the number
 *     of operations one step issues (counted by wrapping the backend's execute methods for one step).
 * Reads MODEL and BATCH from argv; prints JSON on stdout.
 *   node build/bench/anatomy.js DATA_DIR MODEL BATCH
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib';
import { nativeTrainer } from '../lib/speed/native-step';
import { NativeBackend, nativeBackend, typeAttribute } from '../lib/speed/tfjs-internals';
import { PartTensors, TrainingPixels, disposeParts, partsOfShare } from '../lib/step/batches';
import { BenchModel, buildBenchModel, pairFor } from './common';
import { median } from './spread';

/** Steps timed for each measure, after as many thrown away. */
const STEPS = 200;

export interface Anatomy {
  model: BenchModel;
  batch: number;
  /** Milliseconds, each the median of STEPS. */
  stepMs: number;
  batchTensorsMs: number;
  forwardBackwardMs: number;
  adamMs: number;
  operationsPerStep: number;
  operationMicroseconds: number;
  parameters: number;
}

function timed(steps: number, work: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < 2 * steps; i++) {
    const started = performance.now();
    work();
    if (i >= steps) times.push(performance.now() - started);
  }
  return median(times);
}

/** Counts the operations `work` issues on the native backend. */
function countOperations(backend: NativeBackend, work: () => void): number {
  const [single, multiple] = [backend.executeSingleOutput, backend.executeMultipleOutputs];
  let count = 0;
  backend.executeSingleOutput = (...args) => {
    count++;
    return single.apply(backend, args);
  };
  backend.executeMultipleOutputs = (...args) => {
    count++;
    return multiple.apply(backend, args);
  };
  try {
    work();
  } finally {
    [backend.executeSingleOutput, backend.executeMultipleOutputs] = [single, multiple];
  }
  return count;
}

async function main(): Promise<void> {
  const [dataDir, model, batchText] = process.argv.slice(2) as [string, BenchModel, string];
  const batch = Number(batchText);
  await initBackend({ preferred: 'tensorflow', print: false });
  const backend = nativeBackend();
  if (!backend) throw new Error('native TensorFlow is not the backend');
  const autoencoder = buildBenchModel(model);
  const trainer = nativeTrainer(autoencoder, 1e-3);
  if (typeof trainer === 'string') throw new Error(`no native step for ${model}: ${trainer}`);
  const images = pairFor(model, dataDir, 'train');
  const pixels: TrainingPixels = {
    inputs: images.inputs.pixels,
    targets: images.targets === images.inputs ? undefined : images.targets.pixels,
    imageShape: [images.inputs.height, images.inputs.width],
  };
  let first = 0;
  // One batch of consecutive images, made a tensor as the library makes each thread's part of a batch.
  const nextBatch = (): PartTensors => {
    first = (first + batch) % (images.inputs.count - batch);
    const rows = Int32Array.from({ length: batch }, (_, i) => first + i);
    return partsOfShare({ rows, parts: [{ size: batch, batchSize: batch }] }, pixels)[0];
  };
  const release = (part: PartTensors) => disposeParts([part]);
  const step = () => {
    const b = nextBatch();
    const { loss, gradients } = trainer.gradient(b.inputs, b.targets, batch);
    trainer.apply(gradients);
    tf.dispose([loss, ...gradients]);
    release(b);
  };
  const stepMs = timed(STEPS, step);
  const batchTensorsMs = timed(STEPS, () => release(nextBatch()));
  const fixed = nextBatch();
  const forwardBackwardMs = timed(STEPS, () => {
    const { loss, gradients } = trainer.gradient(fixed.inputs, fixed.targets, batch);
    tf.dispose([loss, ...gradients]);
  });
  const { loss, gradients } = trainer.gradient(fixed.inputs, fixed.targets, batch);
  const adamMs = timed(STEPS, () => trainer.apply(gradients));
  const operationsPerStep = countOperations(backend, step);
  const [a, b] = [tf.scalar(1), tf.scalar(2)];
  const float = [typeAttribute('T', 'float32')];
  const operationMicroseconds = 1000 * timed(20 * STEPS, () => backend.executeSingleOutput('AddV2', float, [a, b]).dispose());
  const anatomy: Anatomy = {
    model,
    batch,
    stepMs,
    batchTensorsMs,
    forwardBackwardMs,
    adamMs,
    operationsPerStep,
    operationMicroseconds,
    parameters: trainer.size,
  };
  tf.dispose([loss, ...gradients, a, b]);
  release(fixed);
  process.stdout.write(`${JSON.stringify(anatomy)}\n`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
