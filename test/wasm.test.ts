import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { buildConv, trainAutoencoder, ImageSet } from '../lib';
import { registerWasmTrainingKernels } from '../lib/backend/wasm-kernels';
import { stripeImages } from './helpers/images';

/**
 * The wasm backend lacks Conv2DBackpropFilter; the library registers one made of kernels wasm has.
 * Its gradients must match the cpu backend's, for every convolution of the TP's model. The library
 * also replaces wasm's BatchMatMul with transposed operands, its stride-2 transposed convolution
 * (sub-pixel) and its Sum over leading axes: their results must match too.
 */

beforeAll(() => {
  registerWasmTrainingKernels();
  tf.env().set('PROD', true); // silences the cpu backend's "install tfjs-node" notice
});

type FilterGradient = (x: tf.Tensor4D, w: tf.Tensor4D, r: tf.Tensor4D) => tf.Tensor;

interface Case {
  name: string;
  x: [number, number, number, number];
  w: [number, number, number, number];
  /** Output shape, for the random weights r of the loss sum(r · f(x, w)). */
  out: [number, number, number, number];
  gradient: FilterGradient;
}

const convGrad =
  (strides: number, pad: 'same' | 'valid'): FilterGradient =>
  (x, w, r) =>
    tf.grad((filter: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, filter as tf.Tensor4D, strides, pad), r)))(w);
const transposeGrad =
  (outShape: [number, number, number, number], strides: number, pad: 'same' | 'valid'): FilterGradient =>
  (x, w, r) =>
    tf.grad((filter: tf.Tensor) => tf.sum(tf.mul(tf.conv2dTranspose(x, filter as tf.Tensor4D, outShape, strides, pad), r)))(w);

const CASES: Case[] = [
  { name: 'conv 16@3×3 stride 2 same, 28×28×1', x: [4, 28, 28, 1], w: [3, 3, 1, 16], out: [4, 14, 14, 16], gradient: convGrad(2, 'same') },
  { name: 'conv 32@3×3 stride 2 same, 14×14×16', x: [4, 14, 14, 16], w: [3, 3, 16, 32], out: [4, 7, 7, 32], gradient: convGrad(2, 'same') },
  { name: 'conv 64@7×7 valid, 7×7×32', x: [4, 7, 7, 32], w: [7, 7, 32, 64], out: [4, 1, 1, 64], gradient: convGrad(1, 'valid') },
  {
    name: 'odd size: conv 8@3×3 stride 2 same, 15×13×3',
    x: [2, 15, 13, 3],
    w: [3, 3, 3, 8],
    out: [2, 8, 7, 8],
    gradient: convGrad(2, 'same'),
  },
  {
    name: 'transposed 32@7×7 valid, 1×1×64',
    x: [4, 1, 1, 64],
    w: [7, 7, 32, 64],
    out: [4, 7, 7, 32],
    gradient: transposeGrad([4, 7, 7, 32], 1, 'valid'),
  },
  {
    name: 'transposed 16@3×3 stride 2 same, 7×7×32',
    x: [4, 7, 7, 32],
    w: [3, 3, 16, 32],
    out: [4, 14, 14, 16],
    gradient: transposeGrad([4, 14, 14, 16], 2, 'same'),
  },
  {
    name: 'transposed 1@3×3 stride 2 same, 14×14×16',
    x: [4, 14, 14, 16],
    w: [3, 3, 1, 16],
    out: [4, 28, 28, 1],
    gradient: transposeGrad([4, 28, 28, 1], 2, 'same'),
  },
];

async function gradientOn(backend: string, c: Case): Promise<Float32Array> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.randomUniform(c.x, 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomUniform(c.w, -0.5, 0.5, 'float32', 2) as tf.Tensor4D;
    const r = tf.randomUniform(c.out, -1, 1, 'float32', 3) as tf.Tensor4D;
    const g = c.gradient(x, w, r);
    expect(g.shape).toEqual(c.w);
    return g.dataSync() as Float32Array;
  });
}

test.each(CASES.map((c) => [c.name, c] as const))('filter gradient on wasm equals cpu within 1e-4: %s', async (_, c) => {
  const expected = await gradientOn('cpu', c);
  const actual = await gradientOn('wasm', c);
  const scale = Math.max(1, ...Array.from(expected, Math.abs));
  const worst = Math.max(...Array.from(actual, (v, i) => Math.abs(v - expected[i])));
  expect(worst / scale).toBeLessThan(1e-4);
});

async function valuesOn(backend: string, compute: () => tf.Tensor): Promise<{ shape: number[]; values: Float32Array }> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const result = compute();
    return { shape: result.shape, values: result.dataSync() as Float32Array };
  });
}

const random = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);

test.each([
  ['matMul, transposeA', (): tf.Tensor => tf.matMul(random([32, 20], 1), random([32, 12], 2), true, false)],
  ['matMul, transposeB', (): tf.Tensor => tf.matMul(random([20, 32], 1), random([12, 32], 2), false, true)],
  ['matMul, both, batched', (): tf.Tensor => tf.matMul(random([3, 32, 20], 1), random([3, 12, 32], 2), true, true)],
  [
    'transposed 16@3×3 stride 2 same, 7×7×32',
    (): tf.Tensor =>
      tf.conv2dTranspose(random([4, 7, 7, 32], 1) as tf.Tensor4D, random([3, 3, 16, 32], 2) as tf.Tensor4D, [4, 14, 14, 16], 2, 'same'),
  ],
  [
    'transposed 1@3×3 stride 2 same, 5×3×4',
    (): tf.Tensor =>
      tf.conv2dTranspose(random([2, 5, 3, 4], 1) as tf.Tensor4D, random([3, 3, 1, 4], 2) as tf.Tensor4D, [2, 10, 6, 1], 2, 'same'),
  ],
  [
    'transposed 2@4×4 stride 2 same (original kernel)',
    (): tf.Tensor =>
      tf.conv2dTranspose(random([2, 5, 5, 3], 1) as tf.Tensor4D, random([4, 4, 2, 3], 2) as tf.Tensor4D, [2, 10, 10, 2], 2, 'same'),
  ],
  ['sum over all axes but the last (bias gradient of a convolution)', (): tf.Tensor => tf.sum(random([64, 14, 14, 16], 1), [0, 1, 2])],
  ['sum over the first axis, kept dimensions, negative axis', (): tf.Tensor => tf.sum(random([64, 1568], 1), -2, true)],
  ['sum over other axes (original kernel)', (): tf.Tensor => tf.sum(random([4, 5, 6], 1), [1, 2])],
  [
    'input gradient of conv 32@3×3 stride 2 same',
    (): tf.Tensor =>
      tf.grad((x: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(x as tf.Tensor4D, random([3, 3, 16, 32], 2) as tf.Tensor4D, 2, 'same'), random([2, 7, 7, 32], 3))),
      )(random([2, 14, 14, 16], 1)),
  ],
] as const)('replaced wasm kernel equals cpu within 1e-4: %s', async (_, compute) => {
  const expected = await valuesOn('cpu', compute);
  const actual = await valuesOn('wasm', compute);
  expect(actual.shape).toEqual(expected.shape);
  const scale = Math.max(1, ...Array.from(expected.values, Math.abs));
  const worst = Math.max(...Array.from(actual.values, (v, i) => Math.abs(v - expected.values[i])));
  expect(worst / scale).toBeLessThan(1e-4);
});

test('the convolutional autoencoder trains on wasm', async () => {
  await tf.setBackend('wasm');
  const images = stripeImages(256);
  const history = await trainAutoencoder(
    buildConv(),
    { inputs: images },
    { epochs: 3, batchSize: 64, learningRate: 3e-3, progress: 'none' },
  );
  expect(history.loss[2]).toBeLessThan(history.loss[0]);
});

test.each([1, 2])('no tensor left on wasm after a training on %i thread(s), once the model is disposed', async (threads) => {
  await tf.setBackend('wasm');
  const images: ImageSet = { pixels: new Float32Array(128 * 784).map((_, i) => (i % 7) / 7), count: 128, height: 28, width: 28 };
  const before = tf.memory().numTensors;
  for (let run = 0; run < 2; run++) {
    const model = buildConv({ codeSize: 8 });
    const history = await trainAutoencoder(model, { inputs: images }, { epochs: 2, batchSize: 32, threads, progress: 'none' });
    expect(history.threads).toBe(threads);
    model.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }
});
