import * as tf from '@tensorflow/tfjs';
import { LayerKind, isWeightedKind, layerActivation, layerKind } from '../models/layer-kinds';
import { Autoencoder } from '../models/types';
import { modelMadeBy } from '../util/traces';
import { Feedback } from './feedback';

/**
 * A model read the way the TP describes it: its layers with weights (linear layers and
 * convolutions), each with the activations applied after it, whether they sit inside the layer
 * (`activation: "relu"`) or in a layer of their own (tf.layers.activation, tf.layers.leakyReLU…).
 * So two equivalent ways of writing a model read the same, and a label never stands for a layer.
 */
export interface WeightedLayer {
  kind: 'dense' | 'conv' | 'convTranspose';
  half: 'encoder' | 'decoder';
  /** 1-based position among the weighted layers of its half. */
  position: number;
  outputShape: number[];
  params: number;
  /** Activations applied after it, before the next weighted layer ('linear' left out). */
  activations: string[];
}

export interface ModelReading {
  layers: WeightedLayer[];
  /** Class names of layers that are not among the TP's kinds. */
  unknown: string[];
  codeShape: number[];
  outputShape: number[];
}

const shapeOf = (shape: tf.Shape | tf.Shape[]) => (shape as number[]).slice(1);

export function readModel(model: Autoencoder): ModelReading {
  const layers: WeightedLayer[] = [];
  const unknown: string[] = [];
  for (const [half, part] of [
    ['encoder', model.encoder],
    ['decoder', model.decoder],
  ] as const) {
    let position = 0;
    for (const layer of part.layers) {
      const kind: LayerKind | undefined = layerKind(layer);
      if (kind === undefined) unknown.push(layer.getClassName());
      const activation = layerActivation(layer);
      if (isWeightedKind(kind)) {
        position++;
        layers.push({ kind, half, position, outputShape: shapeOf(layer.outputShape), params: layer.countParams(), activations: [] });
      }
      if ((kind === 'activation' || isWeightedKind(kind)) && activation !== 'linear' && layers.length > 0) {
        layers[layers.length - 1].activations.push(activation);
      }
    }
  }
  return { layers, unknown, codeShape: model.codeShape, outputShape: shapeOf(model.model.outputs[0].shape) };
}

/** What the TP asks of the activation after a layer: none, ReLU, a final sigmoid, or any activation of the student's choice. */
export type ActivationRule = 'none' | 'relu' | 'sigmoid' | 'any';

const KIND_WORDS: Record<WeightedLayer['kind'], string> = {
  dense: 'couche linéaire',
  conv: 'convolution',
  convTranspose: 'convolution transposée',
};

const HALF_WORDS = { encoder: 'de l’encodeur', decoder: 'du décodeur' };

function where(layer: WeightedLayer): string {
  return `${KIND_WORDS[layer.kind]} n°${layer.position} ${HALF_WORDS[layer.half]}`;
}

const shapeText = (shape: number[]) => shape.join('×');

/** What sets a layer's output dimension, by its kind. */
const SIZE_SETTINGS: Record<WeightedLayer['kind'], string> = {
  dense: '(nombre de neurones)',
  conv: '(nombre de filtres, noyau, pas, padding)',
  convTranspose: '(nombre de filtres, noyau, pas, padding, output padding)',
};

/** « le code a 32 valeurs au lieu de 64 » for a vector code, its shape otherwise. */
function codeSizeText(code: number[], expected: number[]): string {
  if (code.length === 1 && expected.length === 1) return `le code a ${code[0]} valeurs au lieu de ${expected[0]} (sa taille K)`;
  return `le code a la forme ${shapeText(code)} au lieu de ${shapeText(expected)}`;
}

/** The student's model must be written by the student: not taken from a reference builder, whole or in part. */
export function checkOwnLayers(model: Autoencoder, label: string, feedback: Feedback): boolean {
  const maker = modelMadeBy(model);
  return feedback.expect(
    maker === undefined,
    `${label} : couches écrites par vous`,
    `${label} vient de ${maker} : la question demande d’écrire vous-même les couches de l’encodeur et du décodeur`,
  );
}

function checkActivation(layer: WeightedLayer, rule: ActivationRule, label: string, feedback: Feedback): void {
  const found = layer.activations;
  const foundText = found.length === 0 ? 'aucune' : found.join(' puis ');
  switch (rule) {
    case 'none':
      if (found.length > 0) feedback.fail(`${label} doit être sans activation, mais sa ${where(layer)} est suivie de ${foundText}`);
      return;
    case 'relu':
      if (found.join() !== 'relu') feedback.fail(`${label} : sa ${where(layer)} doit être suivie d’une ReLU (trouvé : ${foundText})`);
      return;
    case 'sigmoid':
      if (found[found.length - 1] !== 'sigmoid') {
        feedback.fail(
          `${label} : la dernière couche doit finir par une sigmoïde, qui ramène les pixels dans [0, 1] (trouvé : ${foundText})`,
        );
      }
      return;
    case 'any':
      if (found.length === 0) feedback.fail(`${label} : il manque l’activation après la ${where(layer)}`);
  }
}

/**
 * Compares a student's model with the reference architecture, layer by layer, and the activation
 * after each layer with the TP's rule for it. Messages name the layer and what is wrong, without
 * giving the expected sizes away.
 */
export function compareWithReference(
  model: Autoencoder,
  reference: Autoencoder,
  rules: ActivationRule[],
  label: string,
  feedback: Feedback,
): void {
  const student = readModel(model);
  const expected = readModel(reference);
  const failuresBefore = feedback.failures;
  if (student.unknown.length > 0) {
    feedback.fail(
      `${label} : ${[...new Set(student.unknown)].join(', ')} ne fait pas partie des couches du TP ` +
        '(Dense, Conv2D, Conv2DTranspose, activations, Flatten, Reshape)',
    );
  }
  const codeDiffers = shapeText(student.codeShape) !== shapeText(expected.codeShape);
  if (codeDiffers) feedback.fail(`${label} : ${codeSizeText(student.codeShape, expected.codeShape)}`);
  if (shapeText(student.outputShape) !== shapeText(expected.outputShape)) {
    feedback.fail(
      `${label} : la sortie est ${shapeText(student.outputShape)} par image au lieu d’une image ${shapeText(expected.outputShape)}`,
    );
  }
  for (const half of ['encoder', 'decoder'] as const) {
    const mine = student.layers.filter((l) => l.half === half).map((l) => KIND_WORDS[l.kind]);
    const theirs = expected.layers.filter((l) => l.half === half).map((l) => KIND_WORDS[l.kind]);
    if (mine.join() !== theirs.join()) {
      feedback.fail(
        `${label} : ${half === 'encoder' ? 'l’encodeur' : 'le décodeur'} enchaîne ${mine.length ? mine.join(', ') : 'aucune couche à poids'}` +
          ` ; l’architecture du TP : ${theirs.join(', ')}`,
      );
    }
  }
  // A wrong code size changes the dimensions and counts of the layers around the code: said once, above.
  if (
    !codeDiffers &&
    student.layers.length === expected.layers.length &&
    student.layers.every((l, i) => l.kind === expected.layers[i].kind && l.half === expected.layers[i].half)
  ) {
    student.layers.forEach((layer, i) => {
      const reference = expected.layers[i];
      // A layer fed by a wrong output has other parameter counts for that reason alone: said once, at the cause.
      const fedRight = i === 0 || shapeText(student.layers[i - 1].outputShape) === shapeText(expected.layers[i - 1].outputShape);
      if (shapeText(layer.outputShape) !== shapeText(reference.outputShape)) {
        feedback.fail(
          `${label} : la ${where(layer)} sort ${shapeText(layer.outputShape)}, ce n’est pas la dimension attendue ${SIZE_SETTINGS[layer.kind]}`,
        );
      } else if (fedRight && layer.params !== reference.params) {
        feedback.fail(`${label} : la ${where(layer)} n’a pas le bon nombre de paramètres (noyau ? biais ?)`);
      }
      checkActivation(layer, rules[i], label, feedback);
    });
  }
  if (feedback.failures === failuresBefore) feedback.pass(`${label} : couches, dimensions, code et activations conformes`);
}
