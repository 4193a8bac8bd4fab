import * as tf from '@tensorflow/tfjs';
import { madeBy, markMadeBy } from '../util/traces';

/**
 * Un ensemble d'images en niveaux de gris gardé côté JavaScript : pixels dans [0, 1], image après
 * image, ligne après ligne. Les tenseurs en sont faits lot par lot.
 */
export interface ImageSet {
  pixels: Float32Array;
  count: number;
  height: number;
  width: number;
  /** Les étiquettes de classe (0 à 9), quand on les connaît. */
  labels?: Uint8Array;
}

export function imageSize(set: ImageSet): number {
  return set.height * set.width;
}

/** The pixels of image `index` (a view, not a copy). */
export function imageAt(set: ImageSet, index: number): Float32Array {
  if (!Number.isInteger(index) || index < 0 || index >= set.count) {
    throw new Error(`le numéro d'image doit être un entier de [0, ${set.count - 1}], reçu ${index}`);
  }
  const size = imageSize(set);
  return set.pixels.subarray(index * size, (index + 1) * size);
}

/** Les `count` premières images (des vues, pas des copies). */
export function firstImages(set: ImageSet, count: number): ImageSet {
  const n = Math.min(count, set.count);
  return {
    pixels: set.pixels.subarray(0, n * imageSize(set)),
    count: n,
    height: set.height,
    width: set.width,
    labels: set.labels?.subarray(0, n),
  };
}

/** The images at the given indices, copied in that order. */
export function selectImages(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const size = imageSize(set);
  const pixels = new Float32Array(indices.length * size);
  const labels = set.labels ? new Uint8Array(indices.length) : undefined;
  for (let i = 0; i < indices.length; i++) {
    pixels.set(imageAt(set, indices[i]), i * size);
    if (labels && set.labels) labels[i] = set.labels[indices[i]];
  }
  return { pixels, count: indices.length, height: set.height, width: set.width, labels };
}

/**
 * Des images telles que la bibliothèque les prend : un ImageSet, ou un tenseur de forme [n, M, N, 1] (ou [n, M, N]).
 */
export type Images = ImageSet | tf.Tensor;

/** Images [start, end) as a tensor of shape [n, height, width, 1]. */
export function toTensor(set: ImageSet, start = 0, end = set.count): tf.Tensor4D {
  const size = imageSize(set);
  const slice = set.pixels.subarray(start * size, end * size);
  const tensor = tf.tensor4d(slice, [end - start, set.height, set.width, 1]);
  const maker = madeBy(set) ?? madeBy(set.pixels);
  return maker ? markMadeBy(tensor, maker) : tensor;
}

/** The images as an ImageSet; a tensor's values are copied out of it (it stays as it was). */
export function asImageSet(images: Images, what = 'images'): ImageSet {
  if (!(images instanceof tf.Tensor)) {
    if (typeof images !== 'object' || images === null || !(images.pixels instanceof Float32Array)) {
      throw new Error(
        `${what} : un tenseur [n, M, N, 1] ou un ImageSet est attendu, reçu ${images === undefined ? 'undefined' : typeof images}`,
      );
    }
    if (images.pixels.length < images.count * imageSize(images)) {
      throw new Error(
        `${what} : ${images.count} images de ${images.height}×${images.width} annoncées, mais seulement ${images.pixels.length} pixels`,
      );
    }
    return images;
  }
  const shape = images.shape;
  if (!(shape.length === 3 || (shape.length === 4 && shape[3] === 1))) {
    throw new Error(`${what} : un tenseur d'images de forme [n, M, N, 1] est attendu, reçu [${shape.join(', ')}]`);
  }
  const [count, height, width] = shape;
  const values = images.dataSync();
  const pixels = values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
  const set: ImageSet = { pixels, count, height, width };
  const maker = madeBy(images);
  return maker ? markMadeBy(set, maker) : set;
}
