import * as tf from '@tensorflow/tfjs';
import { Dataset } from '../../data/mnist';
import { PreparedData, prepareData } from '../../data/prepare';
import { integer } from '../../util/french';
import { Feedback } from '../feedback';
import { imageTensor } from './values';

/** Sum of all the values of an image set, in float64 (to recognise which images a tensor holds). */
function pixelSum(pixels: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < pixels.length; i++) sum += pixels[i];
  return sum;
}

/** The pixels of the last `count` training images. */
function lastImages(data: Dataset, count: number): Float32Array {
  const size = data.train.height * data.train.width;
  return data.train.pixels.subarray((data.train.count - count) * size, data.train.count * size);
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(b));

/**
 * Question 0 : les tenseurs sont des images [n, M, N, 1] dans [0, 1], les images d'entraînement sont
 * partagées entre entraînement et validation (les dernières pour la validation) et les images de test
 * sont le jeu de test, intact.
 * Les rend ; quand ils sont à revoir, la préparation de la bibliothèque les remplace (Feedback.withStandIn).
 */
export function preparedData(
  question: string,
  xTrainValue: tf.Tensor4D | undefined,
  xValidationValue: tf.Tensor4D | undefined,
  xTestValue: tf.Tensor4D | undefined,
  data: Dataset,
): PreparedData {
  const check = (feedback: Feedback): PreparedData => {
    const shape: [number, number] = [data.train.height, data.train.width];
    const xTrain = imageTensor(xTrainValue, 'xTrain', shape, feedback);
    const xValidation = imageTensor(xValidationValue, 'xValidation', shape, feedback);
    const xTest = imageTensor(xTestValue, 'xTest', shape, feedback);
    feedback.pass('xTrain, xValidation et xTest sont des tenseurs d’images [n, M, N, 1]');

    for (const [name, tensor] of [
      ['xTrain', xTrain],
      ['xValidation', xValidation],
      ['xTest', xTest],
    ] as const) {
      const [min, max] = tf.tidy(() => [tensor.min().dataSync()[0], tensor.max().dataSync()[0]]);
      if (tensor.dtype !== 'float32') feedback.fail(`${name} est de type ${tensor.dtype} : des réels (float32) sont attendus`);
      else if (min < 0 || max > 1) feedback.fail(`${name} a des valeurs entre ${min} et ${max} : les pixels doivent être dans [0, 1]`);
      else if (max < 0.5) feedback.fail(`${name} ne dépasse pas ${max.toFixed(4)} : les pixels ont-ils été divisés deux fois par 255 ?`);
    }
    const trainCount = xTrain.shape[0];
    const validationCount = xValidation.shape[0];
    const share = validationCount / data.train.count;
    if (trainCount + validationCount !== data.train.count) {
      feedback.fail(
        `xTrain (${integer(trainCount)}) et xValidation (${integer(validationCount)}) doivent se partager les ` +
          `${integer(data.train.count)} images d’entraînement, sans en oublier ni en répéter`,
      );
    } else if (share < 0.05 || share > 0.3) {
      feedback.fail(
        `xValidation garde ${(100 * share).toFixed(0)} % des images d’entraînement : gardez-en une petite partie (10 % environ)`,
      );
    } else if (
      !close(pixelSum(xTrain.dataSync() as Float32Array) + pixelSum(xValidation.dataSync() as Float32Array), pixelSum(data.train.pixels))
    ) {
      feedback.fail('xTrain et xValidation ne contiennent pas les images d’entraînement (data.train)');
    } else if (!close(pixelSum(xValidation.dataSync() as Float32Array), pixelSum(lastImages(data, validationCount)))) {
      feedback.fail(
        `xValidation n’est pas fait des ${integer(validationCount)} dernières images d’entraînement : la question demande de garder ` +
          'la fin du jeu pour la validation (par exemple data.train découpé à partir de l’indice du nombre d’images gardées pour l’entraînement)',
      );
    } else {
      feedback.pass(`les images d’entraînement sont partagées entre entraînement et validation (${(100 * share).toFixed(0)} %)`);
    }
    feedback.expect(
      xTest.shape[0] === data.test.count && close(pixelSum(xTest.dataSync() as Float32Array), pixelSum(data.test.pixels)),
      'xTest contient le jeu de test, à part',
      'xTest doit contenir toutes les images de test (data.test), et elles seules',
    );
    feedback.finish();
    return { xTrain, xValidation, xTest };
  };
  return Feedback.withStandIn(question, check, () => ({
    value: prepareData(data, { validationFraction: 0.1 }),
    what: 'les données préparées par la bibliothèque (lab.prepareData)',
  }));
}
