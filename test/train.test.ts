import * as tf from '@tensorflow/tfjs';
import {
  TrainingDivergedError,
  addGaussianNoise,
  autoencoder,
  buildConv,
  buildDense1,
  buildDense2,
  initBackend,
  reconstruct,
  trainAutoencoder,
} from '../lib';
import { blobImages } from './helpers/images';

beforeAll(async () => {
  await initBackend({ print: false });
});

const data = blobImages(512);

test('a short training run lowers the loss, with a validation split', async () => {
  const ae = buildDense2();
  const history = await trainAutoencoder(ae, { inputs: data }, { epochs: 4, batchSize: 64, validationSplit: 0.25, progress: 'none' });
  expect(history.loss).toHaveLength(4);
  expect(history.valLoss).toHaveLength(4);
  expect(history.loss[3]).toBeLessThan(history.loss[0] * 0.7);
  expect(history.valLoss[3]).toBeLessThan(history.valLoss[0]);
  expect(history.imagesPerSecond).toBeGreaterThan(0);
});

test('the convolutional model trains on (noisy input, clean target) pairs', async () => {
  const ae = buildConv();
  const noisy = addGaussianNoise(data, { variance: 0.05, seed: 3 });
  const history = await trainAutoencoder(ae, { inputs: noisy, targets: data }, { epochs: 3, batchSize: 64, progress: 'none' });
  expect(history.loss[2]).toBeLessThan(history.loss[0]);
  const out = await reconstruct(ae, noisy);
  expect(out.count).toBe(512);
});

test('training a model again is warned (a re-run cell goes on from the weights reached); a new model is not', async () => {
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    const ae = buildDense1();
    await trainAutoencoder(ae, { inputs: data }, { epochs: 2, progress: 'none' });
    expect(warn.mock.calls.filter(([text]) => /déjà été entraîné/.test(String(text)))).toHaveLength(0);
    await trainAutoencoder(ae, { inputs: data }, { epochs: 1, progress: 'none' });
    const again = warn.mock.calls.map(([text]) => String(text)).filter((text) => /déjà été entraîné/.test(text));
    expect(again).toEqual([
      expect.stringMatching(/^Attention : Dense n°1 .* a déjà été entraîné \(2 époques\) : .*reconstruisez le modèle/),
    ]);
    await trainAutoencoder(buildDense1(), { inputs: data }, { epochs: 1, progress: 'none' });
    expect(warn.mock.calls.filter(([text]) => /déjà été entraîné/.test(String(text)))).toHaveLength(1);
  } finally {
    warn.mockRestore();
  }
});

test('quick mode (TP5_QUICK=1) caps the epochs a student writes as a number at three', async () => {
  const before = process.env.TP5_QUICK;
  process.env.TP5_QUICK = '1';
  try {
    const history = await trainAutoencoder(buildDense1(), { inputs: blobImages(64) }, { epochs: 40, progress: 'none' });
    expect(history.loss).toHaveLength(3);
  } finally {
    if (before === undefined) delete process.env.TP5_QUICK;
    else process.env.TP5_QUICK = before;
  }
});

test('seeded: two runs from the same weights give the same losses', async () => {
  const run = async () => {
    const ae = buildDense1();
    ae.model.setWeights(ae.model.getWeights().map((w) => tf.onesLike(w).mul(0.01)));
    return (await trainAutoencoder(ae, { inputs: data }, { epochs: 2, seed: 5, progress: 'none' })).loss;
  };
  const [a, b] = [await run(), await run()];
  expect(a[1]).toBeCloseTo(b[1], 6);
});

test('no tensor leaks: the tensor count after several epochs equals the count after one', async () => {
  const ae = buildDense1({ activation: 'relu' });
  const counts: number[] = [];
  const before = tf.memory().numTensors;
  await trainAutoencoder(
    ae,
    { inputs: data },
    {
      epochs: 4,
      validationSplit: 0.2,
      progress: 'none',
      onEpochEnd: () => counts.push(tf.memory().numTensors),
    },
  );
  expect(counts).toHaveLength(4);
  expect(new Set(counts).size).toBe(1);
  expect(tf.memory().numTensors).toBe(before);
});

test('binary cross-entropy and early stopping', async () => {
  const ae = buildDense1();
  const history = await trainAutoencoder(
    ae,
    { inputs: data },
    {
      epochs: 50,
      loss: 'bce',
      learningRate: 0.05,
      validationSplit: 0.25,
      progress: 'none',
      earlyStopping: { patience: 2, minDelta: 1e-3 },
    },
  );
  expect(history.stoppedEarly).toBe(true);
  expect(history.loss.length).toBeLessThan(50);
  expect(history.bestEpoch).toBeLessThanOrEqual(history.loss.length - 2);
});

test('a loss that stops being finite stops training with a clear message and keeps finite weights', async () => {
  const ae = buildDense1();
  // Finite targets so large that their squared error overflows float32.
  const huge = { ...data, pixels: data.pixels.slice().fill(1e30, 1000, 1100) };
  await expect(trainAutoencoder(ae, { inputs: data, targets: huge }, { epochs: 3, progress: 'none' })).rejects.toThrow(
    /la perte est devenue (Infinity|NaN) pendant l'époque 1 ; l'entraînement s'arrête et garde les poids/,
  );
  const weights = ae.model.getWeights();
  expect(weights.every((w) => w.dataSync().every(Number.isFinite))).toBe(true);
  await expect(trainAutoencoder(ae, { inputs: data, targets: huge }, { epochs: 1, progress: 'none' })).rejects.toBeInstanceOf(
    TrainingDivergedError,
  );
});

test('bad options name the option and what is allowed', async () => {
  const ae = buildDense1();
  await expect(trainAutoencoder(ae, { inputs: data }, { epochs: 0 })).rejects.toThrow(/epochs doit être un entier positif, reçu 0/);
  await expect(trainAutoencoder(ae, { inputs: data }, { loss: 'l1' as never })).rejects.toThrow(
    /loss doit être l’une des valeurs 'mse', 'bce'/,
  );
  await expect(trainAutoencoder(ae, { inputs: data }, { validationSplit: 1 })).rejects.toThrow(
    /validationSplit doit être un nombre dans \[0, 0.9\]/,
  );
  await expect(trainAutoencoder(ae, { inputs: data, targets: blobImages(10) }, {})).rejects.toThrow(/512 entrées mais 10 cibles/);
  await expect(trainAutoencoder(ae, { inputs: { ...data, height: 14, width: 56 } }, {})).rejects.toThrow(
    /images 14×56, mais .* attend 28×28/,
  );
  // The TP's table read literally: a last layer with 16 channels does not give back an image.
  const literal = buildConv();
  const decoder = tf.sequential({
    layers: [
      ...literal.decoder.layers.slice(0, -1),
      tf.layers.conv2dTranspose({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'sigmoid' }),
    ],
  });
  const wrong = autoencoder({ encoder: literal.encoder, decoder, name: 'literal' });
  await expect(trainAutoencoder(wrong, { inputs: data }, {})).rejects.toThrow(
    /literal sort 28×28×16 par image ; un auto-encodeur d’images 28×28 doit sortir 28×28×1/,
  );
});

test.each([1, 2])(
  'an AbortSignal stops a training on %i thread(s) at the next step: finished epochs returned, no tensor left behind',
  async (threads) => {
    const ae = buildConv({ codeSize: 8 });
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    // Aborted at a point the test controls (the end of the second epoch), whatever the machine's speed.
    const history = await trainAutoencoder(
      ae,
      { inputs: data },
      {
        epochs: 50,
        threads,
        signal: controller.signal,
        progress: 'none',
        onEpochEnd: (epoch) => {
          if (epoch === 2) controller.abort();
        },
      },
    );
    expect(history.interrupted).toBe(true);
    expect(history.loss).toHaveLength(2);
    expect(history.loss.every(Number.isFinite)).toBe(true);
    expect(history.threads).toBe(threads);
    expect(tf.memory().numTensors).toBe(before);
    // The model still works, with the weights of its last step.
    const output = tf.tidy(() => (ae.model.predict(tf.zeros([1, 28, 28, 1])) as tf.Tensor).dataSync());
    expect(output.every(Number.isFinite)).toBe(true);
  },
);

test('a signal already aborted trains no step and leaves the weights as they were', async () => {
  const ae = buildDense1();
  const weights = ae.model.getWeights().map((w) => w.dataSync().slice());
  const history = await trainAutoencoder(ae, { inputs: data }, { epochs: 5, signal: AbortSignal.abort(), progress: 'none' });
  expect(history.interrupted).toBe(true);
  expect(history.loss).toHaveLength(0);
  ae.model.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(weights[i])));
});

describe('inputs that would train silently on nonsense are refused or told', () => {
  test('an ImageSet whose count exceeds its pixels', async () => {
    const ae = buildDense1();
    await expect(trainAutoencoder(ae, { inputs: { ...data, count: 600 } }, { progress: 'none' })).rejects.toThrow(
      /entraînement \(inputs\) : 600 images de 28×28 annoncées, mais seulement 401408 pixels/,
    );
  });

  test('a NaN in the validation images, before any work', async () => {
    const ae = buildDense1();
    const validation = blobImages(16);
    validation.pixels[3 * 784 + 5] = NaN;
    const before = tf.memory().numTensors;
    await expect(trainAutoencoder(ae, { inputs: data }, { validation: { inputs: validation }, progress: 'none' })).rejects.toThrow(
      "validation (inputs) : valeur NaN à l'image 3, pixel 5 ; les images doivent être des nombres finis",
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  test('a seed of the wrong type, before any thread or tensor is made', async () => {
    const ae = buildConv({ codeSize: 8 });
    const before = tf.memory().numTensors;
    await expect(trainAutoencoder(ae, { inputs: data }, { seed: 'abc' as never, threads: 2, progress: 'none' })).rejects.toThrow(
      'seed doit être un entier, reçu "abc"',
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  test('a learning rate that sends the model to one constant image: warned before and after', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const ae = buildDense1({ activation: 'relu' });
      await trainAutoencoder(ae, { inputs: data }, { epochs: 3, learningRate: 10, progress: 'none' });
      const messages = warn.mock.calls.map((call) => String(call[0]));
      expect(messages[0]).toContain('learningRate = 10 est très grand pour Adam');
      expect(messages.some((m) => m.includes("rend la même image quelle que soit l'entrée"))).toBe(true);
    } finally {
      warn.mockRestore();
    }
  });

  test('a normal training is not warned', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      await trainAutoencoder(buildDense1({ activation: 'relu' }), { inputs: data }, { epochs: 2, progress: 'none' });
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});

describe('the training says which path computed its steps, and why not a faster one', () => {
  const native = () => tf.getBackend() === 'tensorflow';
  /** Runs `train` with console.log captured; returns its result and the last line it logged. */
  async function withLastLine<T>(train: () => Promise<T>): Promise<[T, string]> {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const result = await train();
      return [result, String(log.mock.calls[log.mock.calls.length - 1]?.[0] ?? '')];
    } finally {
      log.mockRestore();
    }
  }

  test('the TP models take the native path on native TensorFlow, and the final line says so', async () => {
    const [history, line] = await withLastLine(() =>
      trainAutoencoder(buildConv(), { inputs: data }, { epochs: 1, batchSize: 64, progress: 'terminal' }),
    );
    expect(history.path).toBe(native() ? 'native' : 'fused');
    if (native()) {
      expect(history.pathReason).toBeUndefined();
      expect(line).toMatch(/ ; chemin natif\.$/);
    }
  });

  test('an activation without a native form: the fused path, with the reason', async () => {
    const [history, line] = await withLastLine(() =>
      trainAutoencoder(buildDense1({ activation: 'selu' }), { inputs: data }, { epochs: 1, progress: 'terminal' }),
    );
    expect(history.path).toBe('fused');
    if (native()) {
      expect(history.pathReason).toBe("l'activation selu n'a pas de version native");
      expect(line).toContain("chemin rapide (opérations fusionnées) (l'activation selu n'a pas de version native).");
    }
  });

  test('a layer no fast path knows: the reference path, with the reason', async () => {
    const ae = buildDense1();
    (ae.encoder as tf.Sequential).add(tf.layers.dropout({ rate: 0.1 }));
    const history = await trainAutoencoder(
      autoencoder({ encoder: ae.encoder, decoder: ae.decoder }),
      { inputs: data },
      { epochs: 1, progress: 'none' },
    );
    expect(history.path).toBe('reference');
    expect(history.pathReason).toBe("la couche Dropout n'a pas de version rapide");
  });

  test('reference: true forces the reference path, on one thread, and lowers the loss as the fast path does', async () => {
    const [a, b] = [buildConv(), buildConv()];
    b.model.setWeights(a.model.getWeights());
    const options = { epochs: 2, batchSize: 64, seed: 3, progress: 'none' as const };
    const fast = await trainAutoencoder(a, { inputs: data }, { ...options, threads: 1 });
    const reference = await trainAutoencoder(b, { inputs: data }, { ...options, reference: true });
    expect(reference.path).toBe('reference');
    expect(reference.threads).toBe(1);
    expect(reference.pathReason).toBe('demandé par reference: true');
    expect(reference.loss[1]).toBeLessThan(reference.loss[0]);
    // The same steps up to rounding: the losses agree closely.
    reference.loss.forEach((loss, i) => expect(Math.abs(loss - fast.loss[i]) / fast.loss[i]).toBeLessThan(0.02));
    await expect(trainAutoencoder(buildConv(), { inputs: data }, { reference: true, threads: 2 })).rejects.toThrow(
      /threads: 2 ne va pas avec reference: true/,
    );
  });
});
