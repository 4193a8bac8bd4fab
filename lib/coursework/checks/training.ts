import * as tf from '@tensorflow/tfjs';
import { Autoencoder } from '../../models/types';
import { LossHistory } from '../../train/history';
import { decimal, integer } from '../../util/french';
import { TrainingRecipe, fitLoss, imageFingerprints, recipeOf, trainedOn } from '../../util/traces';
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
 * A model has learnt something when it reconstructs the validation images not much worse than the average
 * image does (the one image that best fits them all): past this many times that error, it has not.
 * Measured in the grader's quick mode (3 epochs on 3,600 images, where honest trainings have only begun;
 * average image 0.0675, black image 0.111): trained as the questions ask, Dense n°2 ends at 0.80 times
 * the average image's error, the conv model and the denoiser, which have just reached it, at 1.06 and
 * 1.03; one epoch only: 1.11 to 1.23; slower recipes (batches of 256 or 512, a learning rate of 5·10⁻⁴):
 * up to 1.38 (the conv model, batches of 512); with Adam at a learning rate of 0.05 to 1, every model
 * ends at 1.62 to 1.77, giving out a nearly black image whatever its input.
 */
export const AVERAGE_IMAGE_FLOOR = 1.5;

/** The questions' recipe (1.4, 2.5, 3.2): Adam, a learning rate of 10⁻³, batches of 128 images. */
const QUESTION_RECIPE: TrainingRecipe = { optimizer: 'adam', learningRate: 1e-3, batchSize: 128 };

/** The error of the average image of the first `count` targets: the best a model that ignores its input can do. */
export function averageImageError(pairs: ImagePairs, count: number): number {
  return tf.tidy(() => {
    const targets = firstOf(pairs.targets ?? pairs.inputs, count);
    return meanSquaredError(tf.broadcastTo(tf.mean(targets, 0, true), targets.shape) as tf.Tensor4D, targets);
  });
}

/** A recipe in French: « Adam, pas 10⁻³, lots de 128 ». */
function recipeText(recipe: TrainingRecipe): string {
  const optimizer = recipe.optimizer === 'adam' ? 'Adam' : recipe.optimizer;
  const rate =
    recipe.learningRate === 1e-3
      ? '10⁻³'
      : decimal(recipe.learningRate, 4)
          .replace(/(,\d*?)0+$/, '$1')
          .replace(/,$/, '');
  return `${optimizer}, pas ${rate}, lots de ${integer(recipe.batchSize)}`;
}

const sameRecipe = (a: TrainingRecipe, b: TrainingRecipe) =>
  a.optimizer === b.optimizer && Math.abs(a.learningRate - b.learningRate) <= 1e-9 && a.batchSize === b.batchSize;

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
    const average = averageImageError(validation, 1000);
    if (error > AVERAGE_IMAGE_FLOOR * average) {
      const recipe = recipeOf(list[i]);
      const cause =
        recipe && !sameRecipe(recipe, QUESTION_RECIPE)
          ? ` ; il a été entraîné avec ${recipeText(recipe)}, la question demande ${recipeText(QUESTION_RECIPE)}`
          : '';
      feedback.fail(
        `${name} : n’a pas appris à reconstruire les images : MSE de validation ${decimal(error, 4)}, bien pire que celle ` +
          `de l’image moyenne (${decimal(average, 4)}), qui rend la même image quelle que soit l’entrée${cause}`,
      );
    } else if (error > 1.5 * best + 0.01) {
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
  if (!feedback.failed) remarkOnRecipes(list.map(recipeOf), feedback);
  return curves;
}

/**
 * Models that learnt, with a recipe other than the question's or not the same for all: a remark for the
 * teacher (and the student), not a failure.
 */
function remarkOnRecipes(recipes: (TrainingRecipe | undefined)[], feedback: Feedback): void {
  const known = recipes.filter((r): r is TrainingRecipe => r !== undefined);
  if (known.length === 0) return;
  const distinct = known.filter((r, i) => known.findIndex((other) => sameRecipe(other, r)) === i);
  if (distinct.length > 1) {
    feedback.remark(
      `recettes différentes d’un modèle à l’autre (${distinct.map(recipeText).join(' ; ')}) : la comparaison n’est pas à ` +
        `armes égales ; la question demande la même pour tous (${recipeText(QUESTION_RECIPE)})`,
    );
  } else if (!sameRecipe(distinct[0], QUESTION_RECIPE)) {
    const all = known.length > 1 ? `, la même pour les ${known.length} modèles` : '';
    feedback.remark(
      `recette ${recipeText(distinct[0])}${all}, au lieu de celle de la question (${recipeText(QUESTION_RECIPE)}) : ` +
        'les modèles ont appris, à l’enseignant d’apprécier',
    );
  }
}
