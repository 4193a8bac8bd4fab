import * as tf from '@tensorflow/tfjs';
import { Autoencoder } from '../../models/types';
import { Feedback } from '../feedback';

/** Helpers shared by the checks: is a value there, of the right type and shape. */

export function describeValue(value: unknown): string {
  if (value === undefined) return 'rien (undefined)';
  if (value === null) return 'null';
  if (value instanceof tf.Tensor) return `un tenseur [${value.shape.join(', ')}]`;
  if (Array.isArray(value)) return `un tableau de ${value.length} élément(s)`;
  return typeof value === 'object' ? 'un objet' : `${typeof value} ${String(value)}`;
}

/** Stops the check when a variable the question fills is still empty. */
export function required<T>(value: T | undefined | null, name: string, feedback: Feedback): T {
  if (value === undefined || value === null)
    feedback.stop(`${name} est vide : exécutez d’abord votre réponse à la question ${feedback.question}`);
  return value as T;
}

/** An image tensor [n, M, N, 1], or a stop naming what it is instead. */
export function imageTensor(value: unknown, name: string, imageShape: [number, number], feedback: Feedback): tf.Tensor4D {
  const tensor = required(value, name, feedback);
  if (!(tensor instanceof tf.Tensor)) feedback.stop(`${name} doit être un tenseur tf, c’est ${describeValue(tensor)}`);
  const t = tensor as tf.Tensor;
  const [m, n] = imageShape;
  if (t.rank !== 4 || t.shape[1] !== m || t.shape[2] !== n || t.shape[3] !== 1) {
    feedback.stop(`${name} a la forme [${t.shape.join(', ')}] ; des images [n, ${m}, ${n}, 1] sont attendues`);
  }
  if (t.isDisposed) feedback.stop(`${name} a été libéré (dispose) : gardez-le pour la suite`);
  return t as tf.Tensor4D;
}

/** A model made by lab.autoencoder (or a reference builder), or a stop. */
export function autoencoderValue(value: unknown, name: string, feedback: Feedback): Autoencoder {
  const model = required(value, name, feedback);
  if (!isAutoencoder(model)) {
    feedback.stop(`${name} doit être un auto-encodeur fait par lab.autoencoder({ encoder, decoder, name }), c’est ${describeValue(model)}`);
  }
  return model as Autoencoder;
}

/** A model, its encoder and its decoder, as lab.autoencoder (or a reference builder) makes them. */
export function isAutoencoder(value: unknown): value is Autoencoder {
  const v = value as Partial<Autoencoder> | undefined;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.model instanceof tf.LayersModel &&
    v.encoder instanceof tf.LayersModel &&
    v.decoder instanceof tf.LayersModel
  );
}

/** A tensor of images of the same shape as `clean`, not yet disposed of. */
export function sameImagesShape(made: unknown, clean: tf.Tensor): made is tf.Tensor4D {
  return made instanceof tf.Tensor && !made.isDisposed && made.shape.join() === clean.shape.join();
}

/** Mean of (a − b)² over every value, on the backend. */
export function meanSquaredError(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.mean(tf.squaredDifference(a, b)).dataSync()[0]);
}

/** The model's outputs for images, computed in batches. */
export function predict(model: Autoencoder, images: tf.Tensor4D, batchSize = 500): tf.Tensor4D {
  return tf.tidy(() => {
    const parts: tf.Tensor[] = [];
    for (let start = 0; start < images.shape[0]; start += batchSize) {
      const size = Math.min(batchSize, images.shape[0] - start);
      parts.push(model.model.predict(images.slice(start, size)) as tf.Tensor);
    }
    return tf.concat(parts) as tf.Tensor4D;
  });
}

/** The first `count` images of a tensor (a new tensor). */
export function firstOf(images: tf.Tensor4D, count: number): tf.Tensor4D {
  return images.slice(0, Math.min(count, images.shape[0]));
}

export function finiteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
