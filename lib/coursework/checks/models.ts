import { buildConv } from '../../models/conv';
import { buildDense1, buildDense2 } from '../../models/dense';
import * as tf from '@tensorflow/tfjs';
import { ACTIVATION_NAMES, ActivationName, Autoencoder, ImageShape } from '../../models/types';
import { Feedback } from '../feedback';
import { ActivationRule, checkOwnLayers, compareWithReference, readModel } from '../model-reading';
import { autoencoderValue, isAutoencoder } from './values';

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

/** The student's model where it is an autoencoder (even a wrong one: later questions judge that one), else the reference. */
export function usableModel(value: unknown, reference: ReferenceName): { model: Autoencoder; standIn: boolean } {
  if (isAutoencoder(value)) return { model: value, standIn: false };
  return { model: REFERENCE_MODELS[reference].build([28, 28]), standIn: true };
}

/** What the feedback says stands in for missing models; nothing when the student's own go on. */
function standInWords(models: { model: Autoencoder; standIn: boolean }[]): string | undefined {
  const names = models.filter((m) => m.standIn).map((m) => m.model.name);
  if (names.length === 0) return undefined;
  return `${names.length > 1 ? 'les modèles' : 'le modèle'} de référence de la bibliothèque (${names.join(', ')}, non entraîné${names.length > 1 ? 's' : ''}) à la place des vôtres`;
}

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

/**
 * Question 1.1 : Dense n°1 sans activation, Dense n°1 avec ReLU et Dense n°2, chacun avec K = 64.
 * Quand l'un est à revoir, les modèles de l'étudiant continuent, un modèle de référence remplaçant
 * seulement celui qui n'est pas du tout un auto-encodeur (Feedback.withStandIn).
 */
export function denseModels(
  question: string,
  dense1: Autoencoder | undefined,
  dense1Relu: Autoencoder | undefined,
  dense2: Autoencoder | undefined,
): Autoencoder[] {
  const models = { dense1, dense1Relu, dense2 };
  const names = ['dense1', 'dense1Relu', 'dense2'] as const;
  const check = (feedback: Feedback) => {
    const checked = names.map((name) => checkModel(models[name], name, name, feedback));
    feedback.finish();
    return checked;
  };
  return Feedback.withStandIn(question, check, () => {
    const usable = names.map((name) => usableModel(models[name], name));
    return { value: usable.map((u) => u.model), what: standInWords(usable) };
  });
}

/**
 * Question 2.2 : l'auto-encodeur convolutif du tableau du TP (le modèle de référence ne le remplace que
 * s'il n'est pas du tout un auto-encodeur).
 */
export function convModel(question: string, model: Autoencoder | undefined): Autoencoder {
  const check = (feedback: Feedback) => {
    const checked = checkModel(model, 'conv', 'conv', feedback);
    feedback.finish();
    return checked;
  };
  return Feedback.withStandIn(question, check, () => {
    const usable = usableModel(model, 'conv');
    return { value: usable.model, what: standInWords([usable]) };
  });
}

/** The denoiser is the convolutional autoencoder (the reference builder is allowed there). */
export function denoiserModel(model: Autoencoder | undefined, feedback: Feedback): Autoencoder {
  return checkModel(model, 'denoiser', 'conv', feedback, false);
}

/**
 * A check the grader makes and the notebooks do not show: each model, given to the reference
 * architecture as its weights, must compute the same images as the reference does with them. So a
 * layer whose settings the layer-by-layer reading does not cover (a kernel constraint, a dilation…)
 * cannot pass for the TP's. Models whose activation the reference builders cannot take (LeakyReLU,
 * or different ones in different layers) are compared layer by layer only.
 */
export function sameFunctionAsReference(question: string, models: [Autoencoder, ReferenceName][], images: tf.Tensor4D): void {
  const feedback = new Feedback(question);
  const sample = images.slice(0, Math.min(64, images.shape[0]));
  for (const [model, name] of models) {
    const { label, rules } = REFERENCE_MODELS[name];
    const chosen = [...new Set(readModel(model).layers.flatMap((layer, i) => (rules[i] === 'any' ? layer.activations : [])))];
    const activation = chosen.length === 0 ? undefined : chosen.length === 1 ? chosen[0] : 'mixed';
    if (activation !== undefined && !(ACTIVATION_NAMES as readonly string[]).includes(activation)) {
      feedback.pass(`${label} : comparé couche par couche (activation ${activation})`);
      continue;
    }
    const reference = buildReference(name, model.imageShape, activation as ActivationName | undefined);
    const weights = model.model.getWeights();
    const sameShapes =
      reference.model
        .getWeights()
        .map((w) => w.shape.join())
        .join() === weights.map((w) => w.shape.join()).join();
    let difference = Infinity;
    if (sameShapes) {
      reference.model.setWeights(weights);
      difference = tf.tidy(
        () => tf.max(tf.abs(tf.sub(model.model.predict(sample) as tf.Tensor, reference.model.predict(sample) as tf.Tensor))).dataSync()[0],
      );
    }
    reference.model.dispose();
    feedback.expect(
      difference < 1e-4,
      `${label} : calcule la fonction de l’architecture du TP`,
      `${label} : avec ses propres poids, l’architecture du TP ne donne pas les mêmes images (le modèle calcule autre chose)`,
    );
  }
  sample.dispose();
  feedback.finish();
}

function buildReference(name: ReferenceName, imageShape: ImageShape, activation: ActivationName | undefined): Autoencoder {
  if (name === 'dense1' || name === 'dense1Relu') return REFERENCE_MODELS[name].build(imageShape);
  const options = { imageShape, codeSize: 64, activation: activation ?? 'relu' };
  return name === 'dense2' ? buildDense2(options) : buildConv(options);
}
