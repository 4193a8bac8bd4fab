import { inspect } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { modelName } from './models/autoencoder';
import { epochsText } from './train/history';
import { integer, shortDecimal } from './util/french';

/**
 * How tensors, models and training histories read when a cell ends with one (tslab prints a cell's
 * last value with Node's `inspect`): a short French line instead of tfjs's internal fields
 * (`Tensor { kept: false, isDisposedInternal: false, … }`), in the notebook and in the hand-in.
 */
export function showValuesInFrench(): void {
  define(tf.Tensor.prototype, function (this: tf.Tensor) {
    return describeTensor(this);
  });
  define(tf.LayersModel.prototype, function (this: tf.LayersModel) {
    return describeModel(this);
  });
  define(tf.History.prototype, function (this: tf.History) {
    return describeHistory(this);
  });
}

function define(prototype: object, describe: (this: never) => string): void {
  Object.defineProperty(prototype, inspect.custom, { value: describe, configurable: true, writable: true });
}

/** Values shown in full up to this count. */
const SHOWN_VALUES = 12;

/** « Tenseur float32 de forme [10 000, 28, 28, 1] (7 840 000 valeurs, de 0 à 1) », or its values when few. */
export function describeTensor(tensor: tf.Tensor): string {
  const shape = `[${tensor.shape.map((size) => integer(size)).join(', ')}]`;
  if (tensor.isDisposed) return `Tenseur ${tensor.dtype} de forme ${shape}, déjà libéré (dispose) : ses valeurs ne sont plus lisibles`;
  if (tensor.dtype === 'string') return `Tenseur de chaînes de forme ${shape}`;
  const values = tensor.dataSync() as unknown as ArrayLike<number>;
  const number = (value: number) => (Number.isInteger(value) ? integer(value) : shortDecimal(value, 4));
  if (values.length <= SHOWN_VALUES) {
    const listed = Array.from(values, number).join(' ; ');
    return tensor.rank === 0 ? `Tenseur scalaire ${tensor.dtype} : ${listed}` : `Tenseur ${tensor.dtype} de forme ${shape} : ${listed}`;
  }
  let [low, high] = [Infinity, -Infinity];
  for (let i = 0; i < values.length; i++) {
    low = Math.min(low, values[i]);
    high = Math.max(high, values[i]);
  }
  return `Tenseur ${tensor.dtype} de forme ${shape} (${integer(values.length)} valeurs, de ${number(low)} à ${number(high)})`;
}

/** « Modèle tfjs « encodeur » : 3 couches, 50 240 paramètres, entrée [28, 28, 1] → sortie [64] ». */
export function describeModel(model: tf.LayersModel): string {
  const shape = (value: tf.Shape | tf.Shape[]) => {
    const first = (Array.isArray(value[0]) ? value[0] : value) as tf.Shape;
    return `[${first
      .slice(1)
      .map((size) => (size === null ? '?' : integer(size)))
      .join(', ')}]`;
  };
  const layers = model.layers.length;
  return (
    `Modèle tfjs « ${modelName(model)} » : ${layers} couche${layers > 1 ? 's' : ''}, ${integer(model.countParams())} paramètres, ` +
    `entrée ${shape(model.inputs.map((input) => input.shape))} → sortie ${shape(model.outputs.map((output) => output.shape))}`
  );
}

/** « Historique d'entraînement (model.fit) : 3 époques, perte finale 0,01234, validation 0,01301 ». */
export function describeHistory(history: tf.History): string {
  const loss = (history.history.loss ?? []) as number[];
  const valLoss = (history.history.val_loss ?? []) as number[];
  return `Historique d'entraînement (model.fit) : ${epochsText({ loss, valLoss })}`;
}
