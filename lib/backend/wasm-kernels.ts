import * as tf from '@tensorflow/tfjs';

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

export function conv2DBackpropFilterWasm({ inputs, backend, attrs }: {
  inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const wasm = backend as WasmBackend;
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter (wasm): only NHWC is supported, got ${dataFormat}`);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const [, height, width, inChannels] = x.shape;
  const [, outHeight, outWidth, outChannels] = dy.shape;
  const { top, left } = info.padInfo;
  // Enough padding at the bottom/right for the output to cover the whole filter; the excess is cropped.
  const bottom = Math.max(0, info.filterHeight + info.strideHeight * (outHeight - 1) - height - top);
  const right = Math.max(0, info.filterWidth + info.strideWidth * (outWidth - 1) - width - left);

  const temporary: tf.TensorInfo[] = [];
  const keep = (t: tf.TensorInfo) => {
    temporary.push(t);
    return t;
  };
  try {
    const xT = keep(runWasmKernel('Transpose', { x }, { perm: [3, 1, 2, 0] }, wasm));
    const dyT = keep(runWasmKernel('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }, wasm));
    const full = keep(runWasmKernel('Conv2D', { x: xT, filter: dyT }, {
      strides: [1, 1], pad: [[0, 0], [top, bottom], [left, right], [0, 0]] as unknown as tf.NamedAttrMap[string],
      dataFormat: 'NHWC', dilations: [info.strideHeight, info.strideWidth], dimRoundingMode: undefined as unknown as string,
    }, wasm));
    const [, fullHeight, fullWidth] = full.shape;
    const cropped = fullHeight === info.filterHeight && fullWidth === info.filterWidth
      ? full
      : keep(runWasmKernel('Slice', { x: full }, { begin: [0, 0, 0, 0], size: [inChannels, info.filterHeight, info.filterWidth, outChannels] }, wasm));
    return runWasmKernel('Transpose', { x: cropped }, { perm: [1, 2, 0, 3] }, wasm);
  } finally {
    for (const t of temporary) wasm.disposeData(t.dataId);
  }
}

/** Adds the missing kernel to the wasm backend (once: a registered kernel is left as it is). */
export function registerWasmTrainingKernels(): void {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined) return;
  tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilterWasm as unknown as tf.KernelFunc });
}
