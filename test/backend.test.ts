import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib';
import { BackendCandidate, chooseBackend, defaultCandidates, inBrowser } from '../lib/backend';
import { copyInto } from '../lib/speed/copy-data';

const failing = (name: BackendCandidate['name'], reason: string): BackendCandidate => ({
  name,
  activate: async () => {
    throw new Error(reason);
  },
});
const working = (name: BackendCandidate['name']): BackendCandidate => ({ name, activate: async () => undefined });

test('falls back in order and says why, in one line', async () => {
  const report = await chooseBackend([failing('tensorflow', 'addon missing'), failing('wasm', 'no wasm file'), working('cpu')]);
  expect(report.name).toBe('cpu');
  expect(report.message).toBe(
    'Moteur de calcul : cpu (JavaScript pur (tfjs-backend-cpu), environ 100 fois plus lent que TensorFlow natif), ' +
      'car tensorflow a échoué : addon missing ; wasm a échoué : no wasm file',
  );
  expect(report.message).not.toContain('\n');
  expect(report.skipped.map((s) => s.name)).toEqual(['tensorflow', 'wasm']);
});

test('the native backend, when it works, is chosen with no excuse', async () => {
  const report = await chooseBackend([working('tensorflow'), working('wasm')]);
  expect(report.message).toBe('Moteur de calcul : tensorflow (TensorFlow natif, par tfjs-node)');
});

test('a preferred backend skips the faster ones; nothing working is an error', async () => {
  const report = await chooseBackend([working('tensorflow'), working('wasm')], 'wasm');
  expect(report.name).toBe('wasm');
  expect(report.message).toContain('(demandé : wasm)');
  await expect(chooseBackend([failing('tensorflow', 'x'), failing('cpu', 'y')])).rejects.toThrow(
    /no tfjs backend could start: tensorflow: x; cpu: y/,
  );
});

test('in Node.js: native TensorFlow, WASM, CPU; the browser candidate (WebGL) is told whether it was asked for', async () => {
  expect(inBrowser()).toBe(false);
  expect(defaultCandidates().map((c) => c.name)).toEqual(['tensorflow', 'wasm', 'cpu']);
  const asked: [string, boolean][] = [];
  const noting = (name: BackendCandidate['name'], works: boolean): BackendCandidate => ({
    name,
    activate: async (wasAsked) => {
      asked.push([name, wasAsked]);
      if (!works) throw new Error('no');
    },
  });
  await chooseBackend([noting('webgl', false), noting('wasm', true)]);
  await chooseBackend([noting('webgl', true), noting('wasm', true)], 'webgl');
  expect(asked).toEqual([
    ['webgl', false],
    ['wasm', false],
    ['webgl', true],
  ]);
});

test('the backend of this machine (TP5_EXPECT_BACKEND names the one it must be)', async () => {
  const report = await initBackend({ print: false });
  console.log(report.message);
  expect(['tensorflow', 'wasm', 'cpu']).toContain(report.name);
  if (process.env.TP5_EXPECT_BACKEND) expect(report.name).toBe(process.env.TP5_EXPECT_BACKEND);
});

test("copyInto puts a tensor's values into a view of shared memory, and wants the view's size and float32", async () => {
  await initBackend({ print: false });
  const shared = new Float32Array(new SharedArrayBuffer(4 * 12));
  // A computed tensor lives in the backend (on native TensorFlow, read straight from its buffer);
  // one made from JavaScript values may still be held by JavaScript.
  const computed = tf.tidy(() => tf.add(tf.reshape(tf.range(0, 6), [2, 3]), 0.5));
  copyInto(computed, shared.subarray(2, 8));
  copyInto(tf.tensor1d([-1, -2]), shared.subarray(9, 11));
  expect(Array.from(shared)).toEqual([0, 0, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 0, -1, -2, 0]);
  expect(() => copyInto(computed, shared.subarray(0, 5))).toThrow(
    'copyInto: a float32 tensor of 5 values is needed, got float32 values, 6 of them',
  );
  expect(() => copyInto(tf.tensor1d([1, 2], 'int32'), shared.subarray(0, 2))).toThrow('got int32 values, 2 of them');
  if (process.env.TP5_EXPECT_BACKEND === 'tensorflow') {
    // The setup's addon has the direct copy (scripts/package-patches.mjs).
    const backend = tf.backend() as unknown as { binding: { copyTensorData?: unknown } };
    expect(typeof backend.binding.copyTensorData).toBe('function');
  }
});
