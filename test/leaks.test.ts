import { spawnSync } from 'node:child_process';
import path from 'node:path';
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

/**
 * Measured in a process of its own, with garbage collection run after each training: the shared
 * buffers of a two-thread training (the images, the exchange's memory) are freed only when V8
 * collects them, which it does late because they live outside its heap (without gc() the resident
 * memory rises about 4 MB per training until a collection comes).
 */
test('two threads: the resident memory stays flat over eight trainings', () => {
  const script = `
    const lab = require(${JSON.stringify(path.join(__dirname, '..', 'build', 'lib'))});
    (async () => {
      await lab.initBackend({ print: false });
      const images = { pixels: new Float32Array(1024 * 784).map((_, i) => ((i * 7) % 11) / 11), count: 1024, height: 28, width: 28 };
      const rss = [];
      for (let run = 0; run < 8; run++) {
        const model = lab.buildConv();
        await lab.trainAutoencoder(model, { inputs: images }, { epochs: 4, batchSize: 128, threads: 2, progress: 'none' });
        model.model.dispose();
        global.gc();
        await new Promise((resolve) => setTimeout(resolve, 200));
        global.gc();
        rss.push(process.memoryUsage().rss / 2 ** 20);
      }
      console.log(JSON.stringify(rss));
    })();`;
  const result = spawnSync('node', ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: 240_000 });
  expect(result.status).toBe(0);
  const rss: number[] = JSON.parse(result.stdout.trim().split('\n').pop() as string);
  // The first trainings grow the allocators' pools; from the third on, no growth beyond noise.
  expect(rss[7] - rss[2]).toBeLessThan(16);
}, 300_000);
