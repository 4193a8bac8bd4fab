import * as tf from '@tensorflow/tfjs';
import { ImageSet, buildConv, initBackend, trainAutoencoder } from '../lib';

/**
 * Trainings that leave nothing behind: once the model is disposed, the tensor count is back to its
 * starting value after each training, on one and two threads, and the process's memory stays flat
 * over eight trainings (a leak of the shared weights once cost about 1.7 MB per epoch: 34 MB over the
 * five trainings compared here).
 */

beforeAll(async () => {
  await initBackend({ print: false });
});

const images: ImageSet = { pixels: new Float32Array(1024 * 784).map((_, i) => ((i * 7) % 11) / 11), count: 1024, height: 28, width: 28 };

async function trainAndDispose(threads: number): Promise<void> {
  const model = buildConv();
  await trainAutoencoder(model, { inputs: images }, { epochs: 4, batchSize: 128, threads, progress: 'none' });
  model.model.dispose();
}

test.each([1, 2])('%i thread(s): the tensor count is back to its start after each training', async (threads) => {
  const before = tf.memory().numTensors;
  for (let run = 0; run < 3; run++) {
    await trainAndDispose(threads);
    expect(tf.memory().numTensors).toBe(before);
  }
});

test('two threads: the resident memory stays flat over eight trainings', async () => {
  const rss: number[] = [];
  for (let run = 0; run < 8; run++) {
    await trainAndDispose(2);
    if (global.gc) global.gc();
    rss.push(process.memoryUsage().rss / 2 ** 20);
  }
  // The first trainings grow the allocators' pools; from the third on, no growth beyond noise.
  const growth = rss[7] - rss[2];
  expect(growth).toBeLessThan(16);
}, 300_000);
