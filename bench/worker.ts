/**
 * One backend's side of the benchmark, in its own process (clean timing, its own peak memory).
 * Reads a WorkerRequest as JSON in argv[2]; prints a WorkerReport as JSON on stdout.
 */
import { ImageSet, firstImages, initBackend, reconstruct, trainAutoencoder, evaluateAutoencoder } from '../lib';
import { BenchModel, SpeedResult, WorkerReport, WorkerRequest, buildBenchModel, pairFor } from './common';
import { median } from './spread';

const first = (pair: { inputs: ImageSet; targets: ImageSet }, n: number) => ({
  inputs: firstImages(pair.inputs, n),
  targets: firstImages(pair.targets, n),
});

/** Speeds are the median of this many timed epochs (and inference passes): one alone varies by 10-20 % here. */
const TIMED_RUNS = 5;

/** Training and inference speed with the library's default threads (threads undefined) or the given number. */
async function speed(request: WorkerRequest, model: BenchModel, batch: number, threads?: number): Promise<SpeedResult> {
  const autoencoder = buildBenchModel(model);
  const train = first(pairFor(model, request.dataDir, 'train'), request.trainCount);
  // The first epoch is the warm-up (kernels compiled and chosen, memory allocated, the helper
  // threads' code optimised); the timed epochs follow in the same run, as on the PyTorch side.
  const history = await trainAutoencoder(autoencoder, train, { epochs: 1 + TIMED_RUNS, batchSize: batch, threads, progress: 'none' });
  const inferSeconds: number[] = [];
  for (let run = 0; run < TIMED_RUNS; run++) {
    const started = performance.now();
    await reconstruct(autoencoder, train.inputs, batch);
    inferSeconds.push((performance.now() - started) / 1000);
  }
  return {
    model,
    backend: request.backend,
    batch,
    threads: history.threads,
    trainImgPerSec: train.inputs.count / median(history.epochSeconds.slice(1)),
    inferImgPerSec: train.inputs.count / median(inferSeconds),
  };
}

async function timeToMse(request: WorkerRequest): Promise<WorkerReport['timeToMse']> {
  const autoencoder = buildBenchModel('conv');
  const train = pairFor('conv', request.dataDir, 'train');
  const test = pairFor('conv', request.dataDir, 'test');
  let seconds = 0;
  let mse = Infinity;
  for (let epoch = 1; epoch <= request.maxEpochs; epoch++) {
    const history = await trainAutoencoder(autoencoder, train, { epochs: 1, batchSize: 128, seed: epoch, progress: 'none' });
    seconds += history.epochSeconds[0];
    mse = (await evaluateAutoencoder(autoencoder, test.inputs, test.targets)).metrics.mse;
    if (mse <= request.mseTarget) return { seconds, epochs: epoch, mse };
  }
  return { seconds: null, epochs: request.maxEpochs, mse };
}

async function parity(request: WorkerRequest): Promise<WorkerReport['parity']> {
  const results = [];
  for (const model of request.models) {
    const testMse: number[] = [];
    for (let run = 0; run < request.parityRuns; run++) {
      const autoencoder = buildBenchModel(model);
      await trainAutoencoder(autoencoder, pairFor(model, request.dataDir, 'train'), {
        epochs: request.parityEpochs,
        batchSize: 128,
        learningRate: 1e-3,
        seed: run,
        progress: 'none',
      });
      const test = pairFor(model, request.dataDir, 'test');
      testMse.push((await evaluateAutoencoder(autoencoder, test.inputs, test.targets)).metrics.mse);
      autoencoder.model.dispose();
    }
    results.push({ model, testMse });
  }
  return results;
}

async function main(): Promise<void> {
  const request: WorkerRequest = JSON.parse(process.argv[2]);
  const backend = await initBackend({ preferred: request.backend, print: false });
  if (backend.name !== request.backend) throw new Error(`asked for ${request.backend}, got ${backend.name}`);
  const report: WorkerReport = { backend: request.backend, speed: [], peakRssMb: 0 };
  if (request.parityEpochs > 0) {
    report.parity = await parity(request);
  } else {
    // The process's first training is slower (allocator and thread start-up): one run is thrown away.
    await speed(request, request.models[0], request.batches[0]);
    for (const batch of request.batches) {
      for (const model of request.models) {
        const result = await speed(request, model, batch);
        report.speed.push(result);
        // Where the library trains on helper threads, the same model on one thread, for comparison.
        if (result.threads > 1 && !request.defaultThreadsOnly) report.speed.push(await speed(request, model, batch, 1));
        console.error(`[bench] ${request.backend} ${model} batch ${batch} done`);
      }
    }
    if (request.mseTarget > 0) report.timeToMse = await timeToMse(request);
  }
  report.peakRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
