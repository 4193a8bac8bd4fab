import * as tf from '@tensorflow/tfjs';
import { Autoencoder } from '../models/types';

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

function activation(name: string): Step | undefined {
  switch (name) {
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

/** The tf.Variable behind a layer's weight (tfjs-layers wraps it in a LayerVariable). */
export function weightVariable(weight: tf.LayerVariable): tf.Variable {
  return (weight as unknown as { read(): tf.Variable }).read();
}

function variableOf(layer: tf.layers.Layer, index: number): tf.Variable {
  return weightVariable(layer.trainableWeights[index]);
}

function shapeOf(layer: tf.layers.Layer, which: 'input' | 'output'): number[] {
  const shape = which === 'input' ? (layer.input as tf.SymbolicTensor).shape : layer.outputShape;
  return (shape as number[]).slice(1);
}

/** The steps of one layer, or undefined when the layer is not one this pass knows. */
function layerSteps(layer: tf.layers.Layer): Step[] | undefined {
  const config = layer.getConfig();
  const act = activation(String(config.activation ?? 'linear'));
  const input = shapeOf(layer, 'input');
  const output = shapeOf(layer, 'output');
  switch (layer.getClassName()) {
    case 'InputLayer':
      return [];
    case 'Flatten':
    case 'Reshape':
      return [(h) => tf.reshape(h, [-1, ...output])];
    case 'Activation':
      return act ? [act] : undefined;
    case 'Dense': {
      if (!act || !config.useBias || input.length !== 1) return undefined;
      const [kernel, bias] = [variableOf(layer, 0), variableOf(layer, 1)];
      return [(h) => tf.fused.matMul({ a: h as tf.Tensor2D, b: kernel as tf.Tensor2D, bias }), act];
    }
    case 'Conv2D': {
      if (!act || !config.useBias || config.dataFormat !== 'channelsLast') return undefined;
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
    case 'Conv2DTranspose': {
      if (!act || !config.useBias || config.dataFormat !== 'channelsLast') return undefined;
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
    default:
      return undefined;
  }
}

/** The model's trainable variables (the tf.Variable behind each of its weights), in the model's order. */
export function trainableVariables(autoencoder: Autoencoder): tf.Variable[] {
  return autoencoder.model.trainableWeights.map(weightVariable);
}

/** The fast pass of an autoencoder, or undefined when it contains a layer this pass does not know. */
export function compileForward(autoencoder: Autoencoder): FastForward | undefined {
  const steps: Step[] = [];
  for (const layer of [...autoencoder.encoder.layers, ...autoencoder.decoder.layers]) {
    const layerPass = layerSteps(layer);
    if (layerPass === undefined) return undefined;
    steps.push(...layerPass);
  }
  return {
    forward: (images) => steps.reduce((h: tf.Tensor, step) => step(h), images) as tf.Tensor4D,
    variables: trainableVariables(autoencoder),
  };
}
