import * as tf from '@tensorflow/tfjs';
import { buildConv, buildDense1, buildDense2, buildFullResolutionDenoiser, initBackend } from '../lib';

beforeAll(async () => {
  await initBackend({ print: false });
});

/** [class name, output shape without batch, parameter count] of every layer, encoder then decoder. */
function layerSummary(model: tf.LayersModel): [string, number[], number][] {
  return model.layers.map((l) => [l.getClassName(), (l.outputShape as number[]).slice(1), l.countParams()]);
}

describe('Dense n°1', () => {
  test.each(['none', 'relu'] as const)('K = 64, activation %s: 50,240 + 50,960 = 101,200 parameters', (activation) => {
    const ae = buildDense1({ codeSize: 64, activation });
    expect(layerSummary(ae.encoder)).toEqual([
      ['Flatten', [784], 0],
      ['Dense', [64], 50240],
    ]);
    expect(layerSummary(ae.decoder)).toEqual([
      ['Dense', [784], 50960],
      ['Reshape', [28, 28, 1], 0],
    ]);
    expect(ae.model.countParams()).toBe(101200);
    expect(ae.codeShape).toEqual([64]);
    expect(ae.encoder.layers[1].getConfig().activation).toBe(activation === 'none' ? 'linear' : 'relu');
    expect(ae.decoder.layers[0].getConfig().activation).toBe('sigmoid');
  });

  test('parameter count follows K and the image shape: (MN + 1)K + (K + 1)MN', () => {
    const ae = buildDense1({ codeSize: 10, imageShape: [20, 24] });
    expect(ae.model.countParams()).toBe((480 + 1) * 10 + (10 + 1) * 480);
    expect(ae.model.outputs[0].shape).toEqual([null, 20, 24, 1]);
  });
});

describe('Dense n°2', () => {
  test('K = 64, relu: 218,192 parameters, layer by layer', () => {
    const ae = buildDense2({ codeSize: 64, activation: 'relu' });
    expect(layerSummary(ae.encoder)).toEqual([
      ['Flatten', [784], 0],
      ['Dense', [128], 100480],
      ['Activation', [128], 0],
      ['Dense', [64], 8256],
    ]);
    expect(layerSummary(ae.decoder)).toEqual([
      ['Activation', [64], 0],
      ['Dense', [128], 8320],
      ['Activation', [128], 0],
      ['Dense', [784], 101136],
      ['Activation', [784], 0],
      ['Reshape', [28, 28, 1], 0],
    ]);
    expect(ae.model.countParams()).toBe(218192);
  });
});

describe('convolutional autoencoder', () => {
  test('output shapes 14×14×16, 7×7×32, 1×1×64, 7×7×32, 14×14×16, 28×28×1 and 210,369 parameters', () => {
    const ae = buildConv();
    expect(layerSummary(ae.encoder)).toEqual([
      ['Conv2D', [14, 14, 16], 160],
      ['Conv2D', [7, 7, 32], 4640],
      ['Conv2D', [1, 1, 64], 100416],
    ]);
    expect(layerSummary(ae.decoder)).toEqual([
      ['Conv2DTranspose', [7, 7, 32], 100384],
      ['Conv2DTranspose', [14, 14, 16], 4624],
      ['Conv2DTranspose', [28, 28, 1], 145],
    ]);
    expect(ae.model.countParams()).toBe(210369);
    expect(ae.codeShape).toEqual([1, 1, 64]);
    // The code layer has no activation; the last layer gives one channel through a sigmoid.
    expect(ae.encoder.layers[2].getConfig().activation).toBe('linear');
    expect(ae.decoder.layers[2].getConfig().activation).toBe('sigmoid');
  });

  test('other image sizes that are multiples of 4 map back to themselves', () => {
    const ae = buildConv({ imageShape: [32, 16] });
    expect(ae.model.outputs[0].shape).toEqual([null, 32, 16, 1]);
    expect(ae.codeShape).toEqual([1, 1, 64]);
  });
});

describe('every model maps a batch of images to images of the same shape, in [0, 1]', () => {
  test.each([
    ['dense1', buildDense1],
    ['dense2', buildDense2],
    ['conv', buildConv],
  ] as const)('%s', (_, build) => {
    const ae = build({});
    const out = tf.tidy(() => ae.model.predict(tf.randomUniform([3, 28, 28, 1])) as tf.Tensor);
    expect(out.shape).toEqual([3, 28, 28, 1]);
    const values = out.dataSync();
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThanOrEqual(1);
    const code = tf.tidy(() => ae.encoder.predict(tf.zeros([2, 28, 28, 1])) as tf.Tensor);
    expect(code.shape).toEqual([2, ...ae.codeShape]);
    const decoded = tf.tidy(() => ae.decoder.predict(code) as tf.Tensor);
    expect(decoded.shape).toEqual([2, 28, 28, 1]);
    tf.dispose([out, code, decoded]);
  });
});

describe('bad arguments name the argument and what is allowed', () => {
  test.each([
    [() => buildDense1({ codeSize: 0 }), /codeSize \(K\) doit être un entier de 1 à 100\u202f000, reçu 0/],
    [() => buildDense2({ codeSize: 12.5 }), /codeSize \(K\) doit être un entier de 1 à 100\u202f000, reçu 12.5/],
    [() => buildDense2({ codeSize: NaN }), /codeSize \(K\) doit être un entier de 1 à 100\u202f000, reçu NaN/],
    [() => buildDense1({ codeSize: 1e9 }), /codeSize \(K\) doit être un entier de 1 à 100\u202f000, reçu 1000000000/],
    [() => buildDense1(null as never), /les options d'un modèle sont un objet \{ imageShape, codeSize, activation, name \}, reçu null/],
    [() => buildConv({ imageShape: [4096, 4096] }), /imageShape\[0\] \(M\) doit être un entier de 1 à 1\u202f024, reçu 4096/],
    [() => buildDense1({ activation: 'rleu' as never }), /activation doit être l’une des valeurs 'none', 'relu'.*reçu "rleu"/],
    [
      () => buildConv({ imageShape: [30, 30] }),
      /imageShape \[30, 30\] : l'auto-encodeur convolutif ne rend pas une image de cette taille ; M et N doivent être des multiples de 4/,
    ],
    [() => buildDense2({ imageShape: [28] as never }), /imageShape doit être \[M, N\]/],
    [() => buildConv({ imageShape: [-4, 28] }), /imageShape\[0\] \(M\) doit être un entier de 1 à 1\u202f024, reçu -4/],
  ])('%#', (build, message) => {
    expect(build).toThrow(message);
  });
});

describe('full-resolution denoiser (beyond the TP)', () => {
  test('defaults: 7 convolutions of 32 channels at 28×28, 320 + 5 × 9,248 + 289 = 46,849 parameters', () => {
    const ae = buildFullResolutionDenoiser();
    expect(layerSummary(ae.encoder)).toEqual([
      ['Conv2D', [28, 28, 32], 320],
      ...Array.from({ length: 5 }, () => ['Conv2D', [28, 28, 32], 9248]),
    ]);
    expect(layerSummary(ae.decoder)).toEqual([['Conv2D', [28, 28, 1], 289]]);
    expect(ae.model.countParams()).toBe(46849);
    // No bottleneck: the code is larger than the image.
    expect(ae.codeShape).toEqual([28, 28, 32]);
    expect(ae.encoder.layers.every((l) => l.getConfig().activation === 'tanh')).toBe(true);
    expect(ae.decoder.layers[0].getConfig().activation).toBe('sigmoid');
    const out = tf.tidy(() => (ae.model.predict(tf.zeros([2, 28, 28, 1])) as tf.Tensor).shape);
    expect(out).toEqual([2, 28, 28, 1]);
  });

  test('depth and filters follow the options, on any image size', () => {
    const ae = buildFullResolutionDenoiser({ filters: 8, depth: 3, imageShape: [20, 24] });
    expect(ae.model.countParams()).toBe(9 * 8 + 8 + (9 * 8 * 8 + 8) + (9 * 8 + 1));
    expect(ae.model.outputs[0].shape).toEqual([null, 20, 24, 1]);
  });

  test.each([
    [{ depth: 1 }, /depth doit valoir au moins 2/],
    [{ filters: 0 }, /filters doit être un entier de 1 à 512, reçu 0/],
    [{ depth: 2.5 }, /depth doit être un entier de 1 à 64, reçu 2.5/],
    [{ imageShape: [28] }, /imageShape doit être \[M, N\]/],
  ])('bad option %j is named', (options, message) => {
    expect(() => buildFullResolutionDenoiser(options as never)).toThrow(message);
  });
});
