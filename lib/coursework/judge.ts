import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadDataset } from '../data/mnist';
import { PreparedData, prepareData } from '../data/prepare';
import { Autoencoder } from '../models/types';
import { GridImages } from '../plots/image-grid';
import { labSettings } from '../settings';
import { decimal } from '../util/french';
import { importAnswer } from './answers';
import { preparedData } from './checks/data';
import { convModel, denseModels, sameFunctionAsReference } from './checks/models';
import { NoiseTrial, denoiser, judgeNoiseTrials, noisyPairs } from './checks/noise';
import { MseTrial, ResultRow, denoisingResults, imageGrid, judgeMseTrials, testResults } from './checks/results';
import { TableRow, parameterCounts, tables } from './checks/tables';
import { AnyHistory, ImagePairs, errorOnPairs, training } from './checks/training';
import { isAutoencoder } from './checks/values';
import { Verdict, collectVerdict } from './feedback';
import GRADED_VALUES from './graded-values.json';

/**
 * The grader's side: judges a hand-in from the answers its kernel exported (answers.ts), in a
 * process where none of its code runs. The checks are the notebooks' own (lib/coursework/checks),
 * given the exported objects and, for every reference (the data, the validation and test images),
 * the grader's own copy: test metrics are recomputed from the exported models, noise is measured
 * against the grader's clean images.
 */

export type Part = 1 | 2 | 3;

export interface QuestionVerdict extends Verdict {
  question: string;
}

/** The graded values of a notebook part: name → expression the export cell writes. */
export function gradedValues(part: Part): Record<string, string> {
  return GRADED_VALUES[String(part) as '1' | '2' | '3'];
}

type Answers = Record<string, { value?: unknown; error?: string }>;

/** What is missing among the answers a question needs, as failed points. */
function missing(answers: Answers, names: string[]): string[] {
  return names
    .map((name) => answers[name].error)
    .filter((e): e is string => e !== undefined)
    .map((e) => `✘ ${e}`);
}

/** A question whose answers could not all be read fails with what is missing. */
async function judged(question: string, answers: Answers, names: string[], check: () => unknown): Promise<QuestionVerdict> {
  const absent = missing(answers, names);
  if (absent.length > 0) return { question, passed: false, points: absent };
  return { question, ...(await collectVerdict(check)) };
}

/** The grids' check passes when one of the grids shown passes it. */
async function anyGrid(
  question: string,
  answers: Answers,
  names: string[],
  models: () => Autoencoder[],
  inputs: () => tf.Tensor4D,
): Promise<QuestionVerdict> {
  const absent = missing(answers, ['grids', ...names]);
  if (absent.length > 0) return { question, passed: false, points: absent };
  const grids = (answers.grids.value ?? []) as GridImages[][];
  let last: QuestionVerdict = { question, passed: false, points: ['✘ aucune grille d’images affichée'] };
  for (const grid of [...grids].reverse()) {
    last = { question, ...(await collectVerdict(() => imageGrid(question, models(), inputs(), grid))) };
    if (last.passed) return last;
  }
  return last;
}

/**
 * A model trained on the test images fits them better than the validation images it never saw.
 * Measured in quick mode: a model trained as asked makes 0.95 to 0.98 times its validation error
 * on the test images; one trained on the 500 test images falls to 0.88 after 15 epochs, 0.80
 * after 30. A short training on them leaves no gap, so this cannot be certain: a note for the
 * teacher (a point starting with ⚠, which fails nothing), never a failed point.
 */
const TEST_IMAGES_RATIO = 0.85;

/** The ⚠ note of a question whose models fit the test images suspiciously better than the validation images. */
export function testImagesNotes(models: unknown[], validation: ImagePairs, test: ImagePairs): string[] {
  return models.filter(isAutoencoder).flatMap((model) => {
    let onValidation: number, onTest: number;
    try {
      [onValidation, onTest] = [errorOnPairs(model, validation, 500), errorOnPairs(model, test, 500)];
    } catch {
      return []; // a model that cannot map these images has failed its question already
    }
    if (!(onTest < TEST_IMAGES_RATIO * onValidation)) return [];
    return [
      `⚠ ${model.name} : MSE de test ${decimal(onTest, 4)}, bien en dessous de sa MSE de validation ${decimal(onValidation, 4)} : ` +
        'entraîné sur les images de test ? (à vérifier)',
    ];
  });
}

/** A question's verdict with the test-images notes added. */
function withTestImagesNotes(verdict: QuestionVerdict, models: unknown[], validation: ImagePairs, test: ImagePairs): QuestionVerdict {
  return { ...verdict, points: [...verdict.points, ...testImagesNotes(models, validation, test)] };
}

async function judgePart1(
  answers: Answers,
  data: Awaited<ReturnType<typeof loadDataset>>,
  prepared: PreparedData,
): Promise<QuestionVerdict[]> {
  const v = (name: string) => answers[name].value;
  const models = [v('dense1'), v('dense1Relu'), v('dense2')] as Autoencoder[];
  return [
    await judged('0', answers, ['xTrain', 'xValidation', 'xTest'], () =>
      preparedData('0', v('xTrain') as tf.Tensor4D, v('xValidation') as tf.Tensor4D, v('xTest') as tf.Tensor4D, data),
    ),
    await judged('1.1', answers, ['dense1', 'dense1Relu', 'dense2'], () => {
      denseModels('1.1', models[0], models[1], models[2]);
      sameFunctionAsReference(
        '1.1',
        [
          [models[0], 'dense1'],
          [models[1], 'dense1Relu'],
          [models[2], 'dense2'],
        ],
        prepared.xTest,
      );
    }),
    await judged('1.2', answers, ['dense1Table', 'dense1ReluTable', 'dense2Table'], () =>
      tables('1.2', {
        dense1: v('dense1Table') as TableRow[],
        dense1Relu: v('dense1ReluTable') as TableRow[],
        dense2: v('dense2Table') as TableRow[],
      }),
    ),
    await judged('1.3', answers, ['dense1Params', 'dense2Params'], () =>
      parameterCounts('1.3', { dense1: v('dense1Params') as number, dense2: v('dense2Params') as number }),
    ),
    withTestImagesNotes(
      await judged('1.4', answers, ['denseHistories', 'dense1', 'dense1Relu', 'dense2'], () =>
        training('1.4', v('denseHistories') as AnyHistory[], models, { inputs: prepared.xValidation }),
      ),
      models,
      { inputs: prepared.xValidation },
      { inputs: prepared.xTest },
    ),
    // The MSE function is judged on its trials (run in the hand-in's kernel, exported as data).
    await judged('1.5', answers, ['mseTrials', 'denseResults', 'dense1', 'dense1Relu', 'dense2'], () => {
      judgeMseTrials('1.5', v('mseTrials') as MseTrial[]);
      testResults('1.5', v('denseResults') as ResultRow[], models, prepared.xTest);
    }),
    await anyGrid(
      '1.6',
      answers,
      ['dense1', 'dense1Relu', 'dense2'],
      () => models,
      () => prepared.xTest,
    ),
  ];
}

async function judgePart2(answers: Answers, prepared: PreparedData): Promise<QuestionVerdict[]> {
  const v = (name: string) => answers[name].value;
  const allModels = (v('allModels') ?? []) as Autoencoder[];
  return [
    await judged('2.2', answers, ['conv'], () => {
      convModel('2.2', v('conv') as Autoencoder);
      sameFunctionAsReference('2.2', [[v('conv') as Autoencoder, 'conv']], prepared.xTest);
    }),
    await judged('2.3', answers, ['convTable'], () => tables('2.3', { conv: v('convTable') as TableRow[] })),
    await judged('2.4', answers, ['convParams'], () => parameterCounts('2.4', { conv: v('convParams') as number })),
    withTestImagesNotes(
      await judged('2.5', answers, ['histories', 'allModels'], () =>
        training('2.5', v('histories') as AnyHistory[], allModels, { inputs: prepared.xValidation }),
      ),
      allModels,
      { inputs: prepared.xValidation },
      { inputs: prepared.xTest },
    ),
    await judged('2.6', answers, ['results', 'allModels'], () =>
      testResults('2.6', v('results') as ResultRow[], allModels, prepared.xTest),
    ),
    await anyGrid(
      '2.7',
      answers,
      ['allModels'],
      () => allModels,
      () => prepared.xTest,
    ),
  ];
}

/** The clean images with Gaussian noise drawn here: of the hand-in's variance when it is a usable one, else the TP's 0.25. */
function graderNoisy(clean: tf.Tensor4D, variance: unknown): tf.Tensor4D {
  const sigma = Math.sqrt(typeof variance === 'number' && variance > 0 && variance <= 1 ? variance : 0.25);
  return tf.tidy(() => tf.add(clean, tf.randomNormal(clean.shape, 0, sigma, 'float32', 5)) as tf.Tensor4D);
}

async function judgePart3(answers: Answers, prepared: PreparedData): Promise<QuestionVerdict[]> {
  const v = (name: string) => answers[name].value;
  const model = v('denoiser') as Autoencoder;
  const noisyTest = v('xNoisyTest') as tf.Tensor4D;
  const variance = v('VARIANCE');
  const noisyValidation = { inputs: graderNoisy(prepared.xValidation, variance), targets: prepared.xValidation };
  return [
    await judged('3.1', answers, ['VARIANCE', 'noiseTrials', 'xNoisyTrain', 'xNoisyTest'], () => {
      if (typeof variance !== 'number' || !(variance > 0))
        throw new Error(`VARIANCE doit être un nombre positif, c’est ${String(variance)}`);
      // The function first, on its trials (run in the hand-in's kernel, exported as data), then the pairs it made.
      judgeNoiseTrials('3.1', v('noiseTrials') as NoiseTrial[]);
      return noisyPairs('3.1', variance, prepared.xTrain, v('xNoisyTrain') as tf.Tensor4D, prepared.xTest, noisyTest);
    }),
    // On the grader's own noisy validation images (the TP's variance, noise drawn here).
    withTestImagesNotes(
      await judged('3.2', answers, ['denoiser', 'denoiseHistory'], () =>
        denoiser('3.2', model, v('denoiseHistory') as AnyHistory, noisyValidation),
      ),
      [model],
      noisyValidation,
      { inputs: graderNoisy(prepared.xTest, variance), targets: prepared.xTest },
    ),
    await judged('3.3', answers, ['denoising', 'denoiser', 'xNoisyTest'], () =>
      denoisingResults('3.3', v('denoising') as ResultRow[], model, noisyTest, prepared.xTest),
    ),
    await anyGrid(
      '3.4',
      answers,
      ['denoiser', 'xNoisyTest'],
      () => [model],
      () => noisyTest,
    ),
  ];
}

/**
 * Judges the answers a hand-in of the given part exported to `dir`, on the data a quick run loads
 * (the hand-in ran in quick mode, offline, with no cache: the embedded images or the operating
 * system's copy, as here).
 */
export async function judgeAnswers(part: Part, dir: string): Promise<QuestionVerdict[]> {
  const answers: Answers = {};
  for (const name of Object.keys(gradedValues(part))) answers[name] = await importAnswer(dir, name);
  const settings = labSettings();
  const emptyCache = fs.mkdtempSync(path.join(os.tmpdir(), 'tp5-judge-'));
  const data = await loadDataset({
    trainLimit: settings.trainLimit,
    testLimit: settings.testLimit,
    cacheDir: emptyCache,
    download: false,
    print: false,
  });
  const prepared = prepareData(data);
  if (part === 1) return judgePart1(answers, data, prepared);
  if (part === 2) return judgePart2(answers, prepared);
  return judgePart3(answers, prepared);
}
