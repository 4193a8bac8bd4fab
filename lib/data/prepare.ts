import * as tf from '@tensorflow/tfjs';
import { checkNumberInRange } from '../util/check';
import { toTensor } from './images';
import { Dataset } from './mnist';

/**
 * Les tenseurs sur lesquels un carnet s'entraîne et se teste, chacun de forme [n, M, N, 1] à valeurs dans [0, 1].
 */
export interface PreparedData {
  xTrain: tf.Tensor4D;
  /** The last images of the training set, kept aside to watch for over-fitting. */
  xValidation: tf.Tensor4D;
  xTest: tf.Tensor4D;
}

export interface PrepareOptions {
  /** Fraction of the training images kept for validation (default 0.1). */
  validationFraction?: number;
}

/**
 * Les données telles que le TP s'entraîne dessus : les images d'entraînement partagées en tenseurs
 * d'entraînement et de validation (les dernières pour la validation, comme le validationSplit de
 * Keras), et le tenseur de test.
 */
export function prepareData(data: Dataset, options: PrepareOptions = {}): PreparedData {
  const fraction = checkNumberInRange('validationFraction', options.validationFraction ?? 0.1, 0, 0.9);
  const validationCount = Math.round(fraction * data.train.count);
  const trainCount = data.train.count - validationCount;
  return {
    xTrain: toTensor(data.train, 0, trainCount),
    xValidation: toTensor(data.train, trainCount, data.train.count),
    xTest: toTensor(data.test),
  };
}
