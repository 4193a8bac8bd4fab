import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { buildConv, buildDense1, buildDense2, initBackend } from '../lib';
import { compileForward } from '../lib/speed/fused-forward';
import { FlatAdam } from '../lib/speed/flat-adam';
import { autoencoder as joinAutoencoder } from '../lib/models/autoencoder';
import { nativeTrainer } from '../lib/speed/native-step';
import { Autoencoder } from '../lib';
import { Trainer, trainStep } from '../lib/step/trainer';
import { describeUnless } from './helpers/skip';

/** The training loop's fast path must compute exactly what tfjs-layers and tf.train.adam compute. */

beforeAll(async () => {
  await initBackend({ print: false });
});

/** The fused forward pass, which must apply to the model. */
function fused(autoencoder: Autoencoder) {
  const fast = compileForward(autoencoder);
  if (typeof fast === 'string') throw new Error(`the fused pass should apply: ${fast}`);
  return fast;
}

/** The native trainer, which must apply to the model. */
function nativeOf(autoencoder: Autoencoder, learningRate = 1e-3): Trainer {
  const trainer = nativeTrainer(autoencoder, learningRate);
  if (typeof trainer === 'string') throw new Error(`the native step should apply: ${trainer}`);
  return trainer;
}

/** Conv model with its activations as layers of their own: LeakyReLU after each hidden layer. */
function withLeakyReluLayers() {
  const encoder = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, strides: 2, padding: 'same' }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 7, padding: 'valid' }),
    ],
  });
  const decoder = tf.sequential({
    layers: [
      tf.layers.conv2dTranspose({ inputShape: [8, 8, 16], filters: 8, kernelSize: 7, padding: 'valid' }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.conv2dTranspose({ filters: 1, kernelSize: 3, strides: 2, padding: 'same', activation: 'sigmoid' }),
    ],
  });
  return joinAutoencoder({ encoder, decoder, name: 'with LeakyReLU layers' });
}

/** Dense n°1 as the notebook's skeleton writes it: each half a tf.sequential, the decoder opened by an input layer. */
function writtenWithInputLayers() {
  const encoder = tf.sequential();
  encoder.add(tf.layers.flatten({ inputShape: [28, 28, 1] }));
  encoder.add(tf.layers.dense({ units: 64, activation: 'relu' }));
  const decoder = tf.sequential();
  decoder.add(tf.layers.inputLayer({ inputShape: [64] }));
  decoder.add(tf.layers.dense({ units: 784, activation: 'sigmoid' }));
  decoder.add(tf.layers.reshape({ targetShape: [28, 28, 1] }));
  return joinAutoencoder({ encoder, decoder, name: 'written with input layers' });
}

const MODELS = [
  ['Dense n°1, no activation', () => buildDense1({ activation: 'none' })],
  ['Dense n°1, relu', () => buildDense1({ activation: 'relu' })],
  ['Dense n°2, relu', () => buildDense2({ activation: 'relu' })],
  ['Dense n°2, tanh', () => buildDense2({ activation: 'tanh' })],
  ['conv, relu', () => buildConv({ activation: 'relu' })],
  ['conv, elu, 32×16 images', () => buildConv({ activation: 'elu', imageShape: [32, 16] })],
  ['written with input layers', writtenWithInputLayers],
  ['with LeakyReLU layers', withLeakyReluLayers],
] as const;

test.each(MODELS)('%s: the fast forward pass equals the model', (_, build) => {
  const autoencoder = build();
  const fast = fused(autoencoder);
  expect(fast.variables).toHaveLength(autoencoder.model.trainableWeights.length);
  const [m, n] = autoencoder.imageShape;
  const worst = tf.tidy(() => {
    const x = tf.randomUniform([5, m, n, 1], 0, 1, 'float32', 7) as tf.Tensor4D;
    const expected = autoencoder.model.predict(x) as tf.Tensor;
    const actual = fast.forward(x);
    expect(actual.shape).toEqual(expected.shape);
    return tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0];
  });
  expect(worst).toBeLessThan(1e-5);
});

test('its gradients equal those through the model', () => {
  const autoencoder = buildConv();
  const fast = fused(autoencoder);
  tf.tidy(() => {
    const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const loss = (forward: (x: tf.Tensor4D) => tf.Tensor) => () => tf.mean(tf.squaredDifference(x, forward(x))) as tf.Scalar;
    const viaFast = tf.variableGrads(loss(fast.forward), fast.variables).grads;
    const viaModel = tf.variableGrads(
      loss((t) => autoencoder.model.apply(t, { training: true }) as tf.Tensor),
      fast.variables,
    ).grads;
    for (const v of fast.variables) {
      const scale = Math.max(1e-3, tf.max(tf.abs(viaModel[v.name])).dataSync()[0]);
      expect(tf.max(tf.abs(tf.sub(viaFast[v.name], viaModel[v.name]))).dataSync()[0] / scale).toBeLessThan(1e-4);
    }
  });
});

test('an unknown layer makes the loop fall back to the model itself', () => {
  const autoencoder = buildDense1();
  (autoencoder.decoder as tf.Sequential).add(tf.layers.dropout({ rate: 0.1 }));
  expect(compileForward(autoencoder)).toBe("la couche Dropout n'a pas de version rapide");
  // A dilated convolution is not the plain convolution the fused pass computes.
  const encoder = tf.sequential({
    layers: [tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 2, kernelSize: 3, dilationRate: 2, padding: 'same' })],
  });
  const decoder = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [28, 28, 2], filters: 1, kernelSize: 1 })] });
  expect(compileForward(joinAutoencoder({ encoder, decoder }))).toBe('couche Conv2D dilatée');
});

test('the single-vector Adam takes the same steps as tf.train.adam', () => {
  const shapes = [[3, 4], [4], [2, 2, 2]];
  const init = shapes.map((s, i) => tf.randomNormal(s, 0, 1, 'float32', i));
  const ours = init.map((t) => tf.variable(t.clone()));
  const reference = init.map((t) => tf.variable(t.clone()));
  const flatAdam = new FlatAdam(ours, 0.01);
  const adam = tf.train.adam(0.01);
  for (let step = 0; step < 5; step++) {
    const grads = shapes.map((s, i) => tf.randomNormal(s, 0, 1, 'float32', 100 + 10 * step + i));
    tf.tidy(() => flatAdam.apply(grads));
    adam.applyGradients(reference.map((v, i) => ({ name: v.name, tensor: grads[i] })));
    tf.dispose(grads);
  }
  ours.forEach((v, i) => {
    expect(tf.max(tf.abs(tf.sub(v, reference[i]))).dataSync()[0]).toBeLessThan(1e-6);
  });
  flatAdam.dispose();
  adam.dispose();
  tf.dispose([...init, ...ours, ...reference]);
});

/**
 * Convolutions the TP's model does not have: a 5×5 stride-2 and a stride-1 convolution, a 4×4
 * stride-2 transposed convolution (TensorFlow's own transposed convolution, not the sub-pixel one),
 * and a separate Activation layer.
 */
function otherConvolutions() {
  const encoder = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 5, strides: 2, padding: 'same', activation: 'sigmoid' }),
      tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'tanh' }),
    ],
  });
  const decoder = tf.sequential({
    layers: [
      tf.layers.conv2dTranspose({ inputShape: [14, 14, 6], filters: 1, kernelSize: 4, strides: 2, padding: 'same' }),
      tf.layers.activation({ activation: 'sigmoid' }),
    ],
  });
  return joinAutoencoder({ encoder, decoder, name: 'other convolutions' });
}

/** Why the native step cannot be tried here ('' when it can): it needs tfjs-node's addon, loaded in a child process. */
const whyNotNative = (() => {
  const probe = spawnSync('node', ['-e', "require('@tensorflow/tfjs-node')"], {
    encoding: 'utf8',
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
  });
  return probe.status === 0
    ? ''
    : `the native TensorFlow addon does not load (${(probe.stderr.trim().split('\n').pop() ?? '').slice(0, 200)})`;
})();

describeUnless(whyNotNative, 'the native step (tensorflow backend)', () => {
  beforeAll(() => expect(tf.getBackend()).toBe('tensorflow'));

  test.each([
    ['Dense n°1, no activation', () => buildDense1({ activation: 'none' })],
    ['Dense n°2, relu', () => buildDense2({ activation: 'relu' })],
    ['Dense n°2, tanh, K = 10', () => buildDense2({ activation: 'tanh', codeSize: 10 })],
    ['conv, relu', () => buildConv({ activation: 'relu' })],
    ['conv, tanh, 32×16 images', () => buildConv({ activation: 'tanh', imageShape: [32, 16] })],
    ['other convolutions', otherConvolutions],
    ['written with input layers', writtenWithInputLayers],
    ['conv, elu', () => buildConv({ activation: 'elu' })],
    ['with LeakyReLU layers', withLeakyReluLayers],
  ] as const)('%s: its gradients equal tfjs autodiff', (_, build) => {
    const autoencoder = build();
    const trainer = nativeOf(autoencoder);
    const variables = fused(autoencoder).variables;
    tf.tidy(() => {
      const [m, n] = autoencoder.imageShape;
      const x = tf.randomUniform([16, m, n, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
      const reference = tf.variableGrads(
        () => tf.mean(tf.squaredDifference(x, autoencoder.model.apply(x) as tf.Tensor)) as tf.Scalar,
        variables,
      ).grads;
      trainer.gradient(x, x, 16).gradients.forEach((g, i) => {
        const expected = reference[variables[i].name];
        const scale = Math.max(1e-6, tf.max(tf.abs(expected)).dataSync()[0]);
        expect(tf.max(tf.abs(tf.sub(g, expected))).dataSync()[0] / scale).toBeLessThan(1e-4);
      });
    });
    trainer.dispose();
  });

  // The gradients are compared with autodiff above; here the update: from the same gradients, the
  // native step must move the weights as tf.train.adam does. (Comparing whole training steps instead
  // is chaotic: Adam's first step moves every weight by ±lr whatever its gradient's size, so a
  // rounding-level gradient of opposite sign on each side makes those weights differ by 2·lr.)
  test.each([
    ['Dense n°2', () => buildDense2()],
    ['conv', () => buildConv()],
  ] as const)('%s: its Adam update equals tf.train.adam from the same gradients', (_, build) => {
    const [a, b] = [build(), build()];
    b.model.setWeights(a.model.getWeights());
    const x = tf.randomUniform([32, 28, 28, 1], 0, 1, 'float32', 9) as tf.Tensor4D;
    const trainer = nativeOf(a, 1e-2);
    const adam = tf.train.adam(1e-2);
    const variables = fused(b).variables;
    for (let i = 0; i < 3; i++) {
      const { gradients } = trainer.gradient(x, x, 32);
      tf.tidy(() => trainStep(trainer, x, x));
      adam.applyGradients(variables.map((v, k) => ({ name: v.name, tensor: gradients[k] })));
      tf.dispose(gradients);
    }
    a.model.getWeights().forEach((w, i) => {
      expect(tf.max(tf.abs(tf.sub(w, b.model.getWeights()[i]))).dataSync()[0]).toBeLessThan(1e-5);
    });
    trainer.dispose();
    adam.dispose();
    x.dispose();
  });

  test('models it does not handle are left to the other paths, with the reason', () => {
    expect(nativeTrainer(buildConv({ activation: 'selu' }), 1e-3)).toBe("l'activation selu n'a pas de version native");
    const leaky = buildDense1();
    (leaky.encoder as tf.Sequential).add(tf.layers.leakyReLU({ alpha: -0.1 }));
    expect(nativeTrainer(leaky, 1e-3)).toBe('LeakyReLU de pente négative');
  });
});
