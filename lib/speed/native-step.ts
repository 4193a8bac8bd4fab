import * as tf from '@tensorflow/tfjs';
import { readLayer } from '../models/layer-kinds';
import { Autoencoder } from '../models/types';
import { ADAM_DEFAULTS, PartGradient, Trainer, trainableVariables } from '../step/trainer';
import { subPixelApplies, subPixelSources } from '../backend/sub-pixel';
import { NativeBackend, nativeBackend, typeAttribute } from './tfjs-internals';

/**
 * The training step on native TensorFlow, written with TensorFlow's own operations and an explicit
 * backward pass.
 *
 * Through tfjs, each matrix product costs three operations (reshapes around a batched product),
 * tfjs's ReLU gradient a composite kernel, and Adam about ten operations per variable: about 150
 * operations per step of Dense n°2, each a round trip to the runtime, against 1.5 ms of actual work.
 * Here a dense layer is MatMul + BiasAdd, its gradient MatMul + BiasAddGrad + MatMul; a convolution
 * is Conv2D + BiasAdd, its gradients Conv2DBackpropFilter and a transposed convolution; activations
 * use TensorFlow's own gradients (ReluGrad, LeakyReluGrad, EluGrad, SigmoidGrad, TanhGrad), and Adam runs on
 * one concatenated vector.
 *
 * Transposed convolutions with a 3×3 kernel and stride 2 (the conv model's decoder, and the input
 * gradient of its stride-2 encoder layers) are computed as one stride-1 convolution with a 2×2
 * kernel giving the four output phases as channels, then DepthToSpace: TensorFlow's
 * Conv2DBackpropInput takes several times longer for the same result, most of all with one output
 * channel. The gradients equal tfjs's automatic ones (tested).
 *
 * Used only on the 'tensorflow' backend, with Adam and the MSE loss, for models whose layers (read
 * through lib/models/layer-kinds.ts) are flatten, reshape, dense, convolution, transposed convolution
 * and activation layers, with the activations below; other models train on the fused or reference path.
 */

/** An activation TensorFlow computes natively, with its parameter for LeakyReLU. */
interface Activation {
  name: 'relu' | 'sigmoid' | 'tanh' | 'elu' | 'leakyReLU';
  alpha?: number;
}
const NATIVE_ACTIVATIONS: readonly string[] = ['relu', 'sigmoid', 'tanh', 'elu', 'leakyReLU'];

/** Strides and padding of a convolution, as TensorFlow names them. */
interface ConvGeometry {
  strides: [number, number];
  padding: 'SAME' | 'VALID';
}

/** TensorFlow operations called by name, with constant tensors (shapes, scalars) made once. */
class NativeOps {
  private readonly constants = new Map<string, tf.Tensor>();
  private readonly float: object;
  private readonly int32Index: object;
  private readonly int32Shape: object;
  private readonly int32Lengths: object;
  private readonly int32Paddings: object;
  private readonly gatherParams: object;
  private readonly int32Indices: object;

  constructor(private readonly backend: NativeBackend) {
    this.float = typeAttribute('T', 'float32');
    this.int32Index = typeAttribute('Tidx', 'int32');
    this.int32Shape = typeAttribute('Tshape', 'int32');
    this.int32Lengths = typeAttribute('Tlen', 'int32');
    this.int32Paddings = typeAttribute('Tpaddings', 'int32');
    this.gatherParams = typeAttribute('Tparams', 'float32');
    this.int32Indices = typeAttribute('Tindices', 'int32');
  }

  private run(name: string, inputs: tf.Tensor[], attrs: object[] = []): tf.Tensor {
    return this.backend.executeSingleOutput(name, [this.float, ...attrs], inputs);
  }

  private bool(name: string, value: boolean): object {
    return { name, type: this.backend.binding.TF_ATTR_BOOL, value };
  }

  private string(name: string, value: string): object {
    return { name, type: this.backend.binding.TF_ATTR_STRING, value };
  }

  private int(name: string, value: number | number[]): object {
    return { name, type: this.backend.binding.TF_ATTR_INT, value };
  }

  private float32(name: string, value: number): object {
    return { name, type: this.backend.binding.TF_ATTR_FLOAT, value };
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
    return this.run('BiasAdd', [x, bias], [this.string('data_format', 'NHWC')]);
  }

  /** The gradient of BiasAdd: dy summed over all axes but the last (Sum: several times faster than BiasAddGrad here). */
  biasAddGrad(dy: tf.Tensor): tf.Tensor {
    return this.run('Sum', [dy, this.ints(dy.shape.slice(1).map((_, i) => i))], [this.bool('keep_dims', false), this.int32Index]);
  }

  private convAttrs({ strides, padding }: ConvGeometry, explicitPaddings: number[] = []): object[] {
    return [
      this.int('strides', [1, strides[0], strides[1], 1]),
      this.bool('use_cudnn_on_gpu', true),
      this.string('padding', explicitPaddings.length > 0 ? 'EXPLICIT' : padding),
      this.int('explicit_paddings', explicitPaddings),
      this.string('data_format', 'NHWC'),
      this.int('dilations', [1, 1, 1, 1]),
    ];
  }

  /** Conv2D; explicitPaddings (8 numbers, before/after for N, H, W, C) replaces the geometry's padding. */
  conv2d(x: tf.Tensor, filter: tf.Tensor, geometry: ConvGeometry, explicitPaddings: number[] = []): tf.Tensor {
    return this.run('Conv2D', [x, filter], this.convAttrs(geometry, explicitPaddings));
  }

  /** The gradient of Conv2D with respect to its input, of shape inputShape: a transposed convolution. */
  conv2dBackpropInput(inputShape: number[], filter: tf.Tensor, dy: tf.Tensor, geometry: ConvGeometry): tf.Tensor {
    return this.run('Conv2DBackpropInput', [this.ints(inputShape), filter, dy], this.convAttrs(geometry));
  }

  /** The gradient of Conv2D with respect to its filter. */
  conv2dBackpropFilter(x: tf.Tensor, filterShape: number[], dy: tf.Tensor, geometry: ConvGeometry): tf.Tensor {
    return this.run('Conv2DBackpropFilter', [x, this.ints(filterShape), dy], this.convAttrs(geometry));
  }

  depthToSpace(x: tf.Tensor, blockSize: number): tf.Tensor {
    return this.run('DepthToSpace', [x], [this.int('block_size', blockSize), this.string('data_format', 'NHWC')]);
  }

  /**
   * The sub-pixel form [2, 2, in, 4·out] of a 3×3 kernel [3, 3, out, in] (see transposedConv): the
   * kernel padded with a zero row and column, then its taps gathered, in two operations.
   */
  subPixelKernel(filter: tf.Tensor): tf.Tensor {
    const [, , outChannels, inChannels] = filter.shape;
    const padding = this.constant('pad-3x3', () =>
      tf.tensor2d(
        [
          [0, 1],
          [0, 1],
          [0, 0],
          [0, 0],
        ],
        [4, 2],
        'int32',
      ),
    );
    const padded = this.run('Pad', [filter, padding], [this.int32Paddings]);
    const taps = this.constant(`sub-pixel-taps ${outChannels}×${inChannels}`, () => subPixelTaps(outChannels, inChannels));
    return this.backend.executeSingleOutput('GatherNd', [this.gatherParams, this.int32Indices], [padded, taps]);
  }

  activation({ name, alpha }: Activation, x: tf.Tensor): tf.Tensor {
    switch (name) {
      case 'relu':
        return this.run('Relu', [x]);
      case 'leakyReLU':
        return this.run('LeakyRelu', [x], [this.float32('alpha', alpha ?? 0.3)]);
      case 'elu':
        return this.run('Elu', [x]);
      case 'sigmoid':
        return this.run('Sigmoid', [x]);
      case 'tanh':
        return this.run('Tanh', [x]);
    }
  }

  /**
   * The gradient through an activation, from its output y. LeakyReluGrad asks for the input, but
   * only its sign matters, and with α ≥ 0 the output has the input's sign.
   */
  activationGrad({ name, alpha }: Activation, y: tf.Tensor, dy: tf.Tensor): tf.Tensor {
    switch (name) {
      case 'relu':
        return this.run('ReluGrad', [dy, y]);
      case 'leakyReLU':
        return this.run('LeakyReluGrad', [dy, y], [this.float32('alpha', alpha ?? 0.3)]);
      case 'elu':
        return this.run('EluGrad', [dy, y]);
      case 'sigmoid':
        return this.run('SigmoidGrad', [y, dy]);
      case 'tanh':
        return this.run('TanhGrad', [y, dy]);
    }
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
    return this.run(
      'ConcatV2',
      [...parts, this.constant('axis0', () => tf.scalar(0, 'int32'))],
      [this.int('N', parts.length), this.int32Index],
    );
  }

  split(x: tf.Tensor, sizes: number[]): tf.Tensor[] {
    return this.backend.executeMultipleOutputs(
      'SplitV',
      [this.float, this.int('num_split', sizes.length), this.int32Lengths],
      [x, this.ints(sizes), this.constant('axis0', () => tf.scalar(0, 'int32'))],
      sizes.length,
    );
  }

  dispose(): void {
    tf.dispose([...this.constants.values()]);
    this.constants.clear();
  }
}

/**
 * subPixelSources as GatherNd indices into the 3×3 kernel padded with a zero row and column: the
 * tap's (row, column, out, in), or (3, 3, 0, 0) for a zero.
 */
function subPixelTaps(outChannels: number, inChannels: number): tf.Tensor {
  const sources = subPixelSources(outChannels, inChannels);
  const taps = new Int32Array(4 * sources.length);
  sources.forEach((source, i) => {
    if (source < 0) {
      taps.set([3, 3, 0, 0], 4 * i);
    } else {
      const tap = Math.floor(source / (outChannels * inChannels));
      taps.set([Math.floor(tap / 3), tap % 3, Math.floor(source / inChannels) % outChannels, source % inChannels], 4 * i);
    }
  });
  return tf.tensor(taps, [2, 2, inChannels, 4 * outChannels, 4], 'int32');
}

/**
 * The transposed convolution of x ([n, h, w, inChannels]) by filter ([kh, kw, outChannels,
 * inChannels]) giving [n, ...output]: sub-pixel for 3×3 stride 2 SAME, Conv2DBackpropInput otherwise.
 */
function transposedConv(ops: NativeOps, x: tf.Tensor, filter: tf.Tensor, geometry: ConvGeometry, output: number[]): tf.Tensor {
  const [n, h, w] = x.shape;
  const [kh, kw] = filter.shape;
  if (!subPixelApplies([kh, kw], geometry.strides, geometry.padding === 'SAME', [h, w], output))
    return ops.conv2dBackpropInput([n, ...output], filter, x, geometry);
  const phases = ops.conv2d(x, ops.subPixelKernel(filter), { strides: [1, 1], padding: 'VALID' }, [0, 0, 1, 0, 1, 0, 0, 0]);
  return ops.depthToSpace(phases, 2);
}

/** A layer with weights, and the activations applied to its output. */
interface Stage {
  kernel: tf.Variable;
  bias: tf.Variable;
  activations: Activation[];
  /** Shape of one example at the input of forward (the loop reshapes to it) and at its output. */
  input: number[];
  output: number[];
  /** The output before activations, bias included, for x of shape [n, ...input]. */
  forward(x: tf.Tensor): tf.Tensor;
  /**
   * The gradients with respect to the kernel and (unless skipped) to x, from that of the output
   * before activations; called after forward in the same step (it may reuse what forward made).
   */
  backward(x: tf.Tensor, grad: tf.Tensor, withInput: boolean): { kernel: tf.Tensor; input?: tf.Tensor };
}

type StageShape = Pick<Stage, 'kernel' | 'bias' | 'activations' | 'input' | 'output'>;

/** y = x·K + b on flattened examples; K is reshaped to [inSize, outSize] (a 'valid' convolution covering its input is one). */
function denseStage(ops: NativeOps, shape: StageShape): Stage {
  const [inSize, outSize] = [shape.input[0], shape.output[0]];
  const isMatrix = shape.kernel.rank === 2;
  const asKernel = (t: tf.Tensor) => (isMatrix ? t : ops.reshape(t, shape.kernel.shape));
  let matrix: tf.Tensor = shape.kernel;
  return {
    ...shape,
    forward: (x) => {
      matrix = isMatrix ? shape.kernel : ops.reshape(shape.kernel, [inSize, outSize]);
      return ops.biasAdd(ops.matMul(x, matrix), shape.bias);
    },
    backward: (x, grad, withInput) => ({
      kernel: asKernel(ops.matMul(x, grad, true, false)),
      input: withInput ? ops.matMul(grad, matrix, false, true) : undefined,
    }),
  };
}

/** A transposed convolution of a 1×1 input: out[n, i, j, o] = Σ_c x[n, c] K[i, j, o, c] + b[o]. */
function expandStage(ops: NativeOps, shape: StageShape): Stage {
  const [inChannels, outSize] = [shape.input[0], shape.output[0] * shape.output[1] * shape.output[2]];
  let matrix: tf.Tensor = shape.kernel;
  return {
    ...shape,
    forward: (x) => {
      matrix = ops.reshape(shape.kernel, [outSize, inChannels]);
      return ops.biasAdd(ops.reshape(ops.matMul(x, matrix, false, true), [x.shape[0], ...shape.output]), shape.bias);
    },
    backward: (x, grad, withInput) => {
      const flat = ops.reshape(grad, [x.shape[0], outSize]);
      return {
        kernel: ops.reshape(ops.matMul(flat, x, true, false), shape.kernel.shape),
        input: withInput ? ops.matMul(flat, matrix) : undefined,
      };
    },
  };
}

function convStage(ops: NativeOps, shape: StageShape, geometry: ConvGeometry): Stage {
  return {
    ...shape,
    forward: (x) => ops.biasAdd(ops.conv2d(x, shape.kernel, geometry), shape.bias),
    backward: (x, grad, withInput) => ({
      kernel: ops.conv2dBackpropFilter(x, shape.kernel.shape, grad, geometry),
      input: withInput ? transposedConv(ops, grad, shape.kernel, geometry, shape.input) : undefined,
    }),
  };
}

/** The transposed convolution is the input gradient of a convolution from its output shape to its input shape. */
function transposedConvStage(ops: NativeOps, shape: StageShape, geometry: ConvGeometry): Stage {
  return {
    ...shape,
    forward: (x) => ops.biasAdd(transposedConv(ops, x, shape.kernel, geometry, shape.output), shape.bias),
    backward: (x, grad, withInput) => ({
      kernel: ops.conv2dBackpropFilter(grad, shape.kernel.shape, x, geometry),
      input: withInput ? ops.conv2d(grad, shape.kernel, geometry) : undefined,
    }),
  };
}

const product = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Why a layer's activation has no native form here, or undefined when it has one. */
function nonNative(activation: string, alpha: number | undefined): string | undefined {
  if (!NATIVE_ACTIVATIONS.includes(activation)) return `l'activation ${activation} n'a pas de version native`;
  if (activation === 'leakyReLU' && (alpha ?? 0.3) < 0) return 'LeakyReLU de pente négative';
  return undefined;
}

/** The stages of the model, or why this step does not handle it. */
function nativeStages(ops: NativeOps, autoencoder: Autoencoder): Stage[] | string {
  const stages: Stage[] = [];
  for (const layer of [...autoencoder.encoder.layers, ...autoencoder.decoder.layers]) {
    const { kind, className, activation, alpha, unusual } = readLayer(layer);
    if (kind === undefined) return `la couche ${className} n'a pas de version native`;
    if (unusual !== undefined) return `couche ${className} ${unusual}`;
    if (kind === 'input' || kind === 'flatten' || kind === 'reshape') continue;
    const activations: Activation[] = [];
    if (activation !== 'linear') {
      const reason = nonNative(activation, alpha);
      if (reason !== undefined) return reason;
      activations.push({ name: activation as Activation['name'], alpha });
    }
    if (kind === 'activation') {
      if (stages.length === 0) return 'une activation avant toute couche à poids';
      stages[stages.length - 1].activations.push(...activations);
      continue;
    }
    const config = layer.getConfig();
    const [kernel, bias] = layer.trainableWeights.map((weight) => weight.read() as tf.Variable);
    const input = ((layer.input as tf.SymbolicTensor).shape as number[]).slice(1);
    const output = (layer.outputShape as number[]).slice(1);
    const shape = { kernel, bias, activations, input, output };
    const geometry: ConvGeometry = {
      strides: config.strides as [number, number],
      padding: config.padding === 'same' ? 'SAME' : 'VALID',
    };
    const [kh, kw] = kernel.shape;
    if (kind === 'dense') {
      if (input.length !== 1) return 'couche dense sur une entrée à plusieurs dimensions';
      stages.push(denseStage(ops, shape));
    } else if (kind === 'conv' && geometry.padding === 'VALID' && kh === input[0] && kw === input[1]) {
      stages.push(denseStage(ops, { ...shape, input: [product(input)], output: [product(output)] }));
    } else if (kind === 'conv') {
      stages.push(convStage(ops, shape, geometry));
    } else if (input[0] === 1 && input[1] === 1 && geometry.padding === 'VALID' && geometry.strides.every((s) => s === 1)) {
      stages.push(expandStage(ops, { ...shape, input: [input[2]] }));
    } else {
      stages.push(transposedConvStage(ops, shape, geometry));
    }
  }
  return stages.length > 0 ? stages : 'aucune couche à poids';
}

/** The native trainer for this model (Adam, MSE), or why it does not apply (see above). */
export function nativeTrainer(autoencoder: Autoencoder, learningRate: number): Trainer | string {
  const backend = nativeBackend();
  if (backend === undefined) return 'TensorFlow natif n’est pas le moteur de calcul';
  const ops = new NativeOps(backend);
  const stages = nativeStages(ops, autoencoder);
  const variables = trainableVariables(autoencoder);
  if (typeof stages === 'string') {
    ops.dispose();
    return stages;
  }
  const order = stages.flatMap((s) => [s.kernel, s.bias]);
  if (order.length !== variables.length || order.some((v, i) => v !== variables[i])) {
    ops.dispose();
    return 'les poids du modèle ne suivent pas l’ordre de ses couches';
  }
  const [m, n] = autoencoder.imageShape;
  const sizes = variables.map((v) => v.size);
  const total = sizes.reduce((a, b) => a + b, 0);
  const firstMoment = tf.tidy(() => tf.variable(tf.zeros([total]), false));
  const secondMoment = tf.tidy(() => tf.variable(tf.zeros([total]), false));
  let stepCount = 0;
  const { beta1, beta2, epsilon } = ADAM_DEFAULTS;
  const sameShape = (t: tf.Tensor, shape: number[]) => t.rank === shape.length + 1 && shape.every((d, i) => t.shape[i + 1] === d);
  const reshaped = (t: tf.Tensor, shape: number[]) => (sameShape(t, shape) ? t : ops.reshape(t, [t.shape[0], ...shape]));

  /**
   * Forward and backward pass on a part of a batch of batchSize examples: the part's share of the
   * batch's mean squared error, and its gradients, variable by variable.
   */
  const backprop = (inputs: tf.Tensor4D, targets: tf.Tensor4D, batchSize: number): PartGradient => {
    const stageInputs: tf.Tensor[] = [];
    const activationOutputs: tf.Tensor[][] = [];
    let h: tf.Tensor = inputs;
    for (const stage of stages) {
      h = reshaped(h, stage.input);
      stageInputs.push(h);
      h = stage.forward(h);
      const outputs: tf.Tensor[] = [];
      for (const name of stage.activations) {
        h = ops.activation(name, h);
        outputs.push(h);
      }
      activationOutputs.push(outputs);
    }
    const share = inputs.shape[0] / batchSize;
    const diff = ops.binary('Sub', reshaped(h, [m, n, 1]), targets);
    const mean = ops.mean(ops.unary('Square', diff));
    const loss = (share === 1 ? mean : ops.binary('Mul', mean, ops.scalar(share))) as tf.Scalar;
    let grad = reshaped(ops.binary('Mul', diff, ops.scalar((2 * share) / diff.size)), stages[stages.length - 1].output);
    const gradients: tf.Tensor[] = new Array(variables.length);
    for (let s = stages.length - 1; s >= 0; s--) {
      const stage = stages[s];
      for (let a = stage.activations.length - 1; a >= 0; a--) {
        grad = ops.activationGrad(stage.activations[a], activationOutputs[s][a], grad);
      }
      const { kernel, input } = stage.backward(stageInputs[s], grad, s > 0);
      gradients[2 * s] = kernel;
      gradients[2 * s + 1] = ops.biasAddGrad(grad);
      if (input) grad = reshaped(input, stages[s - 1].output);
    }
    return { loss, gradients };
  };

  const apply = (gradients: tf.Tensor[]): void => {
    stepCount++;
    const g = ops.concat(gradients.map((gradient) => ops.reshape(gradient, [-1])));
    const m = ops.binary('AddV2', ops.binary('Mul', firstMoment, ops.scalar(beta1)), ops.binary('Mul', g, ops.scalar(1 - beta1)));
    const v = ops.binary(
      'AddV2',
      ops.binary('Mul', secondMoment, ops.scalar(beta2)),
      ops.binary('Mul', ops.unary('Square', g), ops.scalar(1 - beta2)),
    );
    firstMoment.assign(m);
    secondMoment.assign(v);
    // As tf.train.adam: lr · m̂ / (√v̂ + ε) with m̂ = m / c1 and v̂ = v / c2 the bias-corrected
    // moments, computed as m / (√v · a + b) with a = c1 / (lr √c2) and b = ε c1 / lr: one pass fewer.
    const [c1, c2] = [1 - beta1 ** stepCount, 1 - beta2 ** stepCount];
    const denominator = ops.binary(
      'AddV2',
      ops.binary('Mul', ops.unary('Sqrt', v), tf.scalar(c1 / (learningRate * Math.sqrt(c2)))),
      tf.scalar((epsilon * c1) / learningRate),
    );
    const update = ops.binary('RealDiv', m, denominator);
    ops.split(update, sizes).forEach((part, i) => {
      variables[i].assign(ops.binary('Sub', variables[i], ops.reshape(part, variables[i].shape)));
    });
  };

  return {
    size: total,
    gradient: backprop,
    apply: (gradients) => tf.tidy(() => apply(gradients)),
    dispose: () => {
      tf.dispose([firstMoment, secondMoment]);
      ops.dispose();
    },
  };
}
