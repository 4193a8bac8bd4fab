import { checkOneOf, checkPositiveInteger, shown } from '../util/check';
import { ACTIVATION_NAMES, ActivationName, AutoencoderOptions, ImageShape } from './types';

export interface ValidatedOptions {
  imageShape: ImageShape;
  codeSize: number;
  activation: ActivationName;
}

/** Limits that keep a model's weights in memory (a dense layer of K = 10⁹ would need 784 × 10⁹ weights). */
const MAX_IMAGE_SIDE = 1024;
const MAX_CODE_SIZE = 100_000;

/** Checks a builder's options and fills in the defaults; errors name the argument and what is allowed. */
export function validateOptions(options: AutoencoderOptions, defaultActivation: ActivationName): ValidatedOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new Error(`les options d'un modèle sont un objet { imageShape, codeSize, activation, name }, reçu ${shown(options)}`);
  }
  const imageShape = options.imageShape ?? [28, 28];
  if (!Array.isArray(imageShape) || imageShape.length !== 2) {
    throw new Error(`imageShape doit être [M, N] (deux entiers positifs), reçu ${shown(imageShape)}`);
  }
  checkPositiveInteger('imageShape[0] (M)', imageShape[0], MAX_IMAGE_SIDE);
  checkPositiveInteger('imageShape[1] (N)', imageShape[1], MAX_IMAGE_SIDE);
  return {
    imageShape: [imageShape[0], imageShape[1]],
    codeSize: checkPositiveInteger('codeSize (K)', options.codeSize ?? 64, MAX_CODE_SIZE),
    activation: checkOneOf('activation', options.activation ?? defaultActivation, ACTIVATION_NAMES),
  };
}
