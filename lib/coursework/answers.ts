import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import path from 'node:path';
import { ImageSet } from '../data/images';
import { autoencoder } from '../models/autoencoder';
import {
  SAMPLED,
  TrainedOn,
  TrainingRecipe,
  markModelMadeBy,
  modelMadeBy,
  noteRecipe,
  noteTrainedOn,
  recipeOf,
  trainedOn,
} from '../util/traces';
import { compiledLoss } from './checks/training';
import { isAutoencoder } from './checks/values';

/**
 * A notebook's answers as data: what each question is graded on leaves the student's kernel as
 * files (models as topology and weights, tensors as float32, the rest as JSON), and the grader reads
 * them back in another process, where no code of the hand-in runs.
 *
 * Each value is written to NAME.json, with its tensors and weights beside it as NAME.N.bin.
 */

type Encoded =
  | { kind: 'missing' }
  | { kind: 'json'; value: unknown }
  | { kind: 'tensor'; shape: number[]; file: string }
  | { kind: 'images'; count: number; height: number; width: number; file: string }
  | {
      kind: 'model';
      name: string;
      encoder: unknown;
      decoder: unknown;
      encoderWeights: { shape: number[]; file: string }[];
      decoderWeights: { shape: number[]; file: string }[];
      /** The reference builder that made the model or one of its parts (lab.buildDense1…), if one did. */
      madeBy?: string;
    }
  | { kind: 'history'; loss: unknown; valLoss: unknown; compiledLoss?: string; trainedOn?: TrainedOn; recipe?: TrainingRecipe }
  | { kind: 'array'; items: Encoded[] }
  /** `trainedOn`, `recipe`: a library training's history (a plain object) with what that training saw, and how. */
  | { kind: 'object'; entries: Record<string, Encoded>; trainedOn?: TrainedOn; recipe?: TrainingRecipe };

/** Bounds that keep a hostile hand-in from filling the grader's disk or memory. */
const MAX_DEPTH = 6;
const MAX_ITEMS = 1000;
const MAX_BYTES = 400 * 1024 * 1024;

function isImageSet(value: object): value is ImageSet {
  const v = value as Partial<ImageSet>;
  return v.pixels instanceof Float32Array && Number.isInteger(v.count) && Number.isInteger(v.height) && Number.isInteger(v.width);
}

class Writer {
  private files = 0;

  constructor(
    private readonly dir: string,
    private readonly name: string,
  ) {}

  private binary(values: Float32Array): string {
    const file = `${this.name}.${this.files++}.bin`;
    fs.writeFileSync(path.join(this.dir, file), Buffer.from(values.buffer, values.byteOffset, values.byteLength));
    return file;
  }

  encode(value: unknown, depth = 0): Encoded {
    if (value === undefined || value === null) return { kind: 'missing' };
    if (typeof value !== 'object') return { kind: 'json', value };
    if (depth > MAX_DEPTH) throw new Error('valeur trop imbriquée');
    if (value instanceof tf.Tensor) return { kind: 'tensor', shape: value.shape, file: this.binary(Float32Array.from(value.dataSync())) };
    if (value instanceof tf.History)
      return {
        kind: 'history',
        loss: value.history.loss,
        valLoss: value.history.val_loss ?? [],
        compiledLoss: compiledLoss(value),
        trainedOn: trainedOn(value),
        recipe: recipeOf(value),
      };
    if (isAutoencoder(value)) {
      const weights = (part: tf.LayersModel) =>
        part.getWeights().map((w) => ({ shape: w.shape, file: this.binary(w.dataSync() as Float32Array) }));
      return {
        kind: 'model',
        name: String(value.name),
        encoder: value.encoder.toJSON(null, false),
        decoder: value.decoder.toJSON(null, false),
        encoderWeights: weights(value.encoder),
        decoderWeights: weights(value.decoder),
        madeBy: modelMadeBy(value),
      };
    }
    if (isImageSet(value)) {
      const size = value.count * value.height * value.width;
      return {
        kind: 'images',
        count: value.count,
        height: value.height,
        width: value.width,
        file: this.binary(value.pixels.subarray(0, size)),
      };
    }
    if (Array.isArray(value)) return { kind: 'array', items: value.slice(0, MAX_ITEMS).map((item) => this.encode(item, depth + 1)) };
    const entries: Record<string, Encoded> = {};
    for (const key of Object.keys(value).slice(0, MAX_ITEMS))
      entries[key] = this.encode((value as Record<string, unknown>)[key], depth + 1);
    return { kind: 'object', entries, trainedOn: trainedOn(value), recipe: recipeOf(value) };
  }
}

/** Writes one graded value (in the student's kernel, from a cell the grader adds). */
export function exportAnswer(dir: string, name: string, value: unknown): void {
  if (!/^[A-Za-z][\w.]*$/.test(name)) throw new Error(`nom de réponse invalide : ${name}`);
  fs.mkdirSync(dir, { recursive: true });
  const encoded = new Writer(dir, name).encode(value);
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(encoded));
}

class Reader {
  private bytes = 0;

  constructor(private readonly dir: string) {}

  private floats(file: string, count: number): Float32Array {
    if (typeof file !== 'string' || path.basename(file) !== file) throw new Error(`fichier de réponse invalide : ${String(file)}`);
    const buffer = fs.readFileSync(path.join(this.dir, file));
    this.bytes += buffer.length;
    if (this.bytes > MAX_BYTES) throw new Error('réponses trop volumineuses');
    if (buffer.length !== 4 * count) throw new Error(`${file} : ${buffer.length} octets pour ${count} valeurs`);
    return new Float32Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.length));
  }

  private static size(shape: unknown): number {
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) throw new Error('forme invalide');
    return shape.reduce((a: number, b: number) => a * b, 1);
  }

  private async part(topology: unknown, weights: { shape: number[]; file: string }[]): Promise<tf.LayersModel> {
    const model = await tf.models.modelFromJSON(topology as tf.io.ModelJSON['modelTopology'] as tf.serialization.ConfigDict);
    model.setWeights(weights.map((w) => tf.tensor(this.floats(w.file, Reader.size(w.shape)), w.shape)));
    return model;
  }

  async decode(encoded: Encoded): Promise<unknown> {
    switch (encoded.kind) {
      case 'missing':
        return undefined;
      case 'json':
        return encoded.value;
      case 'tensor':
        return tf.tensor(this.floats(encoded.file, Reader.size(encoded.shape)), encoded.shape);
      case 'history':
        return withTraces(
          {
            history: { loss: encoded.loss, val_loss: encoded.valLoss },
            compiledLoss: typeof encoded.compiledLoss === 'string' ? encoded.compiledLoss.slice(0, 80) : undefined,
          },
          encoded,
        );
      case 'images': {
        const { count, height, width } = encoded;
        return { pixels: this.floats(encoded.file, Reader.size([count, height, width])), count, height, width };
      }
      case 'model': {
        const encoder = await this.part(encoded.encoder, encoded.encoderWeights);
        const decoder = await this.part(encoded.decoder, encoded.decoderWeights);
        const model = autoencoder({ encoder, decoder, name: String(encoded.name) });
        // The judge's checks tell a reference builder's model as the kernel's did.
        return typeof encoded.madeBy === 'string' ? markModelMadeBy(model, encoded.madeBy.slice(0, 40)) : model;
      }
      case 'array':
        return Promise.all(encoded.items.map((item) => this.decode(item)));
      case 'object': {
        const value: Record<string, unknown> = {};
        for (const [key, item] of Object.entries(encoded.entries)) value[key] = await this.decode(item);
        return withTraces(value, encoded);
      }
      default:
        throw new Error('réponse d’un type inconnu');
    }
  }
}

/** A history read back, with what its training saw and its recipe noted again where the export holds well-formed ones. */
function withTraces<T extends object>(history: T, exported: { trainedOn?: unknown; recipe?: unknown }): T {
  const account = exported.trainedOn as Partial<TrainedOn> | undefined;
  const fingerprints = (list: unknown) =>
    Array.isArray(list) && list.length <= SAMPLED && list.every((f) => typeof f === 'string' && /^[0-9a-f]{16}$/.test(f));
  if (account && Number.isInteger(account.count) && fingerprints(account.inputs) && fingerprints(account.targets))
    noteTrainedOn(history, { count: account.count!, inputs: account.inputs!, targets: account.targets! });
  const recipe = exported.recipe as Partial<TrainingRecipe> | undefined;
  const positive = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n > 0;
  if (recipe && typeof recipe.optimizer === 'string' && positive(recipe.learningRate) && positive(recipe.batchSize))
    noteRecipe(history, { optimizer: recipe.optimizer.slice(0, 40), learningRate: recipe.learningRate!, batchSize: recipe.batchSize! });
  return history;
}

/**
 * Reads one value back (in the grader's process). A value that is absent or cannot be read (a
 * layer of a class only the hand-in defined, a damaged file) comes back as an error to report.
 */
export async function importAnswer(dir: string, name: string): Promise<{ value?: unknown; error?: string }> {
  const file = path.join(dir, `${name}.json`);
  if (!fs.existsSync(file)) return { error: `${name} n'a pas été exporté (une cellule a-t-elle échoué avant ?)` };
  try {
    return { value: await new Reader(dir).decode(JSON.parse(fs.readFileSync(file, 'utf8')) as Encoded) };
  } catch (error) {
    return { error: `${name} illisible : ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
}
