import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Dataset, loadDataset } from '../data/mnist';
import { PreparedData, prepareData } from '../data/prepare';
import { Autoencoder } from '../models/types';
import { labSettings } from '../settings';
import { decimal } from '../util/french';
import { GridImages, trainedOn } from '../util/traces';
import { importAnswer } from './answers';
import { preparedData } from './checks/data';
import { convModel, denseModels, sameFunctionAsReference } from './checks/models';
import { NoiseTrial, denoiser, judgeNoiseTrials, noisyPairs } from './checks/noise';
import { MseTrial, ResultRow, denoisingResults, imageGrid, judgeMseTrials, testResults } from './checks/results';
import { TableRow, parameterCounts, tables } from './checks/tables';
import { AnyHistory, ImagePairs, TestImages, errorOnPairs, testImageFingerprints, training } from './checks/training';
import { isAutoencoder } from './checks/values';
import { Point, Verdict, collectVerdict } from './feedback';
import { Part, QuestionId, gradedValues, questionsOf } from './questions';

/**
 * The grader's side: judges a hand-in from the answers its kernel exported (answers.ts), in a
 * process where none of its code runs. The checks are the notebooks' own (lib/coursework/checks),
 * given the exported objects and, for every reference (the data, the validation and test images),
 * the grader's own copy: test metrics are recomputed from the exported models, noise is measured
 * against the grader's clean images.
 */

export interface QuestionVerdict extends Verdict {
  question: string;
}

/** The grids' check passes when one of the grids shown passes it. */
async function anyGrid(question: string, v: Values, models: Autoencoder[], inputs: tf.Tensor4D): Promise<Verdict> {
  let last: Verdict = { passed: false, points: [{ kind: 'wrong', text: 'aucune grille d’images affichée' }] };
  for (const grid of [...((v('grids') ?? []) as GridImages[][])].reverse()) {
    last = await collectVerdict(() => imageGrid(question, models, inputs, grid));
    if (last.passed) return last;
  }
  return last;
}

/**
 * A model trained on the test images fits them better than the validation images it never saw.
 * Measured in quick mode: a model trained as asked makes 0.95 to 0.98 times its validation error
 * on the test images; one trained on the 500 test images falls to 0.88 after 15 epochs, 0.80
 * after 30. A short training on them leaves no gap, so this cannot be certain: a note for the
 * teacher (a point of kind "note", which fails nothing), never a failed point. It is only a
 * fallback: a training whose history says what it saw (lab.trainAutoencoder, model.fit) is
 * judged on that (checks/training.ts), with certainty.
 */
const TEST_IMAGES_RATIO = 0.85;

/** The note on each model that fits the test images suspiciously better than the validation images. */
export function testImagesNotes(models: unknown[], validation: ImagePairs, test: ImagePairs): Point[] {
  return models.filter(isAutoencoder).flatMap((model) => {
    let onValidation: number, onTest: number;
    try {
      [onValidation, onTest] = [errorOnPairs(model, validation, 500), errorOnPairs(model, test, 500)];
    } catch {
      return []; // a model that cannot map these images has failed its question already
    }
    if (!(onTest < TEST_IMAGES_RATIO * onValidation)) return [];
    const text =
      `${model.name} : MSE de test ${decimal(onTest, 4)}, bien en dessous de sa MSE de validation ${decimal(onValidation, 4)} : ` +
      'entraîné sur les images de test ? (à vérifier)';
    return [{ kind: 'note' as const, text }];
  });
}

/**
 * A training question's verdict, with the training images compared to the test images where its
 * histories say what they saw, and the test-images notes for the models whose history does not.
 */
async function trainingVerdict(
  judge: (testImages: TestImages) => unknown,
  trainings: { models: unknown[]; histories: unknown[] },
  validation: ImagePairs,
  test: ImagePairs,
  testSets: tf.Tensor4D[] = [test.targets ?? test.inputs],
): Promise<Verdict> {
  const { passed, points } = await collectVerdict(() => judge(testImageFingerprints(testSets)));
  const untraced = trainings.models.filter((_, i) => trainedOn(trainings.histories[i]) === undefined);
  return { passed, points: [...points, ...testImagesNotes(untraced, validation, test)] };
}

/** The clean images with Gaussian noise drawn here: of the hand-in's variance when it is a usable one, else the TP's 0.25. */
function graderNoisy(clean: tf.Tensor4D, variance: unknown): tf.Tensor4D {
  const sigma = Math.sqrt(typeof variance === 'number' && variance > 0 && variance <= 1 ? variance : 0.25);
  return tf.tidy(() => tf.add(clean, tf.randomNormal(clean.shape, 0, sigma, 'float32', 5)) as tf.Tensor4D);
}

/** The grader's own references: the data a quick run loads, prepared as the notebooks prepare it. */
interface References {
  data: Dataset;
  prepared: PreparedData;
}

/** Reads a hand-in's exported value by name (a judge reads those its question lists; 3.2 reads VARIANCE and xNoisyTest too). */
type Values = (name: string) => unknown;

const denseTrio = (v: Values) => [v('dense1'), v('dense1Relu'), v('dense2')] as Autoencoder[];
const allModels = (v: Values) => (v('allModels') ?? []) as Autoencoder[];
const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/**
 * How each question is judged, given its exported values (all there: a question with one missing
 * fails before) and the grader's references. The type asks for one judge per question of the table.
 */
const JUDGES: Record<QuestionId, (v: Values, refs: References) => Promise<Verdict>> = {
  '0': (v, { data }) =>
    collectVerdict(() => preparedData('0', v('xTrain') as tf.Tensor4D, v('xValidation') as tf.Tensor4D, v('xTest') as tf.Tensor4D, data)),
  '1.1': (v, { prepared }) =>
    collectVerdict(() => {
      const [dense1, dense1Relu, dense2] = denseTrio(v);
      denseModels('1.1', dense1, dense1Relu, dense2);
      sameFunctionAsReference(
        '1.1',
        [
          [dense1, 'dense1'],
          [dense1Relu, 'dense1Relu'],
          [dense2, 'dense2'],
        ],
        prepared.xTest,
      );
    }),
  '1.2': (v) =>
    collectVerdict(() =>
      tables('1.2', {
        dense1: v('dense1Table') as TableRow[],
        dense1Relu: v('dense1ReluTable') as TableRow[],
        dense2: v('dense2Table') as TableRow[],
      }),
    ),
  '1.3': (v) => collectVerdict(() => parameterCounts('1.3', { dense1: v('dense1Params') as number, dense2: v('dense2Params') as number })),
  '1.4': (v, { prepared }) =>
    trainingVerdict(
      (testImages) => training('1.4', v('denseHistories') as AnyHistory[], denseTrio(v), { inputs: prepared.xValidation }, testImages),
      { models: denseTrio(v), histories: listOf(v('denseHistories')) },
      { inputs: prepared.xValidation },
      { inputs: prepared.xTest },
    ),
  // The MSE function is judged on its trials (run in the hand-in's kernel, exported as data).
  '1.5': (v, { prepared }) =>
    collectVerdict(() => {
      judgeMseTrials('1.5', v('mseTrials') as MseTrial[]);
      testResults('1.5', v('denseResults') as ResultRow[], denseTrio(v), prepared.xTest);
    }),
  '1.6': (v, { prepared }) => anyGrid('1.6', v, denseTrio(v), prepared.xTest),
  '2.2': (v, { prepared }) =>
    collectVerdict(() => {
      convModel('2.2', v('conv') as Autoencoder);
      sameFunctionAsReference('2.2', [[v('conv') as Autoencoder, 'conv']], prepared.xTest);
    }),
  '2.3': (v) => collectVerdict(() => tables('2.3', { conv: v('convTable') as TableRow[] })),
  '2.4': (v) => collectVerdict(() => parameterCounts('2.4', { conv: v('convParams') as number })),
  '2.5': (v, { prepared }) =>
    trainingVerdict(
      (testImages) => training('2.5', v('histories') as AnyHistory[], allModels(v), { inputs: prepared.xValidation }, testImages),
      { models: allModels(v), histories: listOf(v('histories')) },
      { inputs: prepared.xValidation },
      { inputs: prepared.xTest },
    ),
  '2.6': (v, { prepared }) => collectVerdict(() => testResults('2.6', v('results') as ResultRow[], allModels(v), prepared.xTest)),
  '2.7': (v, { prepared }) => anyGrid('2.7', v, allModels(v), prepared.xTest),
  '3.1': (v, { prepared }) =>
    collectVerdict(() => {
      const variance = v('VARIANCE');
      if (typeof variance !== 'number' || !(variance > 0))
        throw new Error(`VARIANCE doit être un nombre positif, c’est ${String(variance)}`);
      // The function first, on its trials (run in the hand-in's kernel, exported as data), then the pairs it made.
      judgeNoiseTrials('3.1', v('noiseTrials') as NoiseTrial[]);
      return noisyPairs('3.1', variance, prepared.xTrain, v('xNoisyTrain') as tf.Tensor4D, prepared.xTest, v('xNoisyTest') as tf.Tensor4D);
    }),
  // On the grader's own noisy validation images (noise drawn here).
  '3.2': (v, { prepared }) => {
    const model = v('denoiser') as Autoencoder;
    const noisyValidation = { inputs: graderNoisy(prepared.xValidation, v('VARIANCE')), targets: prepared.xValidation };
    // The hand-in's own noisy test images are test images too.
    const noisyTest = v('xNoisyTest');
    return trainingVerdict(
      (testImages) => denoiser('3.2', model, v('denoiseHistory') as AnyHistory, noisyValidation, testImages),
      { models: [model], histories: [v('denoiseHistory')] },
      noisyValidation,
      { inputs: graderNoisy(prepared.xTest, v('VARIANCE')), targets: prepared.xTest },
      [prepared.xTest, ...(noisyTest instanceof tf.Tensor && noisyTest.rank === 4 ? [noisyTest as tf.Tensor4D] : [])],
    );
  },
  '3.3': (v, { prepared }) =>
    collectVerdict(() =>
      denoisingResults('3.3', v('denoising') as ResultRow[], v('denoiser') as Autoencoder, v('xNoisyTest') as tf.Tensor4D, prepared.xTest),
    ),
  '3.4': (v) => anyGrid('3.4', v, [v('denoiser') as Autoencoder], v('xNoisyTest') as tf.Tensor4D),
};

/**
 * Why a graded value is missing, named as the student wrote it: the variable itself, or the one its
 * computed value is made from (`mse` for the trials `lab.mseTrials(mse)`), never the grader's name.
 */
function missingText(question: string, name: string, expression: string, error: string): string {
  if (!error.includes("n'a pas été exporté")) return error;
  const written = /\(([A-Za-z_$][\w$]*)/.exec(expression)?.[1] ?? (expression === name ? name : undefined);
  return written === undefined
    ? `la vérification de la question ${question} n’a pas pu s’exécuter : une cellule au-dessus a-t-elle échoué ?`
    : `« ${written} » n’existait pas après la question ${question} : la cellule qui le définit s’est-elle exécutée sans erreur ?`;
}

/**
 * Judges the answers a hand-in of the given part exported to `dir`, on the data a quick run loads
 * (the hand-in ran in quick mode, offline, with no cache: the embedded images or the operating
 * system's copy, as here).
 */
export async function judgeAnswers(part: Part, dir: string): Promise<QuestionVerdict[]> {
  const answers: Record<string, { value?: unknown; error?: string }> = {};
  const values = gradedValues(part);
  for (const name of Object.keys(values)) answers[name] = await importAnswer(dir, name);
  const settings = labSettings();
  const emptyCache = fs.mkdtempSync(path.join(os.tmpdir(), 'tp5-judge-'));
  const data = await loadDataset({
    trainLimit: settings.trainLimit,
    testLimit: settings.testLimit,
    cacheDir: emptyCache,
    download: false,
    print: false,
  });
  const refs = { data, prepared: prepareData(data) };
  const verdicts: QuestionVerdict[] = [];
  for (const { id, graded } of questionsOf(part)) {
    // A question whose values could not all be read fails with what is missing, in the student's terms.
    const missing = graded.flatMap((name): Point[] => {
      const error = answers[name].error;
      return error === undefined ? [] : [{ kind: 'wrong', text: missingText(id, name, values[name], error) }];
    });
    const verdict = missing.length > 0 ? { passed: false, points: missing } : await JUDGES[id]((name) => answers[name]?.value, refs);
    verdicts.push({ question: id, ...verdict });
  }
  return verdicts;
}
