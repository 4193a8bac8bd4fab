import * as tf from '@tensorflow/tfjs';
import { ImageSet, Images, asImageSet, imageSize, toTensor } from '../data/images';
import { Autoencoder } from '../models/types';
import { labSettings } from '../settings';
import { defaultThreads, helperThreadsUnavailable } from '../speed';
import { TrainingPixels } from '../step/batches';
import { LOSS_NAMES, LossName, OPTIMIZER_NAMES, OptimizerName } from '../step/trainer';
import { checkNumberInRange, checkOneOf, checkPositiveInteger, shown } from '../util/check';
import { EarlyStoppingOptions } from './epoch-end';
import { ProgressMode } from './progress';
import type { TrainingHistory } from './history';

/**
 * Ce que le modèle apprend à produire : des entrées vers des cibles (les entrées elles-mêmes par défaut :
 * la reconstruction). Des images en tenseurs [n, M, N, 1] ou en ImageSet, par exemple
 * `{ inputs: xBruitées, targets: xPropres }` pour le débruitage.
 */
export interface TrainingData {
  inputs: Images;
  targets?: Images;
}

/**
 * Les réglages d'un entraînement (la « recette »), par exemple
 * `{ epochs: 20, batchSize: 128, learningRate: 1e-3, loss: "mse", seed: 0, validation: { inputs: xValidation } }`.
 */
export interface TrainOptions {
  /** Nombre d'époques (passages sur toutes les images d'entraînement) ; 10 par défaut, 3 au plus en mode rapide. */
  epochs?: number;
  /** Nombre d'images par pas de descente de gradient (128 par défaut). */
  batchSize?: number;
  /** Pas d'apprentissage (10⁻³ par défaut, l'usage pour Adam). */
  learningRate?: number;
  /** L'optimiseur : "adam" (par défaut), "sgd" ou "rmsprop". */
  optimizer?: OptimizerName;
  /** La perte : "mse" (moindres carrés, par défaut) ou "bce" (entropie croisée binaire). */
  loss?: LossName;
  /** Part des images gardée pour la validation (les dernières, comme Keras) ; ignorée quand `validation` est donnée. */
  validationSplit?: number;
  /** Les images de validation : `{ inputs }` pour la reconstruction, `{ inputs, targets }` pour le débruitage. */
  validation?: TrainingData;
  /** Graine du mélange des images à chaque époque (0 par défaut) : même graine, même entraînement. */
  seed?: number;
  /** Arrêter quand la perte de validation ne baisse plus (voir EarlyStoppingOptions). */
  earlyStopping?: EarlyStoppingOptions;
  /** L'affichage de la progression : en place dans un carnet, une ligne par époque dans un terminal, ou "none". */
  progress?: ProgressMode;
  /**
   * Nombre de fils d'exécution qui se partagent chaque lot, chacun avec sa copie du modèle sur son
   * cœur (1 : ce fil seul ; davantage demande l'optimiseur adam). Par défaut : 2 pour les modèles à
   * convolutions entraînés avec Adam sur une machine d'au moins deux cœurs, 1 sinon (sur les modèles
   * denses, un fil d'aide coûte plus qu'il ne rapporte ; `npm run bench` mesure les deux).
   */
  threads?: number;
  /**
   * Entraîner par le chemin de référence, sur un fil : la passe avant du modèle, tf.variableGrads et
   * l'optimiseur de tfjs, comme on l'écrirait à la main (lib/step/trainer.ts). Plus lent ; les
   * chemins rapides calculent les mêmes pas.
   */
  reference?: boolean;
  /** Appelée à la fin de chaque époque (pour noter une mesure, par exemple). */
  onEpochEnd?: (epoch: number, history: TrainingHistory) => void;
  /**
   * Arrête l'entraînement au pas suivant quand il est interrompu, comme le fait le bouton ■ du carnet :
   * le modèle garde les poids de son dernier pas et l'historique des époques finies est rendu.
   */
  signal?: AbortSignal;
}

/** A training's options, checked, with their defaults. */
export interface Recipe {
  epochs: number;
  batchSize: number;
  learningRate: number;
  loss: LossName;
  optimizer: OptimizerName;
  seed: number;
  /** The threads to share each batch with, and why one where two would have paid. */
  threads: { threads: number; reason?: string };
}

/** Checks the options and fills in their defaults; warns of a learning rate far too large for Adam. */
export function resolveRecipe(autoencoder: Autoencoder, options: TrainOptions): Recipe {
  // Quick mode (TP5_QUICK=1: the tests, the checker, the grader) caps the epochs, even those written as a number.
  const epochs = labSettings().epochs(checkPositiveInteger('epochs', options.epochs ?? 10));
  const batchSize = checkPositiveInteger('batchSize', options.batchSize ?? 128);
  const learningRate = checkNumberInRange('learningRate', options.learningRate ?? 1e-3, Number.MIN_VALUE, 10);
  const loss = checkOneOf('loss', options.loss ?? 'mse', LOSS_NAMES);
  const optimizer = checkOneOf('optimizer', options.optimizer ?? 'adam', OPTIMIZER_NAMES);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new Error(`seed doit être un entier, reçu ${shown(seed)}`);
  if (optimizer === 'adam' && learningRate > 0.1) {
    console.warn(
      `Attention : learningRate = ${String(learningRate).replace('.', ',')} est très grand pour Adam (10⁻³ d'habitude) : ` +
        'le modèle risque de ne plus rendre qu’une image constante.',
    );
  }
  const threads = threadsFor(autoencoder, optimizer, options.threads, options.reference === true);
  if (options.earlyStopping) checkPositiveInteger('earlyStopping.patience', options.earlyStopping.patience);
  return { epochs, batchSize, learningRate, loss, optimizer, seed, threads };
}

/**
 * The threads to train with: options.threads, checked, else the default (two where the model has
 * convolutions, the optimizer is Adam, the machine has two cores and the backend allows it).
 */
function threadsFor(
  autoencoder: Autoencoder,
  optimizer: OptimizerName,
  requested: number | undefined,
  reference: boolean,
): { threads: number; reason?: string } {
  if (reference) {
    if (requested !== undefined && requested !== 1)
      throw new Error(
        `threads: ${requested} ne va pas avec reference: true, qui entraîne sur un seul fil ; retirez l'une des deux options`,
      );
    return { threads: 1 };
  }
  if (requested === undefined) return defaultThreads(autoencoder, optimizer);
  checkPositiveInteger('threads', requested, 64);
  if (requested === 1) return { threads: 1 };
  if (optimizer !== 'adam') {
    throw new Error(
      `threads: ${requested} demande l'optimiseur adam (les fils partagent sa mise à jour) ; avec ${optimizer}, prenez threads: 1`,
    );
  }
  const unavailable = helperThreadsUnavailable(tf.getBackend());
  if (unavailable !== undefined) throw new Error(`threads: ${requested} est impossible ici : ${unavailable} ; prenez threads: 1`);
  return { threads: requested };
}

/** The images of a training: the training pixels, and the validation pairs as tensors (to free with `dispose`). */
export interface TrainingImages {
  /** The training images, kept on the JavaScript side (the validation split taken off). */
  pixels: TrainingPixels;
  count: number;
  /** The inputs as given (the model's outputs on a few of them tell whether it learnt anything). */
  inputs: ImageSet;
  validation?: { inputs: tf.Tensor4D; targets: tf.Tensor4D };
  dispose(): void;
}

/**
 * The training and validation images, checked before any work: of the model's size, as many targets
 * as inputs, finite values; the validation pairs are `options.validation`, else the last
 * `validationSplit` of the training images.
 */
export function trainingImages(autoencoder: Autoencoder, trainingData: TrainingData, options: TrainOptions): TrainingImages {
  const validationSplit = checkNumberInRange('validationSplit', options.validationSplit ?? 0, 0, 0.9);
  const data = trainingSets(trainingData, 'les données d’entraînement');
  const validation = options.validation ? trainingSets(options.validation, 'validation') : undefined;
  checkImagesMatch(autoencoder, data, 'entraînement');
  if (validation) checkImagesMatch(autoencoder, validation, 'validation');
  for (const [what, set] of [
    ['entraînement (inputs)', data.inputs],
    ['entraînement (targets)', data.targets],
    ['validation (inputs)', validation?.inputs],
    ['validation (targets)', validation?.targets],
  ] as const) {
    if (set) checkFinite(set, what);
  }
  const total = data.inputs.count;
  const valCount = validation ? 0 : Math.floor(total * validationSplit);
  const count = total - valCount;
  if (count < 1) throw new Error(`plus aucune image d'entraînement après en avoir gardé ${valCount} pour la validation`);
  const size = count * imageSize(data.inputs);
  const pixels: TrainingPixels = {
    inputs: data.inputs.pixels.subarray(0, size),
    targets: data.targets?.pixels.subarray(0, size),
    imageShape: autoencoder.imageShape,
  };
  let pairs: TrainingImages['validation'];
  if (validation) {
    const inputs = toTensor(validation.inputs);
    pairs = { inputs, targets: validation.targets ? toTensor(validation.targets) : inputs };
  } else if (valCount > 0) {
    const inputs = toTensor(data.inputs, count, total);
    pairs = { inputs, targets: data.targets ? toTensor(data.targets, count, total) : inputs };
  }
  return { pixels, count, inputs: data.inputs, validation: pairs, dispose: () => tf.dispose(pairs ? [pairs.inputs, pairs.targets] : []) };
}

/** The same data with its images as ImageSets. */
interface TrainingSets {
  inputs: ImageSet;
  targets?: ImageSet;
}

function trainingSets(data: TrainingData, what: string): TrainingSets {
  if (typeof data !== 'object' || data === null || data.inputs === undefined) {
    throw new Error(`${what} : { inputs } est attendu (et targets pour apprendre une autre image que l'entrée)`);
  }
  return {
    inputs: asImageSet(data.inputs, `${what} (inputs)`),
    targets: data.targets === undefined ? undefined : asImageSet(data.targets, `${what} (targets)`),
  };
}

function checkImagesMatch(autoencoder: Autoencoder, data: TrainingSets, what: string): void {
  const [m, n] = autoencoder.imageShape;
  const output = (autoencoder.model.outputs[0].shape as number[]).slice(1);
  if (output.join() !== [m, n, 1].join()) {
    throw new Error(`${autoencoder.name} sort ${output.join('×')} par image ; un auto-encodeur d’images ${m}×${n} doit sortir ${m}×${n}×1`);
  }
  for (const [role, set] of [
    ['inputs', data.inputs],
    ['targets', data.targets ?? data.inputs],
  ] as const) {
    if (set.height !== m || set.width !== n) {
      throw new Error(`${what} (${role}) : images ${set.height}×${set.width}, mais ${autoencoder.name} attend ${m}×${n}`);
    }
  }
  if (data.targets && data.targets.count !== data.inputs.count) {
    throw new Error(`${what} : ${data.inputs.count} entrées mais ${data.targets.count} cibles ; chaque entrée a besoin de sa cible`);
  }
}

/** Stops before any work when the images hold a NaN or an infinity: the losses would silently become NaN. */
function checkFinite(images: ImageSet, what: string): void {
  const size = imageSize(images);
  for (let i = 0; i < images.count * size; i++) {
    if (!Number.isFinite(images.pixels[i])) {
      throw new Error(
        `${what} : valeur ${images.pixels[i]} à l'image ${Math.floor(i / size)}, pixel ${i % size} ; les images doivent être des nombres finis`,
      );
    }
  }
}
