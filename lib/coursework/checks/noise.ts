import * as tf from '@tensorflow/tfjs';
import { Autoencoder } from '../../models/types';
import { LossHistory } from '../../train/history';
import { decimal } from '../../util/french';
import { libraryCallsDuring, madeBy } from '../../util/traces';
import { Feedback } from '../feedback';
import { QuestionError } from '../questions';
import { denoiserModel, usableModel } from './models';
import { AnyHistory, NO_TEST_IMAGES, TestImages, checkTrainingRuns, lossCurves } from './training';
import { describeValue, meanSquaredError, predict, sameImagesShape } from './values';

/** The student's noise: images in, the same images plus Gaussian noise of the given variance out. */
export type NoiseFunction = (images: tf.Tensor4D, variance: number) => tf.Tensor4D;

interface NoiseStatistics {
  count: number;
  mean: number;
  variance: number;
  /** Fourth moment over the squared variance: 3 for a Gaussian, 1.8 for a uniform distribution. */
  kurtosis: number;
  min: number;
  max: number;
}

function statistics(noise: tf.Tensor): NoiseStatistics {
  const values = noise.dataSync();
  const count = values.length;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < count; i++) {
    sum += values[i];
    if (values[i] < min) min = values[i];
    if (values[i] > max) max = values[i];
  }
  const mean = sum / count;
  let m2 = 0;
  let m4 = 0;
  for (let i = 0; i < count; i++) {
    const d = (values[i] - mean) ** 2;
    m2 += d;
    m4 += d * d;
  }
  const variance = m2 / count;
  return { count, mean, variance, kurtosis: m4 / count / (variance * variance), min, max };
}

/** What is wrong with noise meant to be N(0, variance), or undefined when it is right. */
function noiseProblem(stats: NoiseStatistics, variance: number, what: string): string | undefined {
  const v = (x: number) => decimal(x, 4);
  if (!Number.isFinite(stats.variance)) return `${what} : des valeurs ne sont pas finies`;
  if (Math.abs(stats.variance - variance) > 0.05 * variance) {
    const hint =
      Math.abs(stats.variance - variance * variance) < 0.05 * variance * variance
        ? ' : la variance a été prise pour l’écart-type (tf.randomNormal attend l’écart-type σ, et σ² est la variance)'
        : '';
    return `${what} : variance ${v(stats.variance)} au lieu de ${v(variance)}${hint}`;
  }
  if (Math.abs(stats.mean) > 4 * Math.sqrt(variance / stats.count) + 0.005) return `${what} : moyenne ${v(stats.mean)} au lieu de 0`;
  if (Math.abs(stats.kurtosis - 3) > 0.25)
    return `${what} : ce bruit n’est pas gaussien (coefficient d’aplatissement ${decimal(stats.kurtosis, 2)}, 3 pour une loi normale)`;
  return undefined;
}

/**
 * How alike the noise of consecutive images is (mean correlation over the first pairs): about 0 for
 * noise drawn for every pixel of every image, 1 for one noise field added to every image.
 */
function correlationAcrossImages(noise: tf.Tensor4D): number {
  return tf.tidy(() => {
    const n = Math.min(noise.shape[0], 17);
    if (n < 2) return 0;
    const flat = tf.reshape(noise.slice(0, n), [n, -1]);
    const centred = tf.sub(flat, tf.mean(flat, 1, true));
    const unit = tf.div(centred, tf.add(tf.norm(centred, 'euclidean', 1, true), 1e-12));
    const first = unit.slice([0, 0], [n - 1, -1]);
    const next = unit.slice([1, 0], [n - 1, -1]);
    return tf.mean(tf.sum(tf.mul(first, next), 1)).dataSync()[0];
  });
}

const SHARED_NOISE =
  'le même bruit est ajouté à chaque image : tirez un bruit pour chaque pixel de chaque image (de la forme du lot entier)';

/**
 * The student's noise function tried on blank images at the TP's variance and at a quarter of it, as
 * data: in the student's kernel by the check cell, and exported for the grader, which judges the
 * trials in a process where no code of the hand-in runs (questions.json lists them).
 */
export interface NoiseTrial {
  variance: number;
  /** The library function that made the noise, if one did (lab.addGaussianNoise…). */
  maker?: string;
  /** The noisy blank images, when the function returned a tensor of their shape. */
  output?: tf.Tensor4D;
  /** What it returned instead, or how it failed. */
  problem?: string;
}

const BLANK_SHAPE: [number, number, number, number] = [64, 28, 28, 1];

/** Runs the student's noise function on blank images, in the student's kernel. */
export function noiseTrials(addNoise: unknown, variance: number): NoiseTrial[] | string {
  if (typeof addNoise !== 'function')
    return `addNoise doit être une fonction (images, variance) => images bruitées, c’est ${describeValue(addNoise)}`;
  return [variance, variance / 4].map((tried): NoiseTrial => {
    const blank = tf.zeros(BLANK_SHAPE) as tf.Tensor4D;
    try {
      const { result, calls } = libraryCallsDuring(() => (addNoise as NoiseFunction)(blank, tried));
      const maker = calls[0] ?? madeBy(result);
      if (result instanceof tf.Tensor && result.shape.join() === BLANK_SHAPE.join())
        return { variance: tried, maker, output: result as tf.Tensor4D };
      return {
        variance: tried,
        maker,
        problem: `addNoise doit rendre un tenseur de même forme que les images, elle rend ${describeValue(result)}`,
      };
    } catch (error) {
      if (error instanceof QuestionError) throw error;
      return {
        variance: tried,
        problem: `addNoise(images, ${decimal(tried, 4)}) échoue : ${error instanceof Error ? error.message : String(error)}`,
      };
    } finally {
      blank.dispose();
    }
  });
}

/** What is wrong with the noise function by its trials, or undefined; disposes of the trials' images. */
export function noiseTrialsProblem(trials: NoiseTrial[] | string): string | undefined {
  if (!Array.isArray(trials)) return typeof trials === 'string' ? trials : 'addNoise n’a pas pu être essayée';
  try {
    for (const { variance: tried, maker, output, problem } of trials) {
      if (maker) return `addNoise appelle ${maker} : écrivez le bruit avec tfjs (tf.randomNormal…)`;
      if (problem) return problem;
      if (!(output instanceof tf.Tensor) || output.shape.join() !== BLANK_SHAPE.join())
        return `addNoise doit rendre un tenseur de même forme que les images, elle rend ${describeValue(output)}`;
      const stats = statistics(output);
      if (stats.min >= 0 && stats.max <= 1) return 'addNoise ramène les valeurs dans [0, 1] : la consigne demande x = y + n, sans écrêtage';
      // One field for every image also skews the statistics (few distinct values): the cause is told first.
      if (correlationAcrossImages(output) > 0.5) return `addNoise : ${SHARED_NOISE}`;
      const wrong = noiseProblem(stats, tried, `addNoise(images, ${decimal(tried, 4)})`);
      if (wrong) return wrong;
    }
    return undefined;
  } finally {
    for (const trial of trials) if (trial.output instanceof tf.Tensor) trial.output.dispose();
  }
}

/** The grader's side of question 3.1's function: its exported trials judged. */
export function judgeNoiseTrials(question: string, trials: NoiseTrial[] | string): void {
  const feedback = new Feedback(question);
  const problem = noiseTrialsProblem(trials);
  feedback.expect(
    problem === undefined,
    'addNoise ajoute un bruit gaussien de moyenne nulle et de la variance demandée, sans écrêtage, tiré pour chaque image',
    problem ?? '',
  );
  feedback.finish();
}

/**
 * Question 3.1 : la fonction de bruit de l'étudiant, essayée ici sur des images unies à deux variances,
 * et les paires bruitées faites avec elle : x − y doit être gaussien, de moyenne 0 et de la variance du
 * TP, non écrêté, tiré pour chaque image et chaque pixel. Une fonction rejetée est la
 * seule cause dite (les paires qu'elle a faites ne sont pas jugées une seconde fois). N'arrête jamais le
 * carnet : rend les images bruitées de l'étudiant quand elles ont la forme de leurs images propres,
 * sinon des images bruitées à elle (Feedback.withStandIn), pour que les questions 3.2 à 3.4 soient
 * jugées chacune pour elle-même.
 */
export function noise(
  question: string,
  addNoise: NoiseFunction | undefined,
  variance: number,
  clean: { xTrain: tf.Tensor4D; xValidation: tf.Tensor4D; xTest: tf.Tensor4D },
  made: Partial<NoisyImages>,
): NoisyImages {
  const usable = (): NoisyImages => ({
    xNoisyTrain: usableNoisy(clean.xTrain, made.xNoisyTrain, variance),
    xNoisyValidation: usableNoisy(clean.xValidation, made.xNoisyValidation, variance),
    xNoisyTest: usableNoisy(clean.xTest, made.xNoisyTest, variance),
  });
  const check = (feedback: Feedback): NoisyImages => {
    const problem = noiseTrialsProblem(noiseTrials(addNoise, variance));
    if (problem) feedback.fail(problem);
    else {
      feedback.pass('addNoise ajoute un bruit gaussien de moyenne nulle et de la variance demandée, sans écrêtage, tiré pour chaque image');
      checkNoisyPairs(variance, clean.xTrain, made.xNoisyTrain, clean.xTest, made.xNoisyTest, feedback);
    }
    feedback.finish();
    return usable();
  };
  return Feedback.withStandIn(question, check, () => {
    const value = usable();
    // The sets drawn here: those where the student's could not be used.
    const own = (Object.keys(value) as (keyof NoisyImages)[]).filter((name) => value[name] !== made[name]);
    return {
      value,
      what: own.length
        ? `des images bruitées par la bibliothèque pour ${own.join(', ')} (forme différente de leurs images propres)`
        : undefined,
    };
  });
}

/** Les images bruitées dont se servent les questions suivantes. */
export interface NoisyImages {
  xNoisyTrain: tf.Tensor4D;
  xNoisyValidation: tf.Tensor4D;
  xNoisyTest: tf.Tensor4D;
}

/** The student's noisy images where they have the shape of their clean ones, else the clean ones with noise drawn here. */
function usableNoisy(clean: tf.Tensor4D, made: unknown, variance: number): tf.Tensor4D {
  if (sameImagesShape(made, clean)) return made;
  return tf.tidy(() => tf.add(clean, tf.randomNormal(clean.shape, 0, Math.sqrt(variance))) as tf.Tensor4D);
}

/** The noisy pairs' part of question 3.1, for the grader, which judges the pairs and not the function. */
export function noisyPairs(
  question: string,
  variance: number,
  xTrain: tf.Tensor4D,
  xNoisyTrain: tf.Tensor4D | undefined,
  xTest: tf.Tensor4D,
  xNoisyTest: tf.Tensor4D | undefined,
): void {
  const feedback = new Feedback(question);
  checkNoisyPairs(variance, xTrain, xNoisyTrain, xTest, xNoisyTest, feedback);
  feedback.finish();
}

/** x − y of each noisy set is Gaussian noise of mean 0 and of the TP's variance, drawn anew for the test images. */
function checkNoisyPairs(
  variance: number,
  xTrain: tf.Tensor4D,
  xNoisyTrain: tf.Tensor4D | undefined,
  xTest: tf.Tensor4D,
  xNoisyTest: tf.Tensor4D | undefined,
  feedback: Feedback,
): void {
  const noisy: tf.Tensor4D[] = [];
  const drawn: tf.Tensor4D[] = [];
  for (const [name, clean, made] of [
    ['xNoisyTrain', xTrain, xNoisyTrain],
    ['xNoisyTest', xTest, xNoisyTest],
  ] as const) {
    if (!sameImagesShape(made, clean)) {
      feedback.fail(`${name} doit avoir la forme de ses images propres [${clean.shape.join(', ')}], c’est ${describeValue(made)}`);
      drawn.push(usableNoisy(clean, undefined, variance));
      noisy.push(drawn[drawn.length - 1]);
      continue;
    }
    const difference = tf.sub(made, clean) as tf.Tensor4D;
    const problem =
      correlationAcrossImages(difference) > 0.5
        ? `${name} : ${SHARED_NOISE}`
        : noiseProblem(statistics(difference), variance, `${name} − images propres`);
    difference.dispose();
    feedback.expect(problem === undefined, `${name} = images propres + bruit`, problem ?? '');
    noisy.push(made);
  }
  const sameNoise = tf.tidy(() => {
    const n = Math.min(xTrain.shape[0], xTest.shape[0], 100);
    const trainNoise = tf.sub(noisy[0].slice(0, n), xTrain.slice(0, n));
    const testNoise = tf.sub(noisy[1].slice(0, n), xTest.slice(0, n));
    return tf.all(tf.equal(trainNoise, testNoise)).dataSync()[0] === 1;
  });
  feedback.expect(
    !sameNoise,
    'le bruit des images de test est tiré à part',
    'le même bruit est ajouté aux images d’entraînement et de test : tirez-le à part',
  );
  tf.dispose(drawn);
}

/** The denoiser's error on noisy images must be below this share of the noisy images' own error. */
const DENOISING_MARGIN = 0.5;

/**
 * Question 3.2 : le débruiteur est l'auto-encodeur convolutif, entraîné sur les paires (x, y), et il
 * rapproche les images de validation bruitées de leurs versions propres. Le rend avec ses courbes
 * d'apprentissage ; à revoir, le modèle de l'étudiant continue s'il est un auto-encodeur (sinon un
 * modèle de référence non entraîné), avec les courbes de son historique s'il y en a.
 */
export function denoiser(
  question: string,
  model: Autoencoder | undefined,
  history: AnyHistory | undefined,
  validation: { inputs: tf.Tensor4D; targets: tf.Tensor4D },
  testImages: TestImages = NO_TEST_IMAGES,
): { model: Autoencoder; curve: LossHistory } {
  const check = (feedback: Feedback) => checkDenoiser(model, history, validation, testImages, feedback);
  return Feedback.withStandIn(question, check, () => {
    const usable = usableModel(model, 'conv');
    return {
      value: { model: usable.model, curve: lossCurves(history as AnyHistory, usable.model.name) },
      what: usable.standIn ? 'un auto-encodeur convolutif de référence, non entraîné, à la place du vôtre' : undefined,
    };
  });
}

function checkDenoiser(
  model: Autoencoder | undefined,
  history: AnyHistory | undefined,
  validation: { inputs: tf.Tensor4D; targets: tf.Tensor4D },
  testImages: TestImages,
  feedback: Feedback,
): { model: Autoencoder; curve: LossHistory } {
  const checked = denoiserModel(model, feedback);
  if (feedback.failed) feedback.finish();
  const [curve] = checkTrainingRuns(history === undefined ? undefined : [history], [checked], validation, feedback, testImages);
  if (!feedback.failed) {
    const outputs = predict(checked, validation.inputs);
    const before = meanSquaredError(validation.inputs, validation.targets);
    const after = meanSquaredError(outputs, validation.targets);
    outputs.dispose();
    // A real margin: a model trained the wrong way round (clean → noisy) is close to the identity.
    feedback.expect(
      after < DENOISING_MARGIN * before,
      `le débruiteur rapproche les images bruitées des images propres (MSE ${decimal(before, 4)} → ${decimal(after, 4)})`,
      `le débruiteur ne rapproche pas assez les images bruitées des images propres (MSE ${decimal(before, 4)} → ${decimal(after, 4)}, ` +
        `moins de la moitié attendue) : est-il entraîné sur les paires (x, y), x bruitée en entrée et y propre en cible ?`,
    );
  }
  feedback.finish();
  return { model: checked, curve };
}
