import * as tf from '@tensorflow/tfjs';
import { Autoencoder } from '../models/types';
import { trainableVariables, weightVariable } from './fast-forward';
import { ADAM_DEFAULTS } from './flat-adam';

/**
 * The training step of the dense autoencoders on native TensorFlow, written with TensorFlow's own
 * operations and an explicit backward pass.
 *
 * Through tfjs, each matrix product costs three operations (reshapes around a batched product),
 * tfjs's ReLU gradient a composite kernel, and Adam about ten operations per variable: about 150
 * operations per step of Dense n°2, each a round trip to the runtime, against 1.5 ms of actual work.
 * Here a dense layer is MatMul + BiasAdd, its gradient MatMul + BiasAddGrad + MatMul, activations
 * use TensorFlow's ReluGrad / SigmoidGrad / TanhGrad, and Adam runs on one concatenated vector:
 * about 70 operations. The gradients equal tfjs's automatic ones (tested).
 *
 * Used only on the 'tensorflow' backend, with Adam and the MSE loss, for models made of
 * Flatten, Dense, Activation and Reshape layers; everything else trains through tfjs's autodiff.
 */

/** The part of tfjs-node's backend used here: running a TensorFlow operation by name. */
interface NativeBackend {
  binding: { TF_ATTR_BOOL: number; TF_ATTR_STRING: number; TF_ATTR_INT: number; TF_ATTR_TYPE: number };
  executeSingleOutput(name: string, attrs: object[], inputs: tf.Tensor[]): tf.Tensor;
  executeMultipleOutputs(name: string, attrs: object[], inputs: tf.Tensor[], outputs: number): tf.Tensor[];
}

type ActivationName = 'linear' | 'relu' | 'sigmoid' | 'tanh';
const NATIVE_ACTIVATIONS: readonly string[] = ['linear', 'relu', 'sigmoid', 'tanh'];

/** A dense layer and the activations applied to its output. */
interface Stage {
  kernel: tf.Variable;
  bias: tf.Variable;
  activations: ActivationName[];
}

/** The dense stages of the model, or undefined when it has a layer this step does not handle. */
function denseStages(autoencoder: Autoencoder): Stage[] | undefined {
  const layers = [...autoencoder.encoder.layers, ...autoencoder.decoder.layers];
  const stages: Stage[] = [];
  for (const [index, layer] of layers.entries()) {
    const config = layer.getConfig();
    const activation = String(config.activation ?? 'linear');
    switch (layer.getClassName()) {
      case 'Flatten':
        if (index !== 0) return undefined;
        break;
      case 'Reshape':
        if (index !== layers.length - 1) return undefined;
        break;
      case 'Dense': {
        if (!config.useBias || !NATIVE_ACTIVATIONS.includes(activation)) return undefined;
        const [kernel, bias] = layer.trainableWeights.map(weightVariable);
        stages.push({ kernel, bias, activations: activation === 'linear' ? [] : [activation as ActivationName] });
        break;
      }
      case 'Activation':
        if (stages.length === 0 || !NATIVE_ACTIVATIONS.includes(activation)) return undefined;
        if (activation !== 'linear') stages[stages.length - 1].activations.push(activation as ActivationName);
        break;
      default:
        return undefined;
    }
  }
  return stages.length > 0 ? stages : undefined;
}

/** TensorFlow operations called by name, with constant tensors (shapes, scalars) made once. */
class NativeOps {
  private readonly constants = new Map<string, tf.Tensor>();
  private readonly float: object;
  private readonly int32Index: object;
  private readonly int32Shape: object;
  private readonly int32Lengths: object;

  constructor(private readonly backend: NativeBackend) {
    const { createTensorsTypeOpAttr } = require('@tensorflow/tfjs-node/dist/nodejs_kernel_backend');
    this.float = createTensorsTypeOpAttr('T', 'float32');
    this.int32Index = createTensorsTypeOpAttr('Tidx', 'int32');
    this.int32Shape = createTensorsTypeOpAttr('Tshape', 'int32');
    this.int32Lengths = createTensorsTypeOpAttr('Tlen', 'int32');
  }

  private run(name: string, inputs: tf.Tensor[], attrs: object[] = []): tf.Tensor {
    return this.backend.executeSingleOutput(name, [this.float, ...attrs], inputs);
  }

  private bool(name: string, value: boolean): object {
    return { name, type: this.backend.binding.TF_ATTR_BOOL, value };
  }

  private constant(key: string, make: () => tf.Tensor): tf.Tensor {
    let value = this.constants.get(key);
    if (value === undefined) {
      value = tf.keep(make());
      this.constants.set(key, value);
    }
    return value;
  }

  scalar(value: number): tf.Tensor {
    return this.constant(`s${value}`, () => tf.scalar(value));
  }

  private ints(values: number[]): tf.Tensor {
    return this.constant(`i${values.join(',')}`, () => tf.tensor1d(values, 'int32'));
  }

  matMul(a: tf.Tensor, b: tf.Tensor, transposeA = false, transposeB = false): tf.Tensor {
    return this.run('MatMul', [a, b], [this.bool('transpose_a', transposeA), this.bool('transpose_b', transposeB)]);
  }

  biasAdd(x: tf.Tensor, bias: tf.Tensor): tf.Tensor {
    return this.run('BiasAdd', [x, bias], [{ name: 'data_format', type: this.backend.binding.TF_ATTR_STRING, value: 'NHWC' }]);
  }

  biasAddGrad(dy: tf.Tensor): tf.Tensor {
    return this.run('BiasAddGrad', [dy], [{ name: 'data_format', type: this.backend.binding.TF_ATTR_STRING, value: 'NHWC' }]);
  }

  activation(name: ActivationName, x: tf.Tensor): tf.Tensor {
    return name === 'relu' ? this.run('Relu', [x]) : name === 'sigmoid' ? this.run('Sigmoid', [x]) : this.run('Tanh', [x]);
  }

  /** The gradient through an activation, from its output y. */
  activationGrad(name: ActivationName, y: tf.Tensor, dy: tf.Tensor): tf.Tensor {
    if (name === 'relu') return this.run('ReluGrad', [dy, y]);
    return this.run(name === 'sigmoid' ? 'SigmoidGrad' : 'TanhGrad', [y, dy]);
  }

  binary(name: 'AddV2' | 'Sub' | 'Mul' | 'RealDiv', a: tf.Tensor, b: tf.Tensor): tf.Tensor {
    return this.run(name, [a, b]);
  }

  unary(name: 'Square' | 'Sqrt', x: tf.Tensor): tf.Tensor {
    return this.run(name, [x]);
  }

  mean(x: tf.Tensor): tf.Tensor {
    return this.run('Mean', [x, this.ints(x.shape.map((_, i) => i))], [this.bool('keep_dims', false), this.int32Index]);
  }

  reshape(x: tf.Tensor, shape: number[]): tf.Tensor {
    return this.run('Reshape', [x, this.ints(shape)], [this.int32Shape]);
  }

  concat(parts: tf.Tensor[]): tf.Tensor {
    return this.run('ConcatV2', [...parts, this.constant('axis0', () => tf.scalar(0, 'int32'))],
      [{ name: 'N', type: this.backend.binding.TF_ATTR_INT, value: parts.length }, this.int32Index]);
  }

  split(x: tf.Tensor, sizes: number[]): tf.Tensor[] {
    return this.backend.executeMultipleOutputs('SplitV',
      [this.float, { name: 'num_split', type: this.backend.binding.TF_ATTR_INT, value: sizes.length }, this.int32Lengths],
      [x, this.ints(sizes), this.constant('axis0', () => tf.scalar(0, 'int32'))], sizes.length);
  }

  dispose(): void {
    tf.dispose([...this.constants.values()]);
    this.constants.clear();
  }
}

export interface NativeTrainer {
  /** One Adam step on a batch; returns the batch's mean squared error. */
  step: (inputs: tf.Tensor4D, targets: tf.Tensor4D) => tf.Scalar;
  /** The gradients of the MSE with respect to the model's variables, in their order (for tests). */
  gradients: (inputs: tf.Tensor4D, targets: tf.Tensor4D) => tf.Tensor[];
  dispose: () => void;
}

/** The native step for this model, or undefined where it does not apply (see above). */
export function nativeDenseTrainer(autoencoder: Autoencoder, learningRate: number): NativeTrainer | undefined {
  if (tf.getBackend() !== 'tensorflow') return undefined;
  const stages = denseStages(autoencoder);
  if (stages === undefined) return undefined;
  const ops = new NativeOps(tf.backend() as unknown as NativeBackend);
  const variables = trainableVariables(autoencoder);
  const order = stages.flatMap((s) => [s.kernel, s.bias]);
  if (order.some((v, i) => v !== variables[i])) return undefined;
  const size = autoencoder.imageShape[0] * autoencoder.imageShape[1];
  const sizes = variables.map((v) => v.size);
  const total = sizes.reduce((a, b) => a + b, 0);
  const firstMoment = tf.tidy(() => tf.variable(tf.zeros([total]), false));
  const secondMoment = tf.tidy(() => tf.variable(tf.zeros([total]), false));
  let stepCount = 0;
  const { beta1, beta2, epsilon } = ADAM_DEFAULTS;

  /** Forward and backward pass: the loss and the gradients, variable by variable. */
  const backprop = (inputs: tf.Tensor4D, targets: tf.Tensor4D) => {
    const n = inputs.shape[0];
    const layerInputs: tf.Tensor[] = [];
    const activationOutputs: tf.Tensor[][] = [];
    let h = ops.reshape(inputs, [n, size]);
    for (const stage of stages) {
      layerInputs.push(h);
      h = ops.biasAdd(ops.matMul(h, stage.kernel), stage.bias);
      const outputs: tf.Tensor[] = [];
      for (const name of stage.activations) {
        h = ops.activation(name, h);
        outputs.push(h);
      }
      activationOutputs.push(outputs);
    }
    const diff = ops.binary('Sub', h, ops.reshape(targets, [n, size]));
    const loss = ops.mean(ops.unary('Square', diff)) as tf.Scalar;
    let grad = ops.binary('Mul', diff, ops.scalar(2 / (n * size)));
    const gradients: tf.Tensor[] = new Array(variables.length);
    for (let s = stages.length - 1; s >= 0; s--) {
      const outputs = activationOutputs[s];
      for (let a = stages[s].activations.length - 1; a >= 0; a--) {
        grad = ops.activationGrad(stages[s].activations[a], outputs[a], grad);
      }
      gradients[2 * s] = ops.matMul(layerInputs[s], grad, true, false);
      gradients[2 * s + 1] = ops.biasAddGrad(grad);
      if (s > 0) grad = ops.matMul(grad, stages[s].kernel, false, true);
    }
    return { loss, gradients };
  };

  const step = (inputs: tf.Tensor4D, targets: tf.Tensor4D): tf.Scalar => {
    const { loss, gradients } = backprop(inputs, targets);
    stepCount++;
    const g = ops.concat(gradients.map((grad) => ops.reshape(grad, [-1])));
    const m = ops.binary('AddV2', ops.binary('Mul', firstMoment, ops.scalar(beta1)), ops.binary('Mul', g, ops.scalar(1 - beta1)));
    const v = ops.binary('AddV2', ops.binary('Mul', secondMoment, ops.scalar(beta2)),
      ops.binary('Mul', ops.unary('Square', g), ops.scalar(1 - beta2)));
    firstMoment.assign(m);
    secondMoment.assign(v);
    // As tf.train.adam: lr · m̂ / (√v̂ + ε), with m̂ and v̂ the bias-corrected moments.
    const mHat = ops.binary('Mul', m, tf.scalar(learningRate / (1 - beta1 ** stepCount)));
    const vHat = ops.binary('Mul', v, tf.scalar(1 / (1 - beta2 ** stepCount)));
    const update = ops.binary('RealDiv', mHat, ops.binary('AddV2', ops.unary('Sqrt', vHat), ops.scalar(epsilon)));
    ops.split(update, sizes).forEach((part, i) => {
      variables[i].assign(ops.binary('Sub', variables[i], ops.reshape(part, variables[i].shape)));
    });
    return loss;
  };

  return {
    step,
    gradients: (inputs, targets) => backprop(inputs, targets).gradients,
    dispose: () => {
      tf.dispose([firstMoment, secondMoment]);
      ops.dispose();
    },
  };
}
