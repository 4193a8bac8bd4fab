/**
 * npm run bench [-- --json FILE] [--repeats N] [--backends tensorflow,wasm,cpu] [--batches 128,256] [--models LIST]
 *               [--parity [EPOCHS] [--runs N]] [--machinery] [--against REF]
 *
 * Trains and runs the TP's models on each tfjs backend and on PyTorch (bench/torch_reference.py,
 * in the project's .venv), on the same data and in the same run, and prints images per second
 * with the ratio to PyTorch, peak memory, and the time the conv model takes to reach a test MSE.
 * The speeds are measured in --repeats rounds (3 by default), each round running the library, then
 * PyTorch, so that both see the machine in the same state; each figure is the median of the rounds,
 * with its range (bench/spread.ts), and the ratio's median and range are those of the rounds' ratios.
 * --against REF measures this tree's library against commit REF's, built in a scratch worktree
 * (build/bench/against/), in --repeats interleaved rounds (5 by default), native TensorFlow, batch 128,
 * each model with the library's default threads: the way to tell a regression from noise.
 * --parity trains each model N times (default 5) with the same recipe on both sides and compares
 * the mean test MSE.
 * --machinery measures what each piece of lib/speed earns end to end: native TensorFlow, the conv
 * model and Dense n°2, images per second with everything on, then with each piece switched off
 * (TP5_SPEED_OFF, see lib/util/speed-switches.ts), each setting in its own process, side by side;
 * then where a one-thread step of the dense models goes (bench/anatomy.ts).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { addGaussianNoise, firstImages, loadDataset } from '../lib';
import { SPEED_PIECES } from '../lib/util/speed-switches';
import { ACTIVATION_MODELS, BENCH_MODELS, BenchModel, SpeedResult, WorkerReport, WorkerRequest, writeImages } from './common';
import type { Anatomy } from './anatomy';
import { Spread, apart, spreadOf, spreadText } from './spread';

const root = path.resolve(__dirname, '..', '..');
const python = path.join(root, '.venv', 'bin', 'python');
const dataDir = path.join(root, 'build', 'bench', 'data');
const TORCH = 'torch==2.13.0';
/** Test MSE the conv model must reach in the time-to-quality measure. */
const MSE_TARGET = 0.012;

interface Options {
  /** Where to write the speed table as JSON. */
  json?: string;
  /** Measure what each piece of lib/speed earns instead (see the top of this file). */
  machinery: boolean;
  /** Train each model this many epochs on both sides and compare the test MSE (0: measure speeds). */
  parityEpochs: number;
  parityRuns: number;
  backends: WorkerRequest['backend'][];
  batches: number[];
  models: BenchModel[];
  /** Rounds of each speed measurement (undefined: 3, or 5 with --against). */
  repeats?: number;
  /** A commit to measure this tree against. */
  against?: string;
}

function parseArgs(args: string[]): Options {
  const options: Options = {
    machinery: false,
    parityEpochs: 0,
    parityRuns: 5,
    backends: ['tensorflow', 'wasm', 'cpu'],
    batches: [128, 256],
    models: [...BENCH_MODELS],
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
      case '--repeats':
        options.repeats = Number(next());
        break;
      case '--models':
        options.models = next().split(',') as BenchModel[];
        break;
      case '--against':
        options.against = next();
        break;
      default:
        throw new Error(
          `unknown option ${args[i]}; allowed: --json FILE, --repeats N, --backends LIST, --batches LIST, --models LIST, ` +
            '--parity [EPOCHS], --runs N, --machinery, --against REF',
        );
    }
  }
  for (const backend of options.backends) {
    if (!['tensorflow', 'wasm', 'cpu'].includes(backend)) throw new Error(`--backends: "${backend}" is not one of tensorflow, wasm, cpu`);
  }
  for (const model of options.models) {
    if (!(BENCH_MODELS as readonly string[]).includes(model))
      throw new Error(`--models: "${model}" is not one of ${BENCH_MODELS.join(', ')}`);
  }
  if (!Number.isInteger(options.parityRuns) || options.parityRuns < 1) throw new Error('--runs: a positive integer, e.g. 5');
  if (options.repeats !== undefined && (!Number.isInteger(options.repeats) || options.repeats < 1))
    throw new Error('--repeats: a positive integer, e.g. 3');
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

/** One worker's measurements: this tree's library, or `tree`'s (a built worktree of --against). */
function worker(request: WorkerRequest, speedOff = '', tree?: { label: string; dir: string }): WorkerReport {
  const what = `tfjs ${request.backend}${speedOff ? ` without ${speedOff}` : ''}${tree ? ` (${tree.label})` : ''}`;
  const script = tree ? path.join(tree.dir, 'build', 'bench', 'worker.js') : path.join(__dirname, 'worker.js');
  return runJson<WorkerReport>('node', [script, JSON.stringify(request)], what, {
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
  printAnatomies((['dense2', 'dense1-linear'] as BenchModel[]).map((model) => anatomy(model)));
  console.log("\nThe conv model with the TP's other activations, everything on (ratio = activation / ReLU):");
  const relu = speedOf(activations, 'conv');
  for (const row of activations.speed) {
    const ratio = relu ? row.trainImgPerSec / relu.trainImgPerSec : NaN;
    console.log(`${pad(row.model, 16)}  ${pad(row.trainImgPerSec.toFixed(0), 8, true)} img/s  ${pad(ratio.toFixed(2), 5, true)}`);
  }
}

function anatomy(model: BenchModel): Anatomy {
  return runJson<Anatomy>('node', [path.join(__dirname, 'anatomy.js'), dataDir, model, '128'], `step anatomy of ${model}`);
}

function printAnatomies(anatomies: Anatomy[]): void {
  console.log('\nWhere a one-thread step goes, native TensorFlow, batch 128 (median of 200 steps, each part timed alone):');
  for (const a of anatomies) {
    const share = (ms: number) => `${ms.toFixed(3)} ms ${pad(`${((100 * ms) / a.stepMs).toFixed(0)} %`, 5, true)}`;
    const overheadMs = (a.operationsPerStep * a.operationMicroseconds) / 1000;
    console.log(
      `${a.model}: ${a.stepMs.toFixed(3)} ms a step (${((1000 * a.batch) / a.stepMs).toFixed(0)} images/s), ${a.parameters} parameters`,
    );
    console.log(`  batch tensors from the images in memory  ${share(a.batchTensorsMs)}`);
    console.log(`  forward and backward pass                ${share(a.forwardBackwardMs)}`);
    console.log(`  Adam on one vector                       ${share(a.adamMs)}`);
    console.log(
      `  of which TensorFlow's fixed cost: ${a.operationsPerStep} operations × ${a.operationMicroseconds.toFixed(1)} µs = ${share(overheadMs)}`,
    );
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

/** A speed of the library beside PyTorch's, over the rounds. */
interface ComparedRow {
  model: BenchModel;
  backend: string;
  batch: number;
  threads: number;
  trainImgPerSec: Spread;
  inferImgPerSec: Spread;
  torchTrainImgPerSec: Spread;
  /** Each round's ratio of the library's training speed to PyTorch's. */
  ratio: Spread;
}

/** The rows of the rounds: each measured setting's speeds across the rounds, and the ratio of each round. */
function comparedRows(rounds: { tfjs: WorkerReport[]; torch: TorchReport }[]): ComparedRow[] {
  const key = (r: SpeedResult) => `${r.model} ${r.backend} ${r.batch} ${r.threads}`;
  const settings = new Map(rounds[0].tfjs.flatMap((report) => report.speed).map((r) => [key(r), r]));
  return [...settings.values()].map((setting) => {
    const perRound = rounds.map(({ tfjs, torch: reference }) => {
      const ours = tfjs.flatMap((report) => report.speed).find((r) => key(r) === key(setting));
      const theirs = reference.speed?.find((t) => t.model === setting.model && t.batch === setting.batch)?.trainImgPerSec ?? NaN;
      return { train: ours?.trainImgPerSec ?? NaN, infer: ours?.inferImgPerSec ?? NaN, torch: theirs };
    });
    return {
      model: setting.model,
      backend: setting.backend,
      batch: setting.batch,
      threads: setting.threads,
      trainImgPerSec: spreadOf(perRound.map((r) => r.train)),
      inferImgPerSec: spreadOf(perRound.map((r) => r.infer)),
      torchTrainImgPerSec: spreadOf(perRound.map((r) => r.torch)),
      ratio: spreadOf(perRound.map((r) => r.train / r.torch)),
    };
  });
}

function printTable(rows: ComparedRow[]): void {
  const header = ['model', 'backend', 'batch', 'threads', 'train img/s', 'infer img/s', 'torch train', 'ratio'];
  const widths = [14, 11, 6, 7, 20, 20, 20, 16];
  console.log(header.map((h, i) => pad(h, widths[i], i >= 2)).join('  '));
  for (const r of rows) {
    console.log(
      [
        r.model,
        r.backend,
        String(r.batch),
        String(r.threads),
        spreadText(r.trainImgPerSec),
        spreadText(r.inferImgPerSec),
        spreadText(r.torchTrainImgPerSec),
        spreadText(r.ratio, 2),
      ]
        .map((c, i) => pad(c, widths[i], i >= 2))
        .join('  '),
    );
  }
}

/**
 * The library against PyTorch: `repeats` rounds, each running every backend's worker, then PyTorch;
 * the time to a test MSE is measured in the first round only.
 */
function compareWithTorch(options: Options): void {
  const repeats = options.repeats ?? 3;
  const rounds: { tfjs: WorkerReport[]; torch: TorchReport }[] = [];
  for (let round = 1; round <= repeats; round++) {
    console.log(`[bench] round ${round} of ${repeats}`);
    const timeToMse = round === 1 && options.models.includes('conv');
    const tfjs = options.backends.map((backend) =>
      worker({
        backend,
        dataDir,
        models: options.models,
        batches: backend === 'tensorflow' ? options.batches : [128],
        trainCount: TRAIN_COUNT[backend],
        mseTarget: backend === 'tensorflow' && timeToMse ? MSE_TARGET : 0,
        maxEpochs: 40,
        parityEpochs: 0,
        parityRuns: 0,
      }),
    );
    const mse = timeToMse ? ['--mse-target', String(MSE_TARGET), '--max-epochs', '40'] : [];
    rounds.push({ tfjs, torch: torch(['--batches', options.batches.join(','), '--models', options.models.join(','), ...mse]) });
  }
  const rows = comparedRows(rounds);
  const reference = rounds[0].torch;
  console.log(
    `\nTraining and inference speed (images per second; ratio = tfjs training / PyTorch ${reference.torch} training, ` +
      `${reference.threads} threads), median of ${repeats} interleaved rounds (range in parentheses)`,
  );
  printTable(rows);
  const peak = (reports: { peakRssMb: number }[]) => Math.max(...reports.map((r) => r.peakRssMb)).toFixed(0);
  console.log(
    '\nPeak memory (RSS, highest of the rounds): ' +
      [
        ...options.backends.map((b, i) => `tfjs ${b} ${peak(rounds.map((r) => r.tfjs[i]))} MB`),
        `PyTorch ${peak(rounds.map((r) => r.torch))} MB`,
      ].join(', '),
  );
  const tfTime = rounds[0].tfjs.find((r) => r.timeToMse)?.timeToMse;
  const describeTime = (t: WorkerReport['timeToMse']) =>
    !t
      ? 'not measured'
      : t.seconds === null
        ? `not reached in ${t.epochs} epochs (MSE ${t.mse.toFixed(4)})`
        : `${t.seconds.toFixed(1)} s (${t.epochs} epochs, MSE ${t.mse.toFixed(4)})`;
  console.log(
    `Conv model, training time to reach test MSE ${MSE_TARGET} (batch 128, first round): tfjs tensorflow ${describeTime(tfTime)}, ` +
      `PyTorch ${describeTime(reference.timeToMse)}`,
  );
  if (options.json) {
    fs.writeFileSync(options.json, `${JSON.stringify(rows, null, 2)}\n`);
    console.log(`[bench] wrote ${options.json}`);
  }
}

function git(args: string[], cwd = root): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

/**
 * Commit `ref`'s library, built in a scratch worktree (build/bench/against/SHA) whose node_modules are
 * hard links to this tree's (the runtime packages are the same); built once, reused afterwards.
 */
function builtTree(ref: string): { label: string; dir: string } {
  const sha = git(['rev-parse', '--verify', `${ref}^{commit}`]);
  const dir = path.join(root, 'build', 'bench', 'against', sha.slice(0, 12));
  const label = `${ref} = ${sha.slice(0, 9)}`;
  if (fs.existsSync(path.join(dir, 'build', 'bench', 'worker.js'))) return { label, dir };
  console.log(`[bench] building ${label} in ${dir}`);
  if (!fs.existsSync(dir)) git(['worktree', 'add', '--detach', '--force', dir, sha]);
  if (!fs.existsSync(path.join(dir, 'node_modules'))) {
    const copy = spawnSync('cp', ['-al', path.join(root, 'node_modules'), path.join(dir, 'node_modules')], { stdio: 'inherit' });
    if (copy.status !== 0) throw new Error(`could not link node_modules into ${dir}`);
  }
  for (const [command, args] of [
    ['node', [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json']],
    ['node', ['scripts/build-wasm.mjs']],
  ] as const) {
    const built = spawnSync(command, [...args], { cwd: dir, stdio: 'inherit' });
    if (built.status !== 0) throw new Error(`${ref} does not build with this tree's packages (${args.join(' ')} failed in ${dir})`);
  }
  return { label, dir };
}

/**
 * This tree's library against commit `ref`'s, native TensorFlow, batch 128, each model with its
 * default threads: `repeats` rounds, the two sides in alternating order (this, ref; ref, this; …).
 */
function against(options: Options & { against: string }): void {
  const repeats = options.repeats ?? 5;
  const reference = builtTree(options.against);
  const here = { label: 'this tree', dir: root };
  const request = nativeRequest(options.models, { defaultThreadsOnly: true });
  const reports = new Map<string, WorkerReport[]>([
    [here.label, []],
    [reference.label, []],
  ]);
  for (let round = 1; round <= repeats; round++) {
    console.log(`[bench] round ${round} of ${repeats}`);
    const order = round % 2 === 1 ? [here, reference] : [reference, here];
    for (const tree of order) reports.get(tree.label)!.push(worker(request, '', tree === here ? undefined : tree));
  }
  const speeds = (label: string, model: BenchModel) =>
    reports.get(label)!.map((report) => report.speed.find((r) => r.model === model)?.trainImgPerSec ?? NaN);
  console.log(
    `\nTraining images per second, native TensorFlow, batch 128, 10,000 images, default threads: this tree against ` +
      `${reference.label}, median of ${repeats} interleaved rounds (range in parentheses)`,
  );
  console.log(
    [pad('model', 14), pad('threads', 7, true), pad('this tree', 20, true), pad(reference.label, 24, true), pad('ratio', 16, true)].join(
      '  ',
    ),
  );
  for (const model of options.models) {
    const [ours, theirs] = [spreadOf(speeds(here.label, model)), spreadOf(speeds(reference.label, model))];
    const ratio = spreadOf(ours.values.map((value, i) => value / theirs.values[i]));
    const threads = reports.get(here.label)![0].speed.find((r) => r.model === model)?.threads ?? NaN;
    console.log(
      [
        pad(model, 14),
        pad(String(threads), 7, true),
        pad(spreadText(ours), 20, true),
        pad(spreadText(theirs), 24, true),
        pad(spreadText(ratio, 2), 16, true),
      ].join('  ') + (apart(ours, theirs) ? '  (apart beyond the spread)' : '  (within the spread)'),
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
  if (options.against !== undefined) {
    await writeData();
    against({ ...options, against: options.against });
    return;
  }
  ensureTorch();
  await writeData();
  const models = options.models;

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

  compareWithTorch(options);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
