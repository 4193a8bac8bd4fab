import * as tf from '@tensorflow/tfjs';

/** One thread's part of one batch. */
export interface BatchPart {
  size: number;
  /** Size of the whole batch the part belongs to. */
  batchSize: number;
}

/** What one thread trains on during an epoch. */
export interface EpochShare {
  /** Indices of the thread's examples, in the order it uses them: its part of batch 1, of batch 2… */
  rows: Int32Array;
  parts: BatchPart[];
}

/**
 * Deals an epoch's shuffled examples out between `threads` threads: each batch of `order` (in
 * batches of batchSize) is cut into near-equal consecutive parts, the first for thread 0 (the
 * main thread), the next for thread 1, and so on. A thread may get an empty part of a small batch.
 */
export function shareOfEpoch(order: Int32Array, batchSize: number, threads: number, thread: number): EpochShare {
  const parts: BatchPart[] = [];
  const rows: number[] = [];
  for (let start = 0; start < order.length; start += batchSize) {
    const size = Math.min(batchSize, order.length - start);
    const from = start + Math.ceil((size * thread) / threads);
    const to = start + Math.ceil((size * (thread + 1)) / threads);
    parts.push({ size: to - from, batchSize: size });
    for (let i = from; i < to; i++) rows.push(order[i]);
  }
  return { rows: Int32Array.from(rows), parts };
}

/** A thread's part of one batch: inputs and targets (the same tensor when the targets are the inputs). */
export interface PartTensors {
  inputs: tf.Tensor4D;
  targets: tf.Tensor4D;
}

/** The training images as a thread holds them in JavaScript memory, one after another. */
export interface TrainingPixels {
  inputs: Float32Array;
  /** The targets, where they are not the inputs. */
  targets?: Float32Array;
  imageShape: [number, number];
}

/**
 * The thread's parts of the epoch's batches, in order, each gathered from the images in JavaScript
 * memory and made a tensor once per epoch. Gathering on the backend instead would need the whole
 * training set there, and on wasm took 33 ms per epoch of 1,024 images (gather and split) against 1 ms.
 */
export function partsOfShare(share: EpochShare, images: TrainingPixels): PartTensors[] {
  const [m, n] = images.imageShape;
  const size = m * n;
  let next = 0;
  const gather = (pixels: Float32Array, count: number) => {
    const part = new Float32Array(count * size);
    for (let i = 0; i < count; i++) {
      const row = share.rows[next + i];
      part.set(pixels.subarray(row * size, (row + 1) * size), i * size);
    }
    return tf.tensor4d(part, [count, m, n, 1]);
  };
  return share.parts.map(({ size: count }) => {
    const inputs = gather(images.inputs, count);
    const targets = images.targets ? gather(images.targets, count) : inputs;
    next += count;
    return { inputs, targets };
  });
}

/** Frees the tensors of partsOfShare. */
export function disposeParts(parts: PartTensors[]): void {
  tf.dispose(parts.flatMap((part) => (part.inputs === part.targets ? [part.inputs] : [part.inputs, part.targets])));
}
