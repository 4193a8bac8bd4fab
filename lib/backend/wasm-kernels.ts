import * as tf from '@tensorflow/tfjs';
import { subPixelApplies, subPixelSources } from './sub-pixel';

/**
 * tfjs-backend-wasm ships no Conv2DBackpropFilter kernel, so convolutional models cannot train on
 * it. This one computes the filter gradient with kernels the backend does have (Transpose, Conv2D
 * with dilation, Slice): with x of shape [N, H, W, Ci] and dy of shape [N, Ho, Wo, Co],
 *
 *   dW[a, b, ci, co] = Σ_n Σ_i Σ_j x[n, s·i + a − top, s·j + b − left, ci] · dy[n, i, j, co]
 *
 * is a convolution of x seen as [Ci, H, W, N] (channels as batch, batch as channels) with dy seen
 * as a [Ho, Wo, N, Co] filter, dilated by the stride s; its output [Ci, Fh, Fw, Co] is then
 * transposed to the filter layout [Fh, Fw, Ci, Co].
 */

type WasmBackend = tf.KernelBackend & { disposeData(dataId: object): boolean };

function runWasmKernel(name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap, backend: WasmBackend): tf.TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) throw new Error(`the wasm backend has no ${name} kernel`);
  return kernel.kernelFunc({ inputs, attrs, backend }) as tf.TensorInfo;
}

/** wasm's Conv2D, stride 1, with explicit padding [top, bottom, left, right] and the given dilations. */
function paddedConv2d(
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  [top, bottom, left, right]: number[],
  dilations: [number, number],
  wasm: WasmBackend,
): tf.TensorInfo {
  const pad = [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ] as unknown as tf.NamedAttrMap[string];
  const attrs = { strides: [1, 1], pad, dataFormat: 'NHWC', dilations, dimRoundingMode: undefined as unknown as string };
  return runWasmKernel('Conv2D', { x, filter }, attrs, wasm);
}

/**
 * Runs a kernel made of other wasm kernels: `keep` marks an intermediate result, freed once `build`
 * returns or throws (the returned result is not one of them).
 */
function withTemporaries(wasm: WasmBackend, build: (keep: (t: tf.TensorInfo) => tf.TensorInfo) => tf.TensorInfo): tf.TensorInfo {
  const temporary: tf.TensorInfo[] = [];
  try {
    return build((t) => {
      temporary.push(t);
      return t;
    });
  } finally {
    for (const t of temporary) wasm.disposeData(t.dataId);
  }
}

export function conv2DBackpropFilterWasm({
  inputs,
  backend,
  attrs,
}: {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const wasm = backend as WasmBackend;
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter (wasm): only NHWC is supported, got ${dataFormat}`);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const [, height, width, inChannels] = x.shape;
  const [, outHeight, outWidth, outChannels] = dy.shape;
  const { top, left } = info.padInfo;
  // Enough padding at the bottom/right for the output to cover the whole filter; the excess is cropped.
  const bottom = Math.max(0, info.filterHeight + info.strideHeight * (outHeight - 1) - height - top);
  const right = Math.max(0, info.filterWidth + info.strideWidth * (outWidth - 1) - width - left);

  return withTemporaries(wasm, (keep) => {
    const xT = keep(runWasmKernel('Transpose', { x }, { perm: [3, 1, 2, 0] }, wasm));
    const dyT = keep(runWasmKernel('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }, wasm));
    const full = keep(paddedConv2d(xT, dyT, [top, bottom, left, right], [info.strideHeight, info.strideWidth], wasm));
    const [, fullHeight, fullWidth] = full.shape;
    const cropped =
      fullHeight === info.filterHeight && fullWidth === info.filterWidth
        ? full
        : keep(
            runWasmKernel(
              'Slice',
              { x: full },
              { begin: [0, 0, 0, 0], size: [inChannels, info.filterHeight, info.filterWidth, outChannels] },
              wasm,
            ),
          );
    return runWasmKernel('Transpose', { x: cropped }, { perm: [1, 2, 0, 3] }, wasm);
  });
}

/**
 * The wasm BatchMatMul multiplies transposed operands (transposeA / transposeB, which every
 * gradient of a matrix product uses) with a slow generic loop: 7 ms for a 128×64 by 64×1568 product
 * at batch 128 against under 1 ms untransposed. Transposing the operand first and multiplying without
 * the flag gives the same result.
 */
function batchMatMulWithoutTransposes(original: tf.KernelFunc): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
    if (!transposeA && !transposeB) return original({ inputs, backend, attrs });
    const wasm = backend as WasmBackend;
    const swapLast = (t: tf.TensorInfo) => {
      const perm = t.shape.map((_, i) => i);
      [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
      return runWasmKernel('Transpose', { x: t }, { perm }, wasm);
    };
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    return withTemporaries(
      wasm,
      (keep) =>
        original({
          inputs: { a: transposeA ? keep(swapLast(a)) : a, b: transposeB ? keep(swapLast(b)) : b },
          backend,
          attrs: { ...attrs, transposeA: false, transposeB: false },
        }) as tf.TensorInfo,
    );
  };
}

/**
 * The wasm Sum reduces only innermost axes: to sum over all axes but the last (every bias gradient)
 * it first transposes the whole tensor. Averaging the rows with one pooling window and scaling back
 * gives the same sums (to float32 rounding): for a 64×14×14×16 gradient 0.06 ms instead of 0.25.
 */
function sumOverLeadingAxes(original: tf.KernelFunc): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    const { axis, keepDims } = attrs as unknown as tf.SumAttrs;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const channels = x.shape[rank - 1];
    const leading = x.dtype === 'float32' && rank >= 2 && channels > 1 && axes.length === rank - 1 && axes.every((a, i) => a === i);
    if (!leading) return original({ inputs, backend, attrs });
    const wasm = backend as WasmBackend;
    const rows = tf.util.sizeFromShape(x.shape) / channels;
    return withTemporaries(wasm, (keep) => {
      const column = keep(runWasmKernel('Reshape', { x }, { shape: [1, rows, 1, channels] }, wasm));
      const mean = keep(runWasmKernel('AvgPool', { x: column }, { filterSize: [rows, 1], strides: [rows, 1], pad: 'valid' }, wasm));
      const count = keep({ dataId: wasm.write(new Float32Array([rows]), [], 'float32'), shape: [], dtype: 'float32' });
      const sums = keep(runWasmKernel('Multiply', { a: mean, b: count }, {}, wasm));
      const shape = keepDims ? [...x.shape.slice(0, -1).map(() => 1), channels] : [channels];
      return runWasmKernel('Reshape', { x: sums }, { shape }, wasm);
    });
  };
}

/** subPixelSources by channel counts, made once. */
const subPixelSourcesByChannels = new Map<string, Int32Array>();

/**
 * Stride-2 3×3 SAME transposed convolutions (the conv model's decoder, and the input gradient of its
 * stride-2 convolutions) computed sub-pixel (see sub-pixel.ts): the wasm Conv2DBackpropInput is a
 * plain loop, about 14 ms at batch 128 where this takes about 3.6. Other geometries go to the original kernel.
 */
function conv2DBackpropInputSubPixel(original: tf.KernelFunc): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const [, height, width, inChannels] = dy.shape;
    const [kh, kw, outChannels] = filter.shape;
    const stride = Array.isArray(strides) ? strides : [strides, strides];
    const applies =
      dataFormat === 'NHWC' &&
      dimRoundingMode == null &&
      subPixelApplies([kh, kw], stride, pad === 'same', [height, width], inputShape.slice(1));
    if (!applies) return original({ inputs, backend, attrs });
    const wasm = backend as WasmBackend;
    const key = `${outChannels},${inChannels}`;
    const sources = subPixelSourcesByChannels.get(key) ?? subPixelSources(outChannels, inChannels);
    subPixelSourcesByChannels.set(key, sources);
    // Gathered here rather than by the wasm GatherV2, which takes 0.3 ms for these 8,192 values.
    const weights = wasm.readSync(filter.dataId) as Float32Array;
    const values = new Float32Array(sources.length);
    sources.forEach((source, i) => {
      if (source >= 0) values[i] = weights[source];
    });
    const kernelShape = [2, 2, inChannels, 4 * outChannels];
    return withTemporaries(wasm, (keep) => {
      const kernel = keep({ dataId: wasm.write(values, kernelShape, 'float32'), shape: kernelShape, dtype: 'float32' });
      const phases = keep(paddedConv2d(dy, kernel, [1, 0, 1, 0], [1, 1], wasm));
      // The phases to pixels, as DepthToSpace would (wasm's own takes ~10 ms here, this ~0.1 ms):
      // [n·h, w, row parity, (column parity, out)] → [n·h, row parity, w, (column parity, out)].
      const [n] = dy.shape;
      const split = keep(runWasmKernel('Reshape', { x: phases }, { shape: [n * height, width, 2, 2 * outChannels] }, wasm));
      const interleaved = keep(runWasmKernel('Transpose', { x: split }, { perm: [0, 2, 1, 3] }, wasm));
      return runWasmKernel('Reshape', { x: interleaved }, { shape: [n, 2 * height, 2 * width, outChannels] }, wasm);
    });
  };
}

/** Replaces a wasm kernel by a wrapper of it (its setup kept), once. */
function wrapWasmKernel(name: string, wrap: (original: tf.KernelFunc) => tf.KernelFunc): void {
  const original = tf.getKernel(name, 'wasm');
  if (original === undefined) throw new Error(`the wasm backend has no ${name} kernel`);
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...original, kernelFunc: wrap(original.kernelFunc) });
}

/**
 * Adds the missing kernel to the wasm backend and replaces three slow ones used by training (once: a
 * registered Conv2DBackpropFilter means it is done). Call before the backend starts.
 */
export function registerWasmTrainingKernels(): void {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined) return;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: conv2DBackpropFilterWasm as unknown as tf.KernelFunc,
  });
  wrapWasmKernel('BatchMatMul', batchMatMulWithoutTransposes);
  wrapWasmKernel('Conv2DBackpropInput', conv2DBackpropInputSubPixel);
  wrapWasmKernel('Sum', sumOverLeadingAxes);
}
