import { switchedOff } from '../util/speed-switches';
/**
 * A stride-2 transposed convolution with a 3×3 kernel and TensorFlow's SAME padding, seen as a
 * stride-1 convolution: output row 2m receives input rows m (kernel row 0) and m - 1 (kernel row 2),
 * output row 2m + 1 receives input row m (kernel row 1); columns alike. So the output is a
 * convolution over 2×2 windows (rows m - 1, m; columns likewise) whose output channels are the four
 * (row, column) parities, followed by DepthToSpace. Used on native TensorFlow and on wasm, where
 * the shipped transposed convolutions are several times slower.
 *
 * SUB_PIXEL_KERNEL_ROW[tap][parity]: the 3×3 kernel row (or column) feeding window tap 0 (m - 1)
 * or 1 (m) for an even (0) or odd (1) output row; -1 where none does.
 */
const SUB_PIXEL_KERNEL_ROW: readonly (readonly number[])[] = [
  [2, -1],
  [0, 1],
];

/** Whether the sub-pixel form computes this transposed convolution: 3×3 kernel, stride 2, SAME, output twice the input. */
export function subPixelApplies(kernel: number[], strides: number[], same: boolean, input: number[], output: number[]): boolean {
  return (
    !switchedOff('sub-pixel') &&
    kernel[0] === 3 &&
    kernel[1] === 3 &&
    strides[0] === 2 &&
    strides[1] === 2 &&
    same &&
    output[0] === 2 * input[0] &&
    output[1] === 2 * input[1]
  );
}

/**
 * Where each value of the sub-pixel kernel [window row u, window column v, in c, (row parity pr,
 * column parity pc, out o)] comes from in the flattened 3×3 kernel [row, column, out, in]; -1 where
 * it is zero.
 */
export function subPixelSources(outChannels: number, inChannels: number): Int32Array {
  const sources = new Int32Array(16 * inChannels * outChannels);
  let i = 0;
  for (let u = 0; u < 2; u++)
    for (let v = 0; v < 2; v++)
      for (let c = 0; c < inChannels; c++) {
        for (let pr = 0; pr < 2; pr++)
          for (let pc = 0; pc < 2; pc++)
            for (let o = 0; o < outChannels; o++) {
              const [row, column] = [SUB_PIXEL_KERNEL_ROW[u][pr], SUB_PIXEL_KERNEL_ROW[v][pc]];
              sources[i++] = row < 0 || column < 0 ? -1 : ((row * 3 + column) * outChannels + o) * inChannels + c;
            }
      }
  return sources;
}
