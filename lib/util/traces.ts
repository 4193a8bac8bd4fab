import { createHash } from 'node:crypto';
import type { ImageSet } from '../data/images';

/**
 * Everything the coursework's checks and the grader learn of a student's session besides the
 * student's own values, in this one module: the subject leaves these traces, only lib/coursework
 * reads them.
 *
 *   made by      which library function made a value: a reference builder's model (its halves and
 *                layers too), lab.addGaussianNoise's images, carried through conversions between
 *                tensors and ImageSets. A check can then tell a student that an answer hands in
 *                the library's model or noise in place of the student's own.
 *   calls        which noted library functions a piece of the student's code called while a check
 *                ran it: an `mse` calling lab.compareImages, an `addNoise` calling lab.addGaussianNoise.
 *   shown grids  the image grids shown so far, with the images they showed: the reconstructions'
 *                checks read them, and the grader exports them (lab.shownImageGrids).
 *   fit losses   the loss each `model.fit` history was trained with (the one its model was compiled
 *                with: tfjs's history does not keep it), noted by lib/train/tfjs-fit.ts.
 *   trained on   what each training saw (lab.trainAutoencoder's or model.fit's): how many images, and
 *                the fingerprints of a few of its inputs and targets, which the grader compares with
 *                the test images' own (a training on the test images is then certain, not suspected).
 *   recipes      how each training went about it: its optimizer, learning rate and batch size, which
 *                the checks compare with the question's when a model did not learn.
 *   graded       whether this kernel runs a hand-in for the grader (TP5_GRADING=1, set by its
 *                sandbox): a check then reports without stopping the notebook.
 */

const fitLosses = new WeakMap<object, string>();

/** Remembers the loss a `model.fit` history was trained with (its model's compiled loss, as a name). */
export function noteFitLoss(history: object, loss: unknown): void {
  const first = Array.isArray(loss) ? (loss as unknown[])[0] : loss;
  if (typeof first === 'string') fitLosses.set(history, first);
  else if (typeof first === 'function') fitLosses.set(history, first.name || 'une fonction de perte à vous');
}

/** The loss a `model.fit` history was trained with, if noted. */
export function fitLoss(history: unknown): string | undefined {
  return typeof history === 'object' && history !== null ? fitLosses.get(history) : undefined;
}

/**
 * What a training saw: its image count and the fingerprints of up to SAMPLED images spread over its
 * inputs and its targets (a fingerprint: the first 16 hex digits of the SHA-1 of the image's float32 pixels).
 */
export interface TrainedOn {
  count: number;
  inputs: string[];
  targets: string[];
}

/** How many images of a training are fingerprinted: enough that a part taken from the test images shows. */
export const SAMPLED = 32;

const trainings = new WeakMap<object, TrainedOn>();

/** The indices of the images fingerprinted among `count`: SAMPLED of them, evenly spread, the first one included. */
export function sampledIndices(count: number): number[] {
  const taken = Math.min(count, SAMPLED);
  return Array.from({ length: taken }, (_, k) => Math.floor((k * count) / taken));
}

/** The fingerprint of each image whose pixels lie one after another in `pixels`, `imageSize` values each. */
export function imageFingerprints(pixels: Float32Array, imageSize: number): string[] {
  const count = Math.floor(pixels.length / imageSize);
  return Array.from({ length: count }, (_, i) => {
    const image = pixels.subarray(i * imageSize, (i + 1) * imageSize);
    return createHash('sha1')
      .update(new Uint8Array(image.buffer, image.byteOffset, image.byteLength))
      .digest('hex')
      .slice(0, 16);
  });
}

/** The fingerprints of the sampled images among `count`, `pick(indices)` giving their pixels one after another. */
export function sampledFingerprints(count: number, imageSize: number, pick: (indices: number[]) => Float32Array): string[] {
  return count > 0 ? imageFingerprints(pick(sampledIndices(count)), imageSize) : [];
}

/** Remembers what the training that produced `history` saw. */
export function noteTrainedOn(history: object, trainedOn: TrainedOn | undefined): void {
  if (trainedOn) trainings.set(history, trainedOn);
}

/** What the training that produced `history` saw, if noted. */
export function trainedOn(history: unknown): TrainedOn | undefined {
  return typeof history === 'object' && history !== null ? trainings.get(history) : undefined;
}

/** How a training went about it (its optimizer's name as tfjs or the library names it). */
export interface TrainingRecipe {
  optimizer: string;
  learningRate: number;
  batchSize: number;
}

const recipes = new WeakMap<object, TrainingRecipe>();

/** Remembers the recipe of the training that produced `history`. */
export function noteRecipe(history: object, recipe: TrainingRecipe | undefined): void {
  if (recipe) recipes.set(history, recipe);
}

/** The recipe of the training that produced `history`, if noted. */
export function recipeOf(history: unknown): TrainingRecipe | undefined {
  return typeof history === 'object' && history !== null ? recipes.get(history) : undefined;
}

const makers = new WeakMap<object, string>();

/** Remembers that `maker` (e.g. "lab.addGaussianNoise") made `value`; returns `value`. */
export function markMadeBy<T extends object>(value: T, maker: string): T {
  makers.set(value, maker);
  return value;
}

/** The library function that made `value`, if any. */
export function madeBy(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null ? makers.get(value) : undefined;
}

/** An autoencoder as far as its traces go: the whole model, its halves and their layers. */
interface ModelParts {
  model: object;
  encoder: { layers: object[] };
  decoder: { layers: object[] };
}

const partsOf = (model: ModelParts): object[] => [model, model.encoder, model.decoder, ...model.encoder.layers, ...model.decoder.layers];

/** Marks a model, its halves and its layers as made by `maker` (a model read back by the grader keeps its maker so). */
export function markModelMadeBy<T extends ModelParts>(model: T, maker: string): T {
  for (const part of partsOf(model)) markMadeBy(part, maker);
  return model;
}

/** The library builder that made a model or any of its parts (a student may reuse a reference's layers). */
export function modelMadeBy(model: ModelParts): string | undefined {
  return partsOf(model).map(madeBy).find(Boolean);
}

/** What a reference builder returns: its model, noted as a call and marked as made by it. */
export function builtByLibrary<T extends ModelParts>(builder: string, model: T): T {
  noteLibraryCall(builder);
  return markModelMadeBy(model, builder);
}

/** What a library function returns as images: noted as a call, the images and their pixels marked as made by it. */
export function imagesByLibrary(maker: string, images: ImageSet): ImageSet {
  noteLibraryCall(maker);
  markMadeBy(images.pixels, maker);
  return markMadeBy(images, maker);
}

let recording: string[] | undefined;

/** Called by the library functions a student's answer must not call in place of its own code. */
export function noteLibraryCall(name: string): void {
  recording?.push(name);
}

/** Runs `fn` and lists the noted library functions it called (each once). */
export function libraryCallsDuring<T>(fn: () => T): { result: T; calls: string[] } {
  const outer = recording;
  recording = [];
  try {
    const result = fn();
    return { result, calls: [...new Set(recording)] };
  } finally {
    recording = outer;
  }
}

/** A shown grid's row: its title and the images it showed. */
export interface GridImages {
  title: string;
  images: ImageSet;
}

const shownGrids: GridImages[][] = [];
const KEPT_GRIDS = 20;

/** Remembers a grid shown in the notebook (the last 20 are kept). */
export function noteShownGrid(rows: GridImages[]): void {
  shownGrids.push(rows);
  if (shownGrids.length > KEPT_GRIDS) shownGrids.shift();
}

/** The last grid shown, or none. */
export function lastImageGrid(): readonly GridImages[] {
  return shownGrids[shownGrids.length - 1] ?? [];
}

/** Les grilles d'images montrées jusqu'ici dans le carnet, la dernière en dernier (exportées pour la correction). */
export function shownImageGrids(): readonly (readonly GridImages[])[] {
  return shownGrids;
}

/** Whether this kernel runs a hand-in for the grader (TP5_GRADING=1, set by the grader's sandbox). */
export function gradedKernel(): boolean {
  return process.env.TP5_GRADING === '1';
}
