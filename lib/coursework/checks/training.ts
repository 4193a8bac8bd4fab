import * as tf from '@tensorflow/tfjs';
import { Autoencoder } from '../../models/types';
import { LossHistory } from '../../train/history';
import { decimal, integer } from '../../util/french';
import { fitLoss, imageFingerprints, trainedOn } from '../../util/traces';
import { Feedback } from '../feedback';
import { firstOf, meanSquaredError, predict, required } from './values';

/**
 * Un entraînement tel que le rend `lab.trainAutoencoder` (un LossHistory) ou `model.fit` de tfjs (un tf.History).
 */
export type AnyHistory = LossHistory | tf.History;

/** Pairs the model should map, to check what it learnt: inputs to targets (the inputs themselves by default). */
export interface ImagePairs {
  inputs: tf.Tensor4D;
  targets?: tf.Tensor4D;
}

/**
 * Above this validation MSE a model has not learnt to reconstruct MNIST digits: an untrained
 * model's sigmoid outputs about 0.5 everywhere (MSE about 0.23), three quick-mode epochs of 4,000 images reach about 0.07.
 */
const UNTRAINED_MSE = 0.16;

/** The model's MSE on the first `count` pairs: its outputs for the inputs against the targets (the inputs themselves by default). */
export function errorOnPairs(model: Autoencoder, pairs: ImagePairs, count: number): number {
  const inputs = firstOf(pairs.inputs, count);
  const targets = pairs.targets ? firstOf(pairs.targets, count) : inputs;
  const outputs = predict(model, inputs);
  const error = meanSquaredError(outputs, targets);
  tf.dispose([inputs, targets, outputs]);
  return error;
}

/**
 * The loss a `model.fit` history was trained with: the one its model was compiled with (noted when fit
 * ran; read back by the judge from the exported `compiledLoss`). Undefined for a library training,
 * whose loss is its own option.
 */
export function compiledLoss(history: AnyHistory): string | undefined {
  const exported = (history as { compiledLoss?: unknown }).compiledLoss;
  return typeof exported === 'string' ? exported : fitLoss(history);
}

/** tfjs's names of the mean squared error. */
const MSE_NAMES = /^(mse|meanSquaredError|mean_squared_error)$/i;

export function lossCurves(history: AnyHistory, label: string): LossHistory {
  if (history instanceof tf.History || (typeof history === 'object' && history !== null && 'history' in history)) {
    const values = (history as tf.History).history;
    return { label, loss: (values.loss ?? []) as number[], valLoss: (values.val_loss ?? []) as number[] };
  }
  return { label, loss: history?.loss ?? [], valLoss: history?.valLoss ?? [] };
}

/** The fingerprints of the test images (lib/util/traces.ts), which no training of the TP may see. */
export type TestImages = ReadonlySet<string>;

/** No test images to compare with: in the student's kernel, whose check cells are not given them. */
export const NO_TEST_IMAGES: TestImages = new Set();

/** The fingerprints of every image of these sets (the grader's clean test images, the hand-in's noisy ones). */
export function testImageFingerprints(sets: tf.Tensor4D[]): TestImages {
  return new Set(sets.flatMap((set) => imageFingerprints(set.dataSync() as Float32Array, set.size / set.shape[0])));
}

/**
 * How many of the images fingerprinted in a training (its inputs or its targets) are test images, out
 * of how many: certain evidence, where a library training or `model.fit` left its trace.
 */
function testImagesSeen(history: AnyHistory, testImages: TestImages): { seen: number; sampled: number; count: number } | undefined {
  const account = trainedOn(history);
  if (!account || testImages.size === 0) return undefined;
  const seen = account.inputs.filter((f, i) => testImages.has(f) || testImages.has(account.targets[i] ?? '')).length;
  return { seen, sampled: Math.max(account.inputs.length, account.targets.length), count: account.count };
}

/**
 * Questions 1.4, 2.5 et 3.2 : un entraînement par modèle, des pertes finies qui baissent, une perte de
 * validation, et un modèle qui a vraiment appris : son erreur sur les paires de validation, recalculée
 * ici, s'accorde avec son historique.
 */
export function training(
  question: string,
  histories: AnyHistory[] | undefined,
  models: Autoencoder[],
  validation: ImagePairs,
  testImages: TestImages = NO_TEST_IMAGES,
): LossHistory[] {
  const feedback = new Feedback(question);
  const curves = checkTrainingRuns(histories, models, validation, feedback, testImages);
  feedback.finish();
  return curves;
}

/** The checks of `training`, adding to a question's feedback. */
export function checkTrainingRuns(
  histories: AnyHistory[] | undefined,
  models: Autoencoder[],
  validation: ImagePairs,
  feedback: Feedback,
  testImages: TestImages = NO_TEST_IMAGES,
): LossHistory[] {
  const list = required(histories, 'l’historique des entraînements', feedback);
  if (!Array.isArray(list) || list.length !== models.length) {
    feedback.stop(
      `un historique par modèle est attendu (${models.length}), trouvé ${Array.isArray(list) ? list.length : 'autre chose qu’un tableau'}`,
    );
  }
  const curves = list.map((history, i) => lossCurves(history, models[i].name));
  curves.forEach((curve, i) => {
    const name = curve.label;
    const failuresBefore = feedback.failures;
    const values = [...curve.loss, ...curve.valLoss];
    if (curve.loss.length === 0) {
      feedback.fail(`${name} : aucune époque d’entraînement dans l’historique`);
      return;
    }
    if (!values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      feedback.fail(`${name} : la perte n’est pas finie (NaN ou infinie) : le pas d’apprentissage est-il trop grand ?`);
      return;
    }
    const loss = compiledLoss(list[i]);
    if (loss !== undefined && !MSE_NAMES.test(loss))
      feedback.fail(
        `${name} : model.fit l’a entraîné avec la perte « ${loss} » donnée à compile ; la question demande l’erreur ` +
          'quadratique moyenne (compile({ loss: "meanSquaredError", … }))',
      );
    const test = testImagesSeen(list[i], testImages);
    if (test && test.seen > 0)
      feedback.fail(
        `${name} : entraîné sur des images de test : ${test.seen} des ${test.sampled} images relevées parmi ses ${integer(test.count)} ` +
          'images d’entraînement sont des images de test ; entraînez sur prepared.xTrain (ou sa version bruitée) : ' +
          'les images de test servent à la mesure finale',
      );
    if (curve.loss.length > 1 && !(curve.loss[curve.loss.length - 1] < curve.loss[0]))
      feedback.fail(`${name} : la perte d’entraînement ne diminue pas`);
    if (curve.valLoss.length === 0)
      feedback.fail(
        `${name} : pas de perte de validation : donnez les images de validation à l’entraînement ` +
          '(option validation de lab.trainAutoencoder, ou validationData de model.fit)',
      );
    const error = errorOnPairs(models[i], validation, 1000);
    const best = Math.min(...(curve.valLoss.length ? curve.valLoss : curve.loss));
    if (error > UNTRAINED_MSE) feedback.fail(`${name} : le modèle ne semble pas entraîné (MSE de validation ${decimal(error, 4)})`);
    else if (error > 1.5 * best + 0.01) {
      feedback.fail(
        `${name} : l’historique annonce une perte de ${decimal(best, 4)} mais le modèle fait ${decimal(error, 4)} en validation : ` +
          'est-ce bien ce modèle qui a été entraîné, avec la perte quadratique (MSE) ?',
      );
    } else if (best > 1.5 * error + 0.01) {
      // The other direction: a history far above the model's own error was measured with another loss or on other data.
      feedback.fail(
        `${name} : l’historique annonce au mieux une perte de ${decimal(best, 4)} alors que le modèle fait ${decimal(error, 4)} ` +
          'en MSE de validation : la perte doit être la perte quadratique (loss: "mse"), mesurée sur les paires de la question ' +
          '(pour le débruitage : x bruitée en entrée, y propre en cible)',
      );
    }
    if (feedback.failures === failuresBefore)
      feedback.pass(`${name} : ${curve.loss.length} époque${curve.loss.length > 1 ? 's' : ''}, perte en baisse, validation suivie`);
  });
  return curves;
}
