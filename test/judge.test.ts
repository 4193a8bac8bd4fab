import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exportAnswer, importAnswer } from '../lib/coursework/answers';
import { AnyHistory, TestImages, compiledLoss, testImageFingerprints, training } from '../lib/coursework/checks/training';
import { collectVerdict } from '../lib/coursework/feedback';
import { testImagesNotes } from '../lib/coursework/judge';
import { noteFitLoss } from '../lib/util/traces';
import { denseModels } from '../lib/coursework/checks/models';
import { autoencoder } from '../lib/models/autoencoder';
import { initBackend, loadDataset, prepareData, buildDense1, trainAutoencoder, PreparedData } from '../lib';

/**
 * A training on the test images, as the judge sees it: certain where the training's history says
 * what it saw (its images' fingerprints, kept through the export), a note otherwise: a model that
 * learnt them fits them far better than the validation images it never saw, and gets a note naming
 * both errors; a model trained on the training images, as asked, gets none.
 */

let prepared: PreparedData;

beforeAll(async () => {
  await initBackend({ print: false });
  prepared = prepareData(await loadDataset({ trainLimit: 1000, testLimit: 200, print: false }));
});

afterAll(() => tf.dispose([prepared.xTrain, prepared.xValidation, prepared.xTest]));

async function trainedOn(images: tf.Tensor4D, name: string, epochs = 40) {
  const model = buildDense1({ codeSize: 64, activation: 'relu', name });
  const history = await trainAutoencoder(
    model,
    { inputs: images },
    { epochs, batchSize: 32, learningRate: 3e-3, seed: 0, progress: 'none' },
  );
  return { model, history };
}

test('a library training that saw test images fails its question, even mixed with the training images and after an export', async () => {
  const mixed = tf.concat([prepared.xTrain.slice(0, 600), prepared.xTest.slice(0, 150)]) as tf.Tensor4D;
  const trainings = [await trainedOn(mixed, 'mélangé', 1), await trainedOn(prepared.xTrain, 'comme demandé', 1)];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp5-answers-'));
  exportAnswer(
    dir,
    'denseHistories',
    trainings.map((t) => t.history),
  );
  const { value } = await importAnswer(dir, 'denseHistories');
  // The judge compares with its test images' fingerprints; the student's kernel, without any, cannot.
  const judged = (testImages?: TestImages) =>
    collectVerdict(() =>
      training(
        '1.4',
        value as AnyHistory[],
        trainings.map((t) => t.model),
        { inputs: prepared.xValidation },
        testImages,
      ),
    );
  const verdict = await judged(testImageFingerprints([prepared.xTest]));
  const wrong = verdict.points.filter((p) => p.kind === 'wrong' && p.text.includes('images de test')).map((p) => p.text);
  // 32 images sampled evenly from 750 (every 23.4th), of which the last 150 are test images: samples 26 to 31.
  expect(verdict.passed).toBe(false);
  expect(wrong).toEqual([
    'mélangé : entraîné sur des images de test : 6 des 32 images relevées parmi ses 750 images d’entraînement sont des images de ' +
      'test ; entraînez sur prepared.xTrain (ou sa version bruitée) : les images de test servent à la mesure finale',
  ]);
  // In the student's kernel, the check cell has no test images to compare with: nothing said.
  const inKernel = await judged();
  expect(inKernel.points.filter((p) => p.text.includes('images de test'))).toEqual([]);
  mixed.dispose();
  trainings.forEach((t) => t.model.model.dispose());
});

test('a model trained on the test images gets a note naming its test and validation errors; one trained as asked gets none', async () => {
  const { model: cheat } = await trainedOn(prepared.xTest, 'sur le test');
  const { model: honest } = await trainedOn(prepared.xTrain, 'comme demandé');
  const notes = testImagesNotes([cheat, honest, { model: 'not a model' }], { inputs: prepared.xValidation }, { inputs: prepared.xTest });
  expect(notes).toHaveLength(1);
  expect(notes[0].kind).toBe('note');
  expect(notes[0].text).toMatch(
    /^sur le test : MSE de test 0,\d{4}, bien en dessous de sa MSE de validation 0,\d{4} : entraîné sur les images de test \? \(à vérifier\)$/,
  );
  [cheat, honest].forEach((m) => m.model.dispose());
});

test('a model.fit history keeps the loss its model was compiled with, in the kernel and read back by the judge', async () => {
  const fitted = new tf.History();
  fitted.history = { loss: [0.2, 0.1], val_loss: [0.21, 0.11] };
  noteFitLoss(fitted, 'meanAbsoluteError');
  const library = { label: 'Dense n°1', loss: [0.2, 0.1], valLoss: [0.21, 0.11] };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp5-answers-'));
  exportAnswer(dir, 'histories', [fitted, library]);
  const { value, error } = await importAnswer(dir, 'histories');
  expect(error).toBeUndefined();
  expect([fitted, library].map(compiledLoss)).toEqual(['meanAbsoluteError', undefined]);
  expect((value as AnyHistory[]).map(compiledLoss)).toEqual(['meanAbsoluteError', undefined]);
});

test('a training that learns nothing fails, naming its recipe; a recipe other than the question’s that learns is a remark, also once exported', async () => {
  const validation = { inputs: prepared.xValidation };
  const run = async (learningRate: number, batchSize: number) => {
    const model = buildDense1({ codeSize: 64, name: `pas ${learningRate}` });
    const history = await trainAutoencoder(
      model,
      { inputs: prepared.xTrain },
      { epochs: 3, batchSize, learningRate, seed: 0, progress: 'none', validation: { inputs: prepared.xValidation } },
    );
    return { model, history };
  };
  const broken = await run(1, 128);
  const failed = await collectVerdict(() => training('1.4', [broken.history], [broken.model], validation));
  expect(failed.passed).toBe(false);
  expect(failed.points.find((p) => p.kind === 'wrong' && p.text.includes('n’a pas appris'))?.text).toMatch(
    /n’a pas appris à reconstruire les images : MSE de validation \d+,\d+, bien pire que celle de l’image moyenne \(0,06\d+\).*; il a été entraîné avec Adam, pas 1, lots de 128, la question demande Adam, pas 10⁻³, lots de 128$/,
  );
  const other = await run(3e-3, 32);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp5-answers-'));
  exportAnswer(dir, 'histories', [other.history]);
  const { value } = await importAnswer(dir, 'histories');
  for (const histories of [[other.history], value as AnyHistory[]]) {
    const remarked = await collectVerdict(() => training('1.4', histories, [other.model], validation));
    expect(remarked.points.filter((p) => p.kind === 'wrong')).toEqual([]);
    expect(remarked.points.filter((p) => p.kind === 'note').map((p) => p.text)).toEqual([
      'recette Adam, pas 0,003, lots de 32, au lieu de celle de la question (Adam, pas 10⁻³, lots de 128) : les modèles ont appris, à l’enseignant d’apprécier',
    ]);
  }
}, 120_000);

test('a layer too wide is said once: the next layer, fed by it, is not blamed for its parameter count', async () => {
  const encoder = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [28, 28, 1] }),
      tf.layers.dense({ units: 256, activation: 'relu' }),
      tf.layers.dense({ units: 64, activation: 'relu' }),
    ],
  });
  const decoder = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [64], units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 784, activation: 'sigmoid' }),
      tf.layers.reshape({ targetShape: [28, 28, 1] }),
    ],
  });
  const wide = autoencoder({ encoder, decoder, name: 'Dense n°2' });
  const [dense1, dense1Relu] = [buildDense1({ codeSize: 64, activation: 'none' }), buildDense1({ codeSize: 64, activation: 'relu' })];
  const verdict = await collectVerdict(() => denseModels('1.1', dense1, dense1Relu, wide));
  const about = verdict.points.filter((p) => p.kind === 'wrong' && p.text.startsWith('Dense n°2'));
  expect(about.map((p) => p.text)).toEqual([expect.stringMatching(/^Dense n°2 : la .* sort 256, ce n’est pas la dimension attendue/)]);
});
