import { BackendCandidate, chooseBackend, initBackend } from '../lib';

const failing = (name: BackendCandidate['name'], reason: string): BackendCandidate => ({
  name, activate: async () => { throw new Error(reason); },
});
const working = (name: BackendCandidate['name']): BackendCandidate => ({ name, activate: async () => undefined });

test('falls back in order and says why, in one line', async () => {
  const report = await chooseBackend([failing('tensorflow', 'addon missing'), failing('wasm', 'no wasm file'), working('cpu')]);
  expect(report.name).toBe('cpu');
  expect(report.message).toBe('Backend: cpu (pure JavaScript (tfjs-backend-cpu), about 100 times slower than native TensorFlow) ' +
    'because tensorflow failed: addon missing; wasm failed: no wasm file');
  expect(report.message).not.toContain('\n');
  expect(report.skipped.map((s) => s.name)).toEqual(['tensorflow', 'wasm']);
});

test('the native backend, when it works, is chosen with no excuse', async () => {
  const report = await chooseBackend([working('tensorflow'), working('wasm')]);
  expect(report.message).toBe('Backend: tensorflow (native TensorFlow through tfjs-node)');
});

test('a preferred backend skips the faster ones; nothing working is an error', async () => {
  const report = await chooseBackend([working('tensorflow'), working('wasm')], 'wasm');
  expect(report.name).toBe('wasm');
  expect(report.message).toContain('(asked for: wasm)');
  await expect(chooseBackend([failing('tensorflow', 'x'), failing('cpu', 'y')])).rejects.toThrow(/no tfjs backend could start: tensorflow: x; cpu: y/);
});

test('the backend of this machine (TP5_EXPECT_BACKEND names the one it must be)', async () => {
  const report = await initBackend({ print: false });
  console.log(report.message);
  expect(['tensorflow', 'wasm', 'cpu']).toContain(report.name);
  if (process.env.TP5_EXPECT_BACKEND) expect(report.name).toBe(process.env.TP5_EXPECT_BACKEND);
});
