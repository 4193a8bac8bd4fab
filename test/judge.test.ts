import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exportAnswer, importAnswer } from '../lib/coursework/answers';
import { AnyHistory, compiledLoss } from '../lib/coursework/checks/training';
import { testImagesNotes } from '../lib/coursework/judge';
import { noteFitLoss } from '../lib/util/traces';
import { initBackend, loadDataset, prepareData, buildDense1, trainAutoencoder, PreparedData } from '../lib';

/**
 * The judge's note on a model trained on the test images: a model that learnt them fits them far
 * better than the validation images it never saw, and gets a ⚠ note naming both errors; a model
 * trained on the training images, as asked, gets none.
 */

let prepared: PreparedData;

beforeAll(async () => {
  await initBackend({ print: false });
  prepared = prepareData(await loadDataset({ trainLimit: 1000, testLimit: 200, print: false }));
});

afterAll(() => tf.dispose([prepared.xTrain, prepared.xValidation, prepared.xTest]));

async function trainedOn(images: tf.Tensor4D, name: string) {
  const model = buildDense1({ codeSize: 64, activation: 'relu', name });
  await trainAutoencoder(model, { inputs: images }, { epochs: 40, batchSize: 32, learningRate: 3e-3, seed: 0, progress: 'none' });
  return model;
}

test('a model trained on the test images gets a note naming its test and validation errors; one trained as asked gets none', async () => {
  const cheat = await trainedOn(prepared.xTest, 'sur le test');
  const honest = await trainedOn(prepared.xTrain, 'comme demandé');
  const notes = testImagesNotes([cheat, honest, { model: 'not a model' }], { inputs: prepared.xValidation }, { inputs: prepared.xTest });
  expect(notes).toHaveLength(1);
  expect(notes[0]).toMatch(
    /^⚠ sur le test : MSE de test 0,\d{4}, bien en dessous de sa MSE de validation 0,\d{4} : entraîné sur les images de test \? \(à vérifier\)$/,
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
