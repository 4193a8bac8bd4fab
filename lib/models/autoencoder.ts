import * as tf from '@tensorflow/tfjs';
import { Autoencoder, ImageShape } from './types';

export interface AutoencoderParts {
  /** Images [M, N, 1] to the code: any tfjs layers model (tf.sequential or tf.model). */
  encoder: tf.LayersModel;
  /** The code back to images: its input shape is the encoder's output shape. */
  decoder: tf.LayersModel;
  /** Name shown in tables and figures (default "Auto-encodeur"). */
  name?: string;
}

/** One image's shape of a symbolic tensor (without the batch dimension). */
function shapeOf(tensor: tf.SymbolicTensor): (number | null)[] {
  return tensor.shape.slice(1);
}

const text = (shape: (number | null)[]) => shape.join('×');

/**
 * Assemble un encodeur et un décodeur écrits couche par couche en un auto-encodeur, que les tableaux,
 * l'entraînement, l'évaluation et les figures du TP prennent tous. Rien n'est supposé des couches :
 * les tableaux et les vérifications les lisent telles qu'elles sont.
 *
 * Exemple : `lab.autoencoder({ encoder, decoder, name: "Dense n°1" })`, où `encoder` et `decoder` sont des `tf.sequential()`.
 */
export function autoencoder(parts: AutoencoderParts): Autoencoder {
  if (typeof parts !== 'object' || parts === null) {
    throw new Error('lab.autoencoder attend { encoder, decoder, name } : deux modèles tf.sequential() et un nom');
  }
  const { encoder, decoder } = parts;
  for (const [role, model] of [
    ['encoder', encoder],
    ['decoder', decoder],
  ] as const) {
    if (!(model instanceof tf.LayersModel)) {
      throw new Error(
        `lab.autoencoder : ${role} doit être un modèle de couches tfjs (tf.sequential() ou tf.model()), ` +
          `reçu ${model === undefined ? 'undefined' : Object.prototype.toString.call(model)}`,
      );
    }
    if (model.inputs.length !== 1 || model.outputs.length !== 1) {
      throw new Error(`lab.autoencoder : ${role} doit avoir une seule entrée et une seule sortie`);
    }
  }
  const imageInput = shapeOf(encoder.inputs[0]);
  if (imageInput.length !== 3 || imageInput[2] !== 1 || imageInput.some((d) => d === null)) {
    throw new Error(
      `lab.autoencoder : l'encodeur doit prendre des images M×N×1 (inputShape: [M, N, 1]), le vôtre prend ${text(imageInput)}`,
    );
  }
  const code = shapeOf(encoder.outputs[0]);
  const decoderInput = shapeOf(decoder.inputs[0]);
  if (text(code) !== text(decoderInput)) {
    throw new Error(
      `lab.autoencoder : l'encodeur sort un code ${text(code)} mais le décodeur attend ${text(decoderInput)} ; ` +
        'donnez à la première couche du décodeur inputShape égal à la forme du code',
    );
  }
  const imageShape: ImageShape = [imageInput[0] as number, imageInput[1] as number];
  const name = parts.name ?? 'Auto-encodeur';
  const input = tf.input({ shape: [imageShape[0], imageShape[1], 1] });
  const output = decoder.apply(encoder.apply(input)) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output, name: name.replace(/[^A-Za-z0-9_]/g, '_') });
  givenNames.set(model, name);
  return { name, model, encoder, decoder, imageShape, codeShape: code as number[] };
}

/** The names autoencoders were given (tfjs keeps only letters, digits and `_` of them in model.name). */
const givenNames = new WeakMap<tf.LayersModel, string>();

/** The name an autoencoder's model was given (« Dense n°1 »), else tfjs's name for the model. */
export function modelName(model: tf.LayersModel): string {
  return givenNames.get(model) ?? model.name;
}
