import * as tf from '@tensorflow/tfjs';
import { checkNumberInRange } from '../util/check';
import { toTensor } from './images';
import { Dataset } from './mnist';

/** The tensors a notebook trains and tests on, each of shape [n, M, N, 1] with values in [0, 1]. */
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
 * The data as the TP trains on it: the training images split into training and validation
 * tensors (the last ones for validation, as Keras's validationSplit does), and the test tensor.
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
