import * as tf from '@tensorflow/tfjs';
import { ImageSet, toTensor } from '../data/images';
import { Autoencoder } from '../models/types';
import { refuseInStoppedCell } from '../util/stopped-cell';

/** Runs `model` over the images in batches and gathers its outputs, flattened per image. */
async function runInBatches(
  model: tf.LayersModel,
  images: ImageSet,
  batchSize: number,
): Promise<{ values: Float32Array; perImage: number }> {
  refuseInStoppedCell('le calcul des sorties du modèle');
  let values: Float32Array | undefined;
  let perImage = 0;
  for (let start = 0; start < images.count; start += batchSize) {
    const end = Math.min(start + batchSize, images.count);
    const output = tf.tidy(() => model.predict(toTensor(images, start, end)) as tf.Tensor);
    const data = (await output.data()) as Float32Array;
    output.dispose();
    if (values === undefined) {
      perImage = data.length / (end - start);
      values = new Float32Array(images.count * perImage);
    }
    values.set(data, start * perImage);
  }
  return { values: values ?? new Float32Array(0), perImage };
}

/** The autoencoder's reconstructions of the images. */
export async function reconstruct(autoencoder: Autoencoder, images: ImageSet, batchSize = 512): Promise<ImageSet> {
  const { values } = await runInBatches(autoencoder.model, images, batchSize);
  return { pixels: values, count: images.count, height: images.height, width: images.width, labels: images.labels };
}

/** Codes of the images (the encoder's outputs), one row of `size` values per image. */
export interface Codes {
  values: Float32Array;
  count: number;
  size: number;
  labels?: Uint8Array;
}

/** Les codes de l'encodeur pour des images, calculés par lots (un tenseur [n, …forme du code]). */
export async function encode(autoencoder: Autoencoder, images: ImageSet, batchSize = 512): Promise<Codes> {
  const { values, perImage } = await runInBatches(autoencoder.encoder, images, batchSize);
  return { values, count: images.count, size: perImage, labels: images.labels };
}
