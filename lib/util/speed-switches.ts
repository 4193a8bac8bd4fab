/**
 * Each piece of the speed machinery can be switched off, so that the benchmark can measure what it
 * earns end to end (`npm run bench -- --machinery`) and so that a suspected fault can be ruled out:
 * TP5_SPEED_OFF=native,threads trains without the native step and without helper threads.
 */
export const SPEED_PIECES = {
  native: 'the native step (native-step.ts): TensorFlow operations, explicit backward pass',
  fused: 'the fused forward pass and one-vector Adam (fused-forward.ts, flat-adam.ts)',
  threads: 'helper threads sharing each batch (threads.ts, helper-thread.ts, exchange.ts)',
  'sub-pixel': 'stride-2 transposed convolutions as one convolution and DepthToSpace (sub-pixel.ts)',
  'direct-copy': "copying a gradient from TensorFlow's buffer into shared memory (copy-data.ts)",
} as const;

export type SpeedPiece = keyof typeof SPEED_PIECES;

/** True when TP5_SPEED_OFF lists this piece. */
export function switchedOff(piece: SpeedPiece): boolean {
  const listed = (process.env.TP5_SPEED_OFF ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = listed.filter((name) => !(name in SPEED_PIECES));
  if (unknown.length > 0) {
    throw new Error(`TP5_SPEED_OFF : ${unknown.join(', ')} inconnu ; pièces possibles : ${Object.keys(SPEED_PIECES).join(', ')}`);
  }
  return listed.includes(piece);
}
