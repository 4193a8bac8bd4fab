import * as tf from '@tensorflow/tfjs';
import { ImageSet, Images, asImageSet, imageSize, toTensor } from '../data/images';
import { Autoencoder } from '../models/types';
import { SeededRandom } from '../util/random';
import { checkNumberInRange, checkOneOf, checkPositiveInteger, shown } from '../util/check';
import { refuseInStoppedCell } from '../util/stopped-cell';
import { labSettings } from '../settings';
import { StopRequest } from './interrupt';
import { ProgressMode, ProgressState, createProgress } from './progress';
import { decimal, duration } from '../util/french';
import { TrainingPixels, disposeParts, partsOfShare, shareOfEpoch } from './batches';
import {
  ChosenTrainer,
  HelperSetup,
  HelperThreads,
  TrainingPath,
  defaultThreads,
  fastestTrainer,
  helperThreadsUnavailable,
} from '../speed';
import { LOSSES, LOSS_NAMES, LossName, OPTIMIZER_NAMES, OptimizerName, referenceTrainer, trainStep } from './trainer';

export { LOSS_NAMES, OPTIMIZER_NAMES };
export type { LossName, OptimizerName, TrainingPath };

/**
 * Ce que le modèle apprend à produire : des entrées vers des cibles (les entrées elles-mêmes par défaut :
 * la reconstruction). Des images en tenseurs [n, M, N, 1] ou en ImageSet, par exemple
 * `{ inputs: xBruitées, targets: xPropres }` pour le débruitage.
 */
export interface TrainingData {
  inputs: Images;
  targets?: Images;
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

/** L'arrêt anticipé : arrêter quand la perte suivie ne baisse plus. */
export interface EarlyStoppingOptions {
  /** Nombre d'époques sans amélioration de la perte suivie avant d'arrêter. */
  patience: number;
  /** Plus petite baisse qui compte comme une amélioration (0 par défaut). */
  minDelta?: number;
  /** Remettre les poids de la meilleure époque en arrêtant (oui par défaut). */
  restoreBestWeights?: boolean;
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
   * l'optimiseur de tfjs, comme on l'écrirait à la main (lib/train/trainer.ts). Plus lent ; les
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

/** Les courbes d'apprentissage d'un entraînement, telles que les figures les tracent. */
export interface LossHistory {
  /** Le nom du modèle, pour la légende. */
  label: string;
  /** La perte d'entraînement moyenne de chaque époque. */
  loss: number[];
  /** La perte de validation de chaque époque (vide sans images de validation). */
  valLoss: number[];
}

/** Ce que rend `lab.trainAutoencoder` : les courbes, les durées et la façon dont l'entraînement s'est fait. */
export interface TrainingHistory extends LossHistory {
  /** La durée de chaque époque, en secondes. */
  epochSeconds: number[];
  totalSeconds: number;
  /** L'époque (à partir de 1) dont le modèle garde les poids à la fin. */
  bestEpoch: number;
  /** Vrai quand l'arrêt anticipé a arrêté l'entraînement. */
  stoppedEarly: boolean;
  /** Vrai quand le bouton ■ (ou options.signal) a arrêté l'entraînement avant sa fin. */
  interrupted: boolean;
  /** Images d'entraînement traitées par seconde, sur tout l'entraînement. */
  imagesPerSecond: number;
  /** Nombre de fils d'exécution qui se sont partagé chaque lot (voir TrainOptions.threads). */
  threads: number;
  /** Comment chaque pas a été calculé : opérations natives de TensorFlow, opérations tfjs fusionnées, ou la voie de référence (voir lib/speed). */
  path: TrainingPath;
  /** Pourquoi un chemin plus rapide ne s'appliquait pas, quand le chemin n'est pas natif. */
  pathReason?: string;
  /** Pourquoi l'entraînement a tourné sur un fil là où deux auraient payé, le cas échéant. */
  threadsReason?: string;
}

/** Thrown when the loss becomes NaN or infinite; the model keeps its last finite weights. */
export class TrainingDivergedError extends Error {
  constructor(
    message: string,
    readonly history: TrainingHistory,
  ) {
    super(message);
    this.name = 'TrainingDivergedError';
  }
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

/**
 * Starts the helper threads; when they were not asked for explicitly and cannot start, training goes
 * on in this thread alone, and `oneThread` is told why.
 */
async function startHelpers(
  autoencoder: Autoencoder,
  threads: number,
  explicit: boolean,
  oneThread: (reason: string) => void,
  setup: HelperSetup,
): Promise<HelperThreads | undefined> {
  if (threads === 1) return undefined;
  try {
    return await HelperThreads.start(autoencoder, threads, setup);
  } catch (error) {
    if (explicit) throw error;
    oneThread(`les fils d'aide n'ont pas démarré : ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
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

/**
 * Warns when the trained model gives the same image whatever its input (a learning rate too large
 * sends every output to one constant): its outputs for a few training images hardly differ.
 */
function warnIfConstant(autoencoder: Autoencoder, images: ImageSet): void {
  const spread = tf.tidy(() => {
    const outputs = autoencoder.model.predict(toTensor(images, 0, Math.min(images.count, 64))) as tf.Tensor;
    return tf.mean(tf.moments(outputs, 0).variance).dataSync()[0];
  });
  if (spread < 1e-6) {
    console.warn(
      `Attention : ${autoencoder.name} rend la même image quelle que soit l'entrée : il n'a encore rien appris ` +
        'de ses entrées. Entraînez-le plus longtemps ; si cela ne change rien, essayez un learningRate plus petit (10⁻³ pour Adam).',
    );
  }
}

/** The epochs each model has already trained for through this loop (a re-run cell trains further). */
const epochsTrained = new WeakMap<tf.LayersModel, number>();

/** Warns when a model is trained again: re-running a training cell goes on from the weights it reached. */
function warnIfTrainedBefore(autoencoder: Autoencoder): void {
  const before = epochsTrained.get(autoencoder.model);
  if (before === undefined) return;
  console.warn(
    `Attention : ${autoencoder.name} a déjà été entraîné (${before} époque${before > 1 ? 's' : ''}) : cet entraînement part des poids ` +
      'atteints et le prolonge. Pour repartir de zéro, reconstruisez le modèle (exécutez de nouveau la cellule qui le construit).',
  );
}

const PATH_NAMES: Record<TrainingPath, string> = { native: 'natif', fused: 'rapide (opérations fusionnées)', reference: 'de référence' };

/** « chemin natif », « chemin de référence (la couche GaussianNoise n'a pas de version rapide) ». */
function pathText(history: TrainingHistory): string {
  return (
    `chemin ${PATH_NAMES[history.path]}${history.pathReason ? ` (${history.pathReason})` : ''}` +
    (history.threadsReason ? ` ; un seul fil d'exécution (${history.threadsReason})` : '')
  );
}

/** The progress display's last line: how the training ended, its length, its last losses and its path. */
function finalLine(name: string, history: TrainingHistory, interruptedIn: number): string {
  const last = history.loss.length;
  const epochs = `${last} époque${last > 1 ? 's' : ''}`;
  const losses =
    last === 0
      ? ''
      : `, perte finale ${decimal(history.loss[last - 1], 5)}` +
        (history.valLoss.length ? `, validation ${decimal(history.valLoss[last - 1], 5)}` : '');
  if (history.interrupted) {
    return (
      `${name} : entraînement interrompu pendant l'époque ${interruptedIn}, après ${epochs} terminée${last > 1 ? 's' : ''} ` +
      `en ${duration(history.totalSeconds)}${losses} ; le modèle garde les poids de son dernier pas.`
    );
  }
  return (
    `${name} : ${epochs} en ${duration(history.totalSeconds)}` +
    `${history.threads > 1 ? ` sur ${history.threads} fils d'exécution` : ''}${losses}` +
    (history.stoppedEarly ? ` (arrêt anticipé : poids de l'époque ${history.bestEpoch} conservés)` : '') +
    ` ; ${pathText(history)}.`
  );
}

/** Mean loss over a data set, computed in batches without training. */
export function evaluateLoss(
  model: tf.LayersModel,
  inputs: tf.Tensor4D,
  targets: tf.Tensor4D,
  batchSize: number,
  loss: LossName = 'mse',
): number {
  const count = inputs.shape[0];
  let total = 0;
  for (let start = 0; start < count; start += batchSize) {
    const size = Math.min(batchSize, count - start);
    const batchLoss = tf.tidy(() => {
      const x = inputs.slice(start, size);
      const y = targets.slice(start, size);
      return LOSSES[loss](y, model.predict(x) as tf.Tensor);
    });
    total += batchLoss.dataSync()[0] * size;
    batchLoss.dispose();
  }
  return total / count;
}

/**
 * Entraîne un auto-encodeur sur des paires (entrée, cible) : mélange à graine, mini-lots, Adam et
 * erreur quadratique par défaut. Affiche la progression (sur place dans un carnet, une ligne par
 * époque dans un terminal) et s'arrête sur une TrainingDivergedError quand la perte n'est plus finie.
 *
 * Exemple : `await lab.trainAutoencoder(modèle, { inputs: prepared.xTrain }, { epochs: 20, validation: { inputs: prepared.xValidation } })`.
 */
export async function trainAutoencoder(
  autoencoder: Autoencoder,
  trainingData: TrainingData,
  options: TrainOptions = {},
): Promise<TrainingHistory> {
  refuseInStoppedCell("l'entraînement");
  // Quick mode (TP5_QUICK=1: the tests, the checker, the grader) caps the epochs, even those written as a number.
  const epochs = labSettings().epochs(checkPositiveInteger('epochs', options.epochs ?? 10));
  const batchSize = checkPositiveInteger('batchSize', options.batchSize ?? 128);
  const learningRate = checkNumberInRange('learningRate', options.learningRate ?? 1e-3, Number.MIN_VALUE, 10);
  const lossName = checkOneOf('loss', options.loss ?? 'mse', LOSS_NAMES);
  const optimizerName = checkOneOf('optimizer', options.optimizer ?? 'adam', OPTIMIZER_NAMES);
  const validationSplit = checkNumberInRange('validationSplit', options.validationSplit ?? 0, 0, 0.9);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new Error(`seed doit être un entier, reçu ${shown(seed)}`);
  if (optimizerName === 'adam' && learningRate > 0.1) {
    console.warn(
      `Attention : learningRate = ${String(learningRate).replace('.', ',')} est très grand pour Adam (10⁻³ d'habitude) : ` +
        'le modèle risque de ne plus rendre qu’une image constante.',
    );
  }
  const planned = threadsFor(autoencoder, optimizerName, options.threads, options.reference === true);
  if (options.earlyStopping) checkPositiveInteger('earlyStopping.patience', options.earlyStopping.patience);
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

  warnIfTrainedBefore(autoencoder);
  const model = autoencoder.model;
  const total = data.inputs.count;
  const valCount = validation ? 0 : Math.floor(total * validationSplit);
  const trainCount = total - valCount;
  if (trainCount < 1) throw new Error(`plus aucune image d'entraînement après en avoir gardé ${valCount} pour la validation`);
  const sameTargets = data.targets === undefined;

  const pixels: TrainingPixels = {
    inputs: data.inputs.pixels.subarray(0, trainCount * imageSize(data.inputs)),
    targets: sameTargets ? undefined : (data.targets as ImageSet).pixels.subarray(0, trainCount * imageSize(data.inputs)),
    imageShape: autoencoder.imageShape,
  };
  let valX: tf.Tensor4D | undefined;
  let valY: tf.Tensor4D | undefined;
  if (validation) {
    valX = toTensor(validation.inputs);
    valY = validation.targets ? toTensor(validation.targets) : valX;
  } else if (valCount > 0) {
    valX = toTensor(data.inputs, trainCount, total);
    valY = sameTargets ? valX : toTensor(data.targets as ImageSet, trainCount, total);
  }

  const chosen: ChosenTrainer = options.reference
    ? {
        trainer: referenceTrainer(autoencoder, optimizerName, learningRate, lossName),
        path: 'reference',
        reason: 'demandé par reference: true',
      }
    : fastestTrainer(autoencoder, optimizerName, learningRate, lossName);
  const { trainer } = chosen;
  let threadsReason = planned.reason;
  const helpers = await startHelpers(autoencoder, planned.threads, options.threads !== undefined, (reason) => (threadsReason = reason), {
    learningRate,
    loss: lossName,
    seed,
    batchSize,
    count: trainCount,
    inputs: pixels.inputs,
    targets: pixels.targets,
  }).catch((error: unknown) => {
    trainer.dispose();
    tf.dispose([valX ?? [], valY ?? []].flat());
    throw error;
  });
  const threads = helpers?.threads ?? 1;
  let step = 0;
  const progress = createProgress(options.progress ?? 'auto');
  const random = new SeededRandom(seed);
  const batches = Math.ceil(trainCount / batchSize);
  const history: TrainingHistory = {
    label: autoencoder.name,
    loss: [],
    valLoss: [],
    epochSeconds: [],
    totalSeconds: 0,
    bestEpoch: 0,
    stoppedEarly: false,
    interrupted: false,
    imagesPerSecond: 0,
    threads,
    path: chosen.path,
    pathReason: chosen.reason,
    threadsReason,
  };
  const monitored = () => (valX ? history.valLoss : history.loss);
  let lastGood = model.getWeights().map((w) => w.clone());
  let best: tf.Tensor[] | undefined;
  let bestValue = Infinity;
  let waited = 0;
  const started = performance.now();
  let imagesSeen = 0;

  const stateOf = (epoch: number, batch: number, loss: number): ProgressState => {
    const elapsedSeconds = (performance.now() - started) / 1000;
    const fraction = (epoch - 1 + batch / batches) / epochs;
    return {
      label: autoencoder.name,
      epoch,
      epochs,
      batch,
      batches,
      loss,
      valLoss: history.valLoss[epoch - 1],
      elapsedSeconds,
      etaSeconds: fraction > 0 ? elapsedSeconds * (1 / fraction - 1) : NaN,
    };
  };

  const diverged = (epoch: number, value: number): never => {
    helpers?.detach();
    model.setWeights(lastGood);
    throw new TrainingDivergedError(
      `${autoencoder.name} : la perte est devenue ${value} pendant l'époque ${epoch} ; l'entraînement s'arrête et garde les poids ` +
        `de l'époque ${epoch - 1}. Essayez un learningRate plus petit (actuellement ${learningRate}) ou cherchez des valeurs NaN dans les données.`,
      history,
    );
  };

  const stop = new StopRequest(options.signal);
  let interruptedIn = 0;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const epochStart = performance.now();
      // This thread's parts of the epoch's shuffled batches, copied out once.
      const share = shareOfEpoch(random.permutation(trainCount), batchSize, threads, 0);
      const parts = partsOfShare(share, pixels);
      // Until the epoch's steps are done, the model reads the weights the threads share, in place.
      helpers?.attach();
      const batchLosses: tf.Scalar[] = [];
      /** Mean loss of the batches so far (reading it waits for the device). */
      const meanLoss = async () => {
        const values = tf.tidy(() => tf.stack(batchLosses));
        const losses = await values.data();
        values.dispose();
        let sum = 0;
        losses.forEach((l, b) => {
          sum += l * Math.min(batchSize, trainCount - b * batchSize);
        });
        return sum / Math.min(trainCount, losses.length * batchSize);
      };
      let lastReport = performance.now();
      let epochLoss = NaN;
      try {
        for (let b = 0; b < batches; b++) {
          if (await stop.pause()) break;
          const { inputs, targets } = parts[b];
          step++;
          batchLosses.push(
            tf.tidy(() => {
              if (!helpers) return trainStep(trainer, inputs, targets);
              return tf.scalar(helpers.step(step, trainer.gradient(inputs, targets, share.parts[b].batchSize)));
            }),
          );
          // Reading the loss waits for the device: about once a second, not at every step.
          if (performance.now() - lastReport > 1000) {
            const sofar = await meanLoss();
            if (!Number.isFinite(sofar)) diverged(epoch, sofar);
            progress.update(stateOf(epoch, b + 1, sofar));
            lastReport = performance.now();
          }
        }
        if (!stop.requested) epochLoss = await meanLoss();
      } finally {
        helpers?.detach();
        disposeParts(parts);
        tf.dispose(batchLosses);
      }
      if (stop.requested) {
        // The model keeps the weights of its last step; the unfinished epoch is left out of the history.
        history.interrupted = true;
        interruptedIn = epoch;
        break;
      }
      if (!Number.isFinite(epochLoss)) diverged(epoch, epochLoss);
      imagesSeen += trainCount;
      history.loss.push(epochLoss);
      if (valX && valY) history.valLoss.push(evaluateLoss(model, valX, valY, Math.max(batchSize, 256), lossName));
      history.epochSeconds.push((performance.now() - epochStart) / 1000);
      tf.dispose(lastGood);
      lastGood = model.getWeights().map((w) => w.clone());
      progress.epochEnd(stateOf(epoch, batches, epochLoss));

      const value = monitored()[epoch - 1];
      if (value < bestValue - (options.earlyStopping?.minDelta ?? 0)) {
        bestValue = value;
        history.bestEpoch = epoch;
        waited = 0;
        if (options.earlyStopping) {
          tf.dispose(best ?? []);
          best = model.getWeights().map((w) => w.clone());
        }
      } else {
        waited++;
      }
      options.onEpochEnd?.(epoch, history);
      if (options.earlyStopping && waited >= options.earlyStopping.patience) {
        history.stoppedEarly = true;
        break;
      }
    }
    if (history.stoppedEarly && best && (options.earlyStopping?.restoreBestWeights ?? true)) {
      model.setWeights(best);
    } else {
      history.bestEpoch = history.loss.length;
    }
  } finally {
    history.totalSeconds = (performance.now() - started) / 1000;
    history.imagesPerSecond = imagesSeen / Math.max(history.totalSeconds, 1e-9);
    tf.dispose([valX ?? [], valY ?? [], lastGood, best ?? []].flat());
    trainer.dispose();
    stop.dispose();
    await helpers?.stop();
  }
  progress.finish(finalLine(autoencoder.name, history, interruptedIn));
  epochsTrained.set(model, (epochsTrained.get(model) ?? 0) + history.loss.length);
  warnIfConstant(autoencoder, data.inputs);
  return history;
}
