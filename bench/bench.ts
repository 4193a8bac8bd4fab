/**
 * npm run bench [-- --json FILE] [--parity [EPOCHS] [--runs N]] [--backends tensorflow,wasm,cpu] [--batches 128,256]
 *
 * Trains and runs the TP's models on each tfjs backend and on PyTorch (bench/torch_reference.py,
 * in the project's .venv), on the same data and in the same run, and prints images per second
 * with the ratio to PyTorch, peak memory, and the time the conv model takes to reach a test MSE.
 * --parity trains each model N times (default 5) with the same recipe on both sides and compares
 * the mean test MSE.
 * --machinery measures what each piece of lib/speed earns end to end: native TensorFlow, the conv
 * model and Dense n°2, images per second with everything on, then with each piece switched off
 * (TP5_SPEED_OFF, see lib/util/speed-switches.ts), each setting in its own process, side by side.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { addGaussianNoise, firstImages, loadDataset } from '../lib';
import { SPEED_PIECES } from '../lib/util/speed-switches';
import { ACTIVATION_MODELS, BENCH_MODELS, BenchModel, SpeedResult, WorkerReport, WorkerRequest, writeImages } from './common';

const root = path.resolve(__dirname, '..', '..');
const python = path.join(root, '.venv', 'bin', 'python');
const dataDir = path.join(root, 'build', 'bench', 'data');
const TORCH = 'torch==2.13.0';
/** Test MSE the conv model must reach in the time-to-quality measure. */
const MSE_TARGET = 0.012;

interface Options {
  json?: string;
  machinery: boolean;
  parityEpochs: number;
  parityRuns: number;
  backends: WorkerRequest['backend'][];
  batches: number[];
}

function parseArgs(args: string[]): Options {
  const options: Options = {
    machinery: false,
    parityEpochs: 0,
    parityRuns: 5,
    backends: ['tensorflow', 'wasm', 'cpu'],
    batches: [128, 256],
  };
  for (let i = 0; i < args.length; i++) {
    const next = () => {
      if (i + 1 >= args.length) throw new Error(`${args[i]} needs a value`);
      return args[++i];
    };
    switch (args[i]) {
      case '--json':
        options.json = next();
        break;
      case '--parity':
        options.parityEpochs = /^\d+$/.test(args[i + 1] ?? '') ? Number(next()) : 5;
        break;
      case '--runs':
        options.parityRuns = Number(next());
        break;
      case '--backends':
        options.backends = next().split(',') as Options['backends'];
        break;
      case '--batches':
        options.batches = next().split(',').map(Number);
        break;
      case '--machinery':
        options.machinery = true;
        break;
      default:
        throw new Error(
          `unknown option ${args[i]}; allowed: --json FILE, --parity [EPOCHS], --runs N, --backends LIST, --batches LIST, --machinery`,
        );
    }
  }
  for (const backend of options.backends) {
    if (!['tensorflow', 'wasm', 'cpu'].includes(backend)) throw new Error(`--backends: "${backend}" is not one of tensorflow, wasm, cpu`);
  }
  if (!Number.isInteger(options.parityRuns) || options.parityRuns < 1) throw new Error('--runs: a positive integer, e.g. 5');
  if (options.batches.some((b) => !Number.isInteger(b) || b <= 0)) throw new Error('--batches: positive integers, e.g. 128,256');
  return options;
}

function ensureTorch(): void {
  if (spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) return;
  console.log(`[bench] installing ${TORCH} into .venv for the PyTorch reference`);
  const install = spawnSync(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', TORCH], { stdio: 'inherit' });
  if (install.status !== 0) throw new Error(`pip could not install ${TORCH}`);
}

async function writeData(): Promise<void> {
  const data = await loadDataset({});
  const train = firstImages(data.train, 10000);
  const test = firstImages(data.test, 2000);
  writeImages(dataDir, 'train', train);
  writeImages(dataDir, 'test', test);
  writeImages(dataDir, 'noisy-train', addGaussianNoise(train, { std: 0.5, seed: 1 }));
  writeImages(dataDir, 'noisy-test', addGaussianNoise(test, { std: 0.5, seed: 2 }));
}

function runJson<T>(command: string, args: string[], what: string, env: NodeJS.ProcessEnv = process.env): T {
  const started = Date.now();
  const result = spawnSync(command, args, {
    cwd: root,
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`${what} failed (exit ${result.status})`);
  console.log(`[bench] ${what}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return JSON.parse(result.stdout.trim().split('\n').pop() as string);
}

function worker(request: WorkerRequest, speedOff = ''): WorkerReport {
  const what = `tfjs ${request.backend}${speedOff ? ` without ${speedOff}` : ''}`;
  return runJson<WorkerReport>('node', [path.join(__dirname, 'worker.js'), JSON.stringify(request)], what, {
    ...process.env,
    TP5_SPEED_OFF: speedOff,
  });
}

/** The settings of --machinery: everything on, each piece off, and the reference path (both paths off). */
const MACHINERY_SETTINGS: [string, string][] = [
  ['everything on', ''],
  ...Object.keys(SPEED_PIECES)
    .filter((piece) => piece !== 'fused')
    .map((piece): [string, string] => [`without ${piece}`, piece]),
  ['reference path (native and fused off)', 'native,fused'],
];

/** A request for native TensorFlow: 10,000 images at batch 128, timing only unless `extra` says otherwise. */
function nativeRequest(models: BenchModel[], extra: Partial<WorkerRequest> = {}): WorkerRequest {
  const timing = { mseTarget: 0, maxEpochs: 0, parityEpochs: 0, parityRuns: 0 };
  return { backend: 'tensorflow', dataDir, models, batches: [128], trainCount: 10000, ...timing, ...extra };
}

function machinery(): void {
  const models: BenchModel[] = ['conv', 'dense2'];
  const request = nativeRequest(models, { defaultThreadsOnly: true });
  const results = MACHINERY_SETTINGS.map(([label, off]) => ({ label, report: worker(request, off) }));
  const activations = worker({ ...request, models: ['conv', ...ACTIVATION_MODELS] });
  const speedOf = (report: WorkerReport, model: BenchModel) => report.speed.find((r) => r.model === model);
  console.log('\nWhat each piece of lib/speed earns: training images per second, native TensorFlow, batch 128, 10,000 images');
  console.log('(median of 5 epochs after a warm-up; each setting in its own process; ratio = setting / everything on)');
  const header = [
    pad('setting', 40),
    ...models.flatMap((m) => [pad(`${m} img/s`, 13, true), pad('threads', 7, true), pad('ratio', 6, true)]),
  ];
  console.log(header.join('  '));
  const base = results[0].report;
  for (const { label, report } of results) {
    const cells = models.flatMap((model) => {
      const [row, reference] = [speedOf(report, model), speedOf(base, model)];
      const ratio = row && reference ? row.trainImgPerSec / reference.trainImgPerSec : NaN;
      return [
        pad(row ? row.trainImgPerSec.toFixed(0) : '-', 13, true),
        pad(row ? String(row.threads) : '-', 7, true),
        pad(ratio.toFixed(2), 6, true),
      ];
    });
    console.log([pad(label, 40), ...cells].join('  '));
  }
  console.log("\nThe conv model with the TP's other activations, everything on (ratio = activation / ReLU):");
  const relu = speedOf(activations, 'conv');
  for (const row of activations.speed) {
    const ratio = relu ? row.trainImgPerSec / relu.trainImgPerSec : NaN;
    console.log(`${pad(row.model, 16)}  ${pad(row.trainImgPerSec.toFixed(0), 8, true)} img/s  ${pad(ratio.toFixed(2), 5, true)}`);
  }
}

interface TorchReport {
  torch: string;
  threads: number;
  speed?: { model: BenchModel; batch: number; trainImgPerSec: number; inferImgPerSec: number }[];
  timeToMse?: WorkerReport['timeToMse'];
  parity?: WorkerReport['parity'];
  peakRssMb: number;
}

function torch(args: string[]): TorchReport {
  return runJson<TorchReport>(python, [path.join(root, 'bench', 'torch_reference.py'), dataDir, ...args], 'PyTorch reference');
}

/** How many images each backend gets per timed epoch: the pure-JS one is ~100 times slower. */
const TRAIN_COUNT: Record<WorkerRequest['backend'], number> = { tensorflow: 10000, wasm: 2048, cpu: 256 };

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

function printTable(rows: (SpeedResult & { torchTrainImgPerSec: number; ratio: number })[]): void {
  const header = ['model', 'backend', 'batch', 'threads', 'train img/s', 'infer img/s', 'torch train', 'ratio'];
  const widths = [14, 11, 6, 7, 12, 12, 12, 6];
  console.log(header.map((h, i) => pad(h, widths[i], i >= 2)).join('  '));
  for (const r of rows) {
    console.log(
      [
        r.model,
        r.backend,
        String(r.batch),
        String(r.threads),
        r.trainImgPerSec.toFixed(0),
        r.inferImgPerSec.toFixed(0),
        r.torchTrainImgPerSec.toFixed(0),
        r.ratio.toFixed(2),
      ]
        .map((c, i) => pad(c, widths[i], i >= 2))
        .join('  '),
    );
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (options.machinery) {
    await writeData();
    machinery();
    return;
  }
  ensureTorch();
  await writeData();
  const models = [...BENCH_MODELS];

  if (options.parityEpochs > 0) {
    const { parityEpochs: epochs, parityRuns: runs } = options;
    const tfjs = worker(nativeRequest(models, { parityEpochs: epochs, parityRuns: runs }));
    const reference = torch(['--parity', String(epochs), '--runs', String(runs)]);
    console.log(`\nSame recipe on both sides: ${epochs} epochs on 10,000 images, batch 128, Adam 1e-3, MSE; test MSE on 2,000 images,`);
    console.log(`mean ± standard deviation over ${runs} trainings per side (each with its own initialisation and shuffling).`);
    console.log(`${pad('model', 14)}  ${pad('tfjs', 19, true)}  ${pad('PyTorch', 19, true)}  ${pad('diff of means', 13, true)}`);
    const summary = (values: number[]) => {
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1));
      return { mean, text: `${mean.toFixed(5)} ± ${sd.toFixed(5)}` };
    };
    for (const row of tfjs.parity ?? []) {
      const ours = summary(row.testMse);
      const other = summary(reference.parity?.find((r) => r.model === row.model)?.testMse ?? [NaN]);
      const diff = (ours.mean - other.mean) / other.mean;
      console.log(
        `${pad(row.model, 14)}  ${pad(ours.text, 19, true)}  ${pad(other.text, 19, true)}  ` +
          `${pad(`${(100 * diff).toFixed(1)} %`, 13, true)}${Math.abs(diff) > 0.05 ? '  (more than 5 % apart)' : ''}`,
      );
    }
    return;
  }

  const reports = options.backends.map((backend) =>
    worker({
      backend,
      dataDir,
      models,
      batches: backend === 'tensorflow' ? options.batches : [128],
      trainCount: TRAIN_COUNT[backend],
      mseTarget: backend === 'tensorflow' ? MSE_TARGET : 0,
      maxEpochs: 40,
      parityEpochs: 0,
      parityRuns: 0,
    }),
  );
  const reference = torch(['--batches', options.batches.join(','), '--mse-target', String(MSE_TARGET), '--max-epochs', '40']);
  const rows = reports
    .flatMap((r) => r.speed)
    .map((row) => {
      const torchTrain = reference.speed?.find((t) => t.model === row.model && t.batch === row.batch)?.trainImgPerSec ?? NaN;
      return { ...row, torchTrainImgPerSec: torchTrain, ratio: row.trainImgPerSec / torchTrain };
    });
  console.log(
    `\nTraining and inference speed (images per second; ratio = tfjs training / PyTorch ${reference.torch} training, ${reference.threads} threads)`,
  );
  printTable(rows);
  console.log(
    '\nPeak memory (RSS): ' +
      [...reports.map((r) => `tfjs ${r.backend} ${r.peakRssMb.toFixed(0)} MB`), `PyTorch ${reference.peakRssMb.toFixed(0)} MB`].join(', '),
  );
  const tfTime = reports.find((r) => r.timeToMse)?.timeToMse;
  const describeTime = (t: WorkerReport['timeToMse']) =>
    !t
      ? 'not measured'
      : t.seconds === null
        ? `not reached in ${t.epochs} epochs (MSE ${t.mse.toFixed(4)})`
        : `${t.seconds.toFixed(1)} s (${t.epochs} epochs, MSE ${t.mse.toFixed(4)})`;
  console.log(
    `Conv model, training time to reach test MSE ${MSE_TARGET} (batch 128): tfjs tensorflow ${describeTime(tfTime)}, PyTorch ${describeTime(reference.timeToMse)}`,
  );
  if (options.json) {
    fs.writeFileSync(options.json, `${JSON.stringify(rows, null, 2)}\n`);
    console.log(`[bench] wrote ${options.json}`);
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
