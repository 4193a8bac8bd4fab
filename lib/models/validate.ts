import { checkOneOf, checkPositiveInteger } from '../util/check';
import { ACTIVATION_NAMES, ActivationName, AutoencoderOptions, ImageShape } from './types';

export interface ValidatedOptions {
  imageShape: ImageShape;
  codeSize: number;
  activation: ActivationName;
}

/** Checks a builder's options and fills in the defaults; errors name the argument and what is allowed. */
export function validateOptions(options: AutoencoderOptions, defaultActivation: ActivationName): ValidatedOptions {
  const imageShape = options.imageShape ?? [28, 28];
  if (!Array.isArray(imageShape) || imageShape.length !== 2) {
    throw new Error(`imageShape must be [M, N] (two positive integers), got ${JSON.stringify(imageShape)}`);
  }
  checkPositiveInteger('imageShape[0] (M)', imageShape[0]);
  checkPositiveInteger('imageShape[1] (N)', imageShape[1]);
  return {
    imageShape: [imageShape[0], imageShape[1]],
    codeSize: checkPositiveInteger('codeSize (K)', options.codeSize ?? 64),
    activation: checkOneOf('activation', options.activation ?? defaultActivation, ACTIVATION_NAMES),
  };
}
