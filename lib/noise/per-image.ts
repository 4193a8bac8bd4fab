import { ImageSet, imageAt } from '../data/images';

/** Index into [0, size) mirrored at the borders, edge repeated (d c b a | a b c d | d c b a), as SciPy's 'reflect'. */
export function mirrorIndex(index: number, size: number): number {
  const period = 2 * size;
  let i = ((index % period) + period) % period;
  if (i >= size) i = period - 1 - i;
  return i;
}

/** Index into [0, size) mirrored about the edge pixels (d c b | a b c d | c b a), as NumPy's pad mode 'reflect'. */
export function reflectIndex(index: number, size: number): number {
  if (size === 1) return 0;
  const period = 2 * (size - 1);
  let i = ((index % period) + period) % period;
  if (i >= size) i = period - i;
  return i;
}

/** Applies `filter` to each image of the set, into a new set of the same shape. */
export function mapImages(images: ImageSet, filter: (image: Float32Array, out: Float32Array) => void): ImageSet {
  const pixels = new Float32Array(images.pixels.length);
  const size = images.height * images.width;
  for (let i = 0; i < images.count; i++) filter(imageAt(images, i), pixels.subarray(i * size, (i + 1) * size));
  return { ...images, pixels };
}
