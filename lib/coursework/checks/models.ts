import { buildConv } from '../../models/conv';
import { buildDense1, buildDense2 } from '../../models/dense';
import { Autoencoder, ImageShape } from '../../models/types';
import { Feedback } from '../feedback';
import { ActivationRule, checkOwnLayers, compareWithReference } from '../model-reading';
import { autoencoderValue } from './values';

/** The TP's models, each with the activation rule of every layer that has weights. */
export const REFERENCE_MODELS = {
  dense1: {
    label: 'Dense n°1 sans activation',
    build: (imageShape: ImageShape) => buildDense1({ imageShape, codeSize: 64, activation: 'none' }),
    rules: ['none', 'sigmoid'],
  },
  dense1Relu: {
    label: 'Dense n°1 avec ReLU',
    build: (imageShape: ImageShape) => buildDense1({ imageShape, codeSize: 64, activation: 'relu' }),
    rules: ['relu', 'sigmoid'],
  },
  dense2: {
    label: 'Dense n°2',
    build: (imageShape: ImageShape) => buildDense2({ imageShape, codeSize: 64, activation: 'relu' }),
    rules: ['any', 'any', 'any', 'sigmoid'],
  },
  conv: {
    label: 'l’auto-encodeur convolutif',
    build: (imageShape: ImageShape) => buildConv({ imageShape, codeSize: 64, activation: 'relu' }),
    rules: ['any', 'any', 'none', 'any', 'any', 'sigmoid'],
  },
} satisfies Record<string, { label: string; build: (imageShape: ImageShape) => Autoencoder; rules: ActivationRule[] }>;

export type ReferenceName = keyof typeof REFERENCE_MODELS;

/** One model against its reference; returns it once it is known to be an autoencoder. */
function checkModel(value: unknown, variable: string, reference: ReferenceName, feedback: Feedback, ownLayers = true): Autoencoder {
  const model = autoencoderValue(value, variable, feedback);
  const { label, build, rules } = REFERENCE_MODELS[reference];
  if (ownLayers && !checkOwnLayers(model, label, feedback)) return model;
  const expected = build(model.imageShape);
  compareWithReference(model, expected, rules, label, feedback);
  expected.model.dispose();
  return model;
}

/** Question 1.1: Dense n°1 without activation, Dense n°1 with ReLU, Dense n°2, each with K = 64. */
export function denseModels(dense1: Autoencoder | undefined, dense1Relu: Autoencoder | undefined, dense2: Autoencoder | undefined, question = '1.1'): Autoencoder[] {
  const feedback = new Feedback(question);
  const models = { dense1, dense1Relu, dense2 };
  const checked = (['dense1', 'dense1Relu', 'dense2'] as const).map((name) => checkModel(models[name], name, name, feedback));
  feedback.finish();
  return checked;
}

/** Question 2.2: the convolutional autoencoder of the TP's table. */
export function convModel(model: Autoencoder | undefined, question = '2.2'): Autoencoder {
  const feedback = new Feedback(question);
  const checked = checkModel(model, 'conv', 'conv', feedback);
  feedback.finish();
  return checked;
}

/** The denoiser is the convolutional autoencoder (the reference builder is allowed there). */
export function denoiserModel(model: Autoencoder | undefined, feedback: Feedback): Autoencoder {
  return checkModel(model, 'denoiser', 'conv', feedback, false);
}
