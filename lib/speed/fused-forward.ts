import * as tf from '@tensorflow/tfjs';
import { readLayer } from '../models/layer-kinds';
import { Autoencoder } from '../models/types';
import { trainableVariables } from '../step/trainer';

/**
 * A training-time forward pass of an autoencoder written with as few tfjs operations as possible.
 *
 * Each operation costs a round trip between JavaScript and the runtime, which dominates the
 * small TP models: tfjs-layers' generic execution issues about twice as many. Here
 *   - Dense and Conv2D layers are one fused operation (product + bias), then the activation;
 *   - a 'valid' convolution whose kernel covers its whole input (the 7×7 code layer) is the dense
 *     layer it is mathematically, and so is a transposed convolution of a 1×1 input;
 *   - on native TensorFlow, ReLU is max(x, 0), whose gradient costs three cheap operations where
 *     tfjs's own ReLU gradient goes through a composite Step kernel; on wasm it stays tf.relu (there,
 *     max with a scalar is the slow one: 3.6 ms against 0.1 ms at batch 128).
 * The result is the same function of the same variables as `autoencoder.model` (tested).
 */
export interface FastForward {
  forward: (images: tf.Tensor4D) => tf.Tensor4D;
  /** The trainable variables, in the model's order. */
  variables: tf.Variable[];
}

type Step = (h: tf.Tensor) => tf.Tensor;

let zero: tf.Scalar | undefined;

function activation(name: string, alpha: number | undefined): Step | undefined {
  switch (name) {
    case 'leakyReLU':
      return (h) => tf.leakyRelu(h, alpha ?? 0.3);
    case 'linear':
      return (h) => h;
    case 'relu':
      return tf.getBackend() === 'tensorflow' ? (h) => tf.maximum(h, (zero ??= tf.keep(tf.scalar(0)))) : tf.relu;
    case 'sigmoid':
      return tf.sigmoid;
    case 'tanh':
      return tf.tanh;
    case 'elu':
      return tf.elu;
    case 'selu':
      return tf.selu;
    case 'softplus':
      return tf.softplus;
    default:
      return undefined;
  }
}

function variableOf(layer: tf.layers.Layer, index: number): tf.Variable {
  return layer.trainableWeights[index].read() as tf.Variable;
}

function shapeOf(layer: tf.layers.Layer, which: 'input' | 'output'): number[] {
  const shape = which === 'input' ? (layer.input as tf.SymbolicTensor).shape : layer.outputShape;
  return (shape as number[]).slice(1);
}

/** The steps of one layer, or why this pass does not know it. */
function layerSteps(layer: tf.layers.Layer): Step[] | string {
  const config = layer.getConfig();
  const reading = readLayer(layer);
  const act = activation(reading.activation, reading.alpha);
  const input = shapeOf(layer, 'input');
  const output = shapeOf(layer, 'output');
  if (reading.kind === undefined) return `la couche ${reading.className} n'a pas de version rapide`;
  if (reading.unusual !== undefined) return `couche ${reading.className} ${reading.unusual}`;
  if (act === undefined) return `l'activation ${reading.activation} n'a pas de version rapide`;
  switch (reading.kind) {
    case 'input':
      return [];
    case 'flatten':
    case 'reshape':
      return [(h) => tf.reshape(h, [-1, ...output])];
    case 'activation':
      return [act];
    case 'dense': {
      if (input.length !== 1) return 'couche dense sur une entrée à plusieurs dimensions';
      const [kernel, bias] = [variableOf(layer, 0), variableOf(layer, 1)];
      return [(h) => tf.fused.matMul({ a: h as tf.Tensor2D, b: kernel as tf.Tensor2D, bias }), act];
    }
    case 'conv': {
      const [kernel, bias] = [variableOf(layer, 0), variableOf(layer, 1)];
      const [kh, kw] = config.kernelSize as number[];
      const strides = config.strides as [number, number];
      if (config.padding === 'valid' && kh === input[0] && kw === input[1]) {
        const flat = kh * kw * input[2];
        return [
          (h) =>
            tf.reshape(
              tf.fused.matMul({
                a: tf.reshape(h, [-1, flat]) as tf.Tensor2D,
                b: tf.reshape(kernel, [flat, output[2]]) as tf.Tensor2D,
                bias,
              }),
              [-1, ...output],
            ),
          act,
        ];
      }
      const padding = config.padding as 'same' | 'valid';
      return [(h) => tf.fused.conv2d({ x: h as tf.Tensor4D, filter: kernel as tf.Tensor4D, strides, pad: padding, bias }), act];
    }
    case 'convTranspose': {
      const [kernel, bias] = [variableOf(layer, 0), variableOf(layer, 1)];
      const strides = config.strides as [number, number];
      if (input[0] === 1 && input[1] === 1 && config.padding === 'valid' && strides[0] === 1 && strides[1] === 1) {
        // out[n, i, j, o] = Σ_c x[n, c] · W[i, j, o, c]: a product with W laid out as [c, i·j·o].
        const [inChannels, outSize] = [input[2], output[0] * output[1] * output[2]];
        return [
          (h) =>
            tf.add(
              tf.reshape(
                tf.matMul(tf.reshape(h, [-1, inChannels]), tf.reshape(tf.transpose(kernel, [3, 0, 1, 2]), [inChannels, outSize])),
                [-1, ...output],
              ),
              bias,
            ),
          act,
        ];
      }
      const padding = config.padding as 'same' | 'valid';
      return [
        (h) =>
          tf.add(
            tf.conv2dTranspose(h as tf.Tensor4D, kernel as tf.Tensor4D, [h.shape[0], output[0], output[1], output[2]], strides, padding),
            bias,
          ),
        act,
      ];
    }
  }
}

/** The fast pass of an autoencoder, or why it contains a layer this pass does not know. */
export function compileForward(autoencoder: Autoencoder): FastForward | string {
  const steps: Step[] = [];
  for (const layer of [...autoencoder.encoder.layers, ...autoencoder.decoder.layers]) {
    const layerPass = layerSteps(layer);
    if (typeof layerPass === 'string') return layerPass;
    steps.push(...layerPass);
  }
  return {
    forward: (images) => steps.reduce((h: tf.Tensor, step) => step(h), images) as tf.Tensor4D,
    variables: trainableVariables(autoencoder),
  };
}
