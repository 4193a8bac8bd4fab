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
export const SUB_PIXEL_KERNEL_ROW: readonly (readonly number[])[] = [[2, -1], [0, 1]];
