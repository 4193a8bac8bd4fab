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

/**
 * The thread's parts of the epoch's batches, in order: its examples gathered once, then cut in one
 * split (a slice per step would cost an operation at every step, about 0.1 ms on native TensorFlow).
 */
export function partsOfShare(share: EpochShare, inputs: tf.Tensor4D, targets: tf.Tensor4D): PartTensors[] {
  return tf.tidy(() => {
    const rows = tf.tensor1d(share.rows, 'int32');
    const sizes = share.parts.map((part) => part.size);
    const x = tf.split(tf.gather(inputs, rows), sizes) as tf.Tensor4D[];
    const y = targets === inputs ? x : tf.split(tf.gather(targets, rows), sizes) as tf.Tensor4D[];
    return x.map((part, i) => ({ inputs: part, targets: y[i] }));
  });
}

/** Frees the tensors of partsOfShare. */
export function disposeParts(parts: PartTensors[]): void {
  tf.dispose(parts.flatMap((part) => part.inputs === part.targets ? [part.inputs] : [part.inputs, part.targets]));
}
