import * as tf from '@tensorflow/tfjs';

/** One thread's part of one batch. */
export interface BatchPart {
  /** Where the part starts among the thread's examples of the epoch. */
  offset: number;
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
    parts.push({ offset: rows.length, size: to - from, batchSize: size });
    for (let i = from; i < to; i++) rows.push(order[i]);
  }
  return { rows: Int32Array.from(rows), parts };
}

/** The thread's examples of the epoch, in order, as one tensor each for inputs and targets (made once per epoch). */
export function gatherShare(share: EpochShare, inputs: tf.Tensor4D, targets: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D] {
  return tf.tidy(() => {
    const rows = tf.tensor1d(share.rows, 'int32');
    const x = tf.gather(inputs, rows);
    return [x, targets === inputs ? x : tf.gather(targets, rows)];
  });
}
