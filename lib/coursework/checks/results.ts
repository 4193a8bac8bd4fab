import * as tf from '@tensorflow/tfjs';
import { asImageSet } from '../../data/images';
import { MetricSummary, compareImages } from '../../metrics';
import { gaussianBlur, medianFilter3x3 } from '../../noise/filters';
import { Autoencoder } from '../../models/types';
import { NamedMetrics } from '../../report';
import { GridImages, lastImageGrid, libraryCallsDuring } from '../../util/traces';
import { decimal } from '../../util/french';
import { Feedback } from '../feedback';
import { QuestionError } from '../questions';
import { describeValue, finiteNumber, firstOf, meanSquaredError, predict, required } from './values';

/** A student's MSE function: two image batches of the same shape in, one number out (a scalar tensor or a number). */
export type MseFunction = (reference: tf.Tensor, candidate: tf.Tensor) => tf.Scalar | tf.Tensor | number;

function valueOf(result: unknown): number | undefined {
  if (typeof result === 'number') return result;
  if (result instanceof tf.Tensor && result.size === 1) return result.dataSync()[0];
  return undefined;
}

/**
 * The student's MSE tried on the check's fixed inputs, as data: the grader judges these trials in a
 * process where no code of the hand-in runs (the graded values of questions.json). Each pair of image
 * batches is drawn from its seed, so the judge can redraw it and recompute the expected value.
 */
export interface MseTrial {
  shape: number[];
  seed: number;
  /** Library functions the student's function called (lab.compareImages…). */
  calls: string[];
  value?: number;
  error?: string;
}

/** The pair of random batches a trial compares: drawn from `seed` and from `seed + 10`. */
function trialPair(shape: number[], seed: number): [tf.Tensor, tf.Tensor] {
  return [tf.randomUniform(shape, 0, 1, 'float32', seed), tf.randomUniform(shape, 0, 1, 'float32', seed + 10)];
}

const MSE_TRIALS: [number[], number][] = [
  [[4, 28, 28, 1], 1],
  [[3, 5, 7, 1], 2],
  [[2, 28, 28, 1], 3],
  // Two identical batches (seed 0 marks them): the MSE must be exactly 0.
  [[2, 4, 4, 1], 0],
];

/** Runs the student's MSE on the fixed trial inputs, in the student's kernel. */
export function mseTrials(fn: unknown): MseTrial[] | string {
  if (typeof fn !== 'function') return `mse doit être une fonction (reference, candidate) => scalaire, c’est ${describeValue(fn)}`;
  return MSE_TRIALS.map(([shape, seed]) => {
    const [a, b] = seed === 0 ? [tf.ones(shape), tf.ones(shape)] : trialPair(shape, seed);
    try {
      const { result, calls } = libraryCallsDuring(() => (fn as MseFunction)(a, b));
      const value = valueOf(result);
      if (result instanceof tf.Tensor) result.dispose();
      return { shape, seed, calls, value };
    } catch (error) {
      // An answer still to write (lab.todo) says so itself.
      if (error instanceof QuestionError) throw error;
      return { shape, seed, calls: [], error: error instanceof Error ? error.message : String(error) };
    } finally {
      tf.dispose([a, b]);
    }
  });
}

/** Question 1.5's verdict on the MSE's trials: no library call, the definition's value on each pair, 0 for identical batches. */
export function judgeMseTrials(question: string, trials: MseTrial[] | string): void {
  const feedback = new Feedback(question);
  if (!Array.isArray(trials)) feedback.stop(typeof trials === 'string' ? trials : 'mse n’a pas pu être essayée');
  for (const trial of trials as MseTrial[]) {
    const { shape, seed, calls, value, error } = trial;
    if (Array.isArray(calls) && calls.length > 0)
      feedback.stop(`mse appelle ${calls.join(', ')} : écrivez-la avec des opérations tf (tf.sub, tf.square, tf.mean…)`);
    if (error !== undefined) feedback.stop(`mse a échoué sur des images [${shape.join(', ')}] : ${error}`);
    if (typeof value !== 'number') feedback.stop('mse doit rendre un seul nombre (un tenseur scalaire ou un number)');
    if (seed === 0) {
      feedback.expect(
        value === 0,
        'mse est la moyenne des carrés des écarts, sur tous les pixels de toutes les images',
        'mse de deux lots identiques doit valoir 0',
      );
      continue;
    }
    const [a, b] = trialPair(shape, seed);
    const expected = meanSquaredError(a, b);
    tf.dispose([a, b]);
    if (Math.abs((value as number) - expected) > 1e-5 * Math.max(1, expected)) {
      feedback.stop(
        `sur deux lots d’images aléatoires [${shape.join(', ')}], mse rend ${value} : ce n’est pas la moyenne des carrés des écarts`,
      );
    }
  }
  feedback.finish();
}

/**
 * Question 1.5 : la MSE de l'étudiant, écrite avec des opérations tfjs, face à la définition, sur des images au hasard.
 */
export function mseFunction(question: string, fn: MseFunction | undefined): void {
  judgeMseTrials(question, mseTrials(fn));
}

/**
 * Une ligne de résultats telle qu'un étudiant peut l'écrire : `{ name, mse, psnr, ssim }` ou `{ name, metrics: { mse, psnr, ssim } }`.
 */
export type ResultRow = { name: string; mse: number; psnr: number; ssim: number } | NamedMetrics;

function metricsOf(row: ResultRow): Partial<MetricSummary> {
  return 'metrics' in row ? row.metrics : row;
}

/** Compares a row's metrics with those the checker computes itself. */
function agrees(row: ResultRow, truth: MetricSummary, feedback: Feedback): boolean {
  const m = metricsOf(row);
  if (!finiteNumber(m.mse) || !finiteNumber(m.psnr) || !finiteNumber(m.ssim)) {
    feedback.fail(`${row.name} : mse, psnr et ssim doivent être des nombres finis`);
    return false;
  }
  const wrong = [
    Math.abs(m.mse - truth.mse) > 1e-3 * truth.mse + 1e-6 ? `MSE ${decimal(m.mse, 4)}` : '',
    Math.abs(m.psnr - truth.psnr) > 0.05 ? `PSNR ${decimal(m.psnr, 2)} dB` : '',
    Math.abs(m.ssim - truth.ssim) > 0.005 ? `SSIM ${decimal(m.ssim, 3)}` : '',
  ].filter(Boolean);
  if (wrong.length > 0) {
    feedback.fail(`${row.name} : ${wrong.join(', ')} ne correspond pas à ce que donne ce modèle sur les images de test`);
    return false;
  }
  return true;
}

/** The truth for a model: its metrics on the test inputs against the test targets. */
function modelMetrics(model: Autoencoder, inputs: tf.Tensor4D, targets: tf.Tensor4D): MetricSummary {
  const outputs = predict(model, inputs);
  const summary = compareImages(targets, outputs);
  outputs.dispose();
  return summary;
}

const asNamedMetrics = (row: ResultRow, count: number): NamedMetrics => ({
  name: row.name,
  metrics: { ...(metricsOf(row) as MetricSummary), count },
});

/**
 * Questions 1.5 et 2.6 : une ligne par modèle, dans l'ordre des modèles, chacune avec la MSE, le PSNR et
 * le SSIM du modèle sur les images de test (recalculés ici : une ligne doit être ce que donne son modèle).
 */
export function testResults(question: string, rows: ResultRow[] | undefined, models: Autoencoder[], xTest: tf.Tensor4D): NamedMetrics[] {
  const feedback = new Feedback(question);
  const list = required(rows, 'le tableau des résultats', feedback);
  if (!Array.isArray(list) || list.length !== models.length) {
    feedback.stop(`une ligne de résultats par modèle est attendue (${models.length}), trouvé ${describeValue(list)}`);
  }
  list.forEach((row, i) => {
    if (agrees(row, modelMetrics(models[i], xTest, xTest), feedback)) feedback.pass(`${row.name} : MSE, PSNR et SSIM justes`);
  });
  feedback.finish();
  return list.map((row) => asNamedMetrics(row, xTest.shape[0]));
}

/**
 * Question 3.3 : chaque méthode que la question nomme (l'entrée bruitée elle-même, le flou gaussien
 * σ = 1, le filtre médian 3×3, la sortie du débruiteur) a sa ligne, et chaque ligne est recalculée ici
 * contre les images de test propres : une ligne mesurée contre les images bruitées ne passe pas.
 */
export function denoisingResults(
  question: string,
  rows: ResultRow[] | undefined,
  denoiser: Autoencoder,
  noisy: tf.Tensor4D,
  clean: tf.Tensor4D,
): NamedMetrics[] {
  const feedback = new Feedback(question);
  const list = required(rows, 'le tableau des résultats', feedback);
  if (!Array.isArray(list) || list.length < 2) feedback.stop('au moins deux lignes sont attendues : l’entrée bruitée et l’auto-encodeur');
  const close = (row: ResultRow, truth: MetricSummary) => Math.abs((metricsOf(row).psnr ?? NaN) - truth.psnr) <= 0.05;
  const methods: [string, () => MetricSummary][] = [
    ['l’entrée bruitée', () => compareImages(clean, noisy)],
    ['le flou gaussien (σ = 1)', () => compareImages(clean, gaussianBlur(noisy, 1))],
    ['le filtre médian 3×3', () => compareImages(clean, medianFilter3x3(noisy))],
    ['la sortie du débruiteur', () => modelMetrics(denoiser, noisy, clean)],
  ];
  for (const [method, measure] of methods) {
    const truth = measure();
    const row = list.find((candidate) => close(candidate, truth));
    if (
      feedback.expect(
        row !== undefined,
        `${method} : sa ligne est mesurée contre les images propres`,
        `aucune ligne ne mesure ${method} des images de test bruitées contre les images de test propres`,
      )
    )
      agrees(row as ResultRow, truth, feedback);
  }
  feedback.finish();
  return list.map((row) => asNamedMetrics(row, clean.shape[0]));
}

/**
 * Questions 1.6, 2.7 et 3.4 : la dernière grille affichée montre d'abord les originaux, puis une
 * rangée par modèle avec les sorties de ce modèle pour les mêmes images.
 */
export function imageGrid(
  question: string,
  models: Autoencoder[],
  inputs: tf.Tensor4D,
  rows: readonly GridImages[] = lastImageGrid(),
): void {
  const feedback = new Feedback(question);
  if (rows.length === 0) feedback.stop('aucune grille d’images affichée : utilisez lab.showImageGrid([{ title, images }, …])');
  if (rows.length < models.length + 1)
    feedback.fail(
      `la grille a ${rows.length} rangée${rows.length > 1 ? 's' : ''} : une pour les originaux et une par modèle (${models.length}) sont attendues`,
    );
  const count = Math.min(10, ...rows.map((row) => row.images.count));
  const firstInputs = firstOf(inputs, count);
  for (const model of models) {
    const predicted = predict(model, firstInputs);
    const outputs = asImageSet(predicted);
    predicted.dispose();
    const shown = rows.find(
      (row) =>
        row.images.count >= count &&
        row.images.pixels.subarray(0, outputs.pixels.length).every((v, i) => Math.abs(v - outputs.pixels[i]) < 1e-3),
    );
    feedback.expect(
      shown !== undefined,
      `« ${shown?.title} » montre les sorties de ${model.name}`,
      `aucune rangée ne montre les sorties de ${model.name} pour les premières images`,
    );
  }
  firstInputs.dispose();
  feedback.finish();
}
