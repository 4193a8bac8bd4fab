/**
 * npm run bench:site [-- --rounds N]
 *
 * The static site (npm run site), as a student's browser meets it, in headless chromium on this
 * machine: the site's size, the time from opening a notebook to its first cell's answer (a new
 * browser profile each time: nothing cached), and the TP's trainings (Dense n°1, Dense n°2, the
 * convolutional model; 6,000 images, batch 128) on each backend the browser has, against tfjs-node in
 * the same run. The sides take turns in each of --rounds rounds (2 by default); each figure is the
 * median of the rounds, with its range. Headless chromium has no graphics card here: its WebGL is
 * SwiftShader, drawn by the processor, which the site's kernel does not choose by itself
 * (lib/backend); it is measured to say what a computer without a graphics card would get.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { firstImages, initBackend, loadDataset, trainAutoencoder } from '../lib';
import { freePort, launchChromium } from '../test/helpers/browser';
import { LiteWindow, openSiteNotebook } from '../test/helpers/lite';
import { serveStatic } from '../test/helpers/static-server';
import { buildBenchModel } from './common';
import { spreadOf, spreadText } from './spread';

const root = path.resolve(__dirname, '..', '..');
const siteDir = path.join(root, 'build', 'bench', 'site');
const KIT_NOTEBOOK = '01-auto-encodeurs-denses.ipynb';
const IMAGES = 6000;
const BATCH = 128;
const MODELS = [
  { name: 'dense1-relu', browser: 'lab.buildDense1({ activation: "relu" })' },
  { name: 'dense2', browser: 'lab.buildDense2({ activation: "relu" })' },
  { name: 'conv', browser: 'lab.buildConv({ activation: "relu" })' },
] as const;
type Side = 'tfjs-node' | 'wasm' | 'wasm-isolated' | 'webgl';
const SIDES: Side[] = ['tfjs-node', 'wasm', 'wasm-isolated', 'webgl'];
/** The headers that make the page cross-origin isolated, which lets tfjs's WebAssembly use threads. */
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/** Trains each model two epochs, returning the second (warm) epoch's images per second. */
const TRAINING = (preferred: string) => `
import * as lab from "tp5-lab";
const report = await lab.initBackend({ preferred: "${preferred}", print: false });
const data = await lab.loadDataset({ trainLimit: ${IMAGES}, testLimit: 10, print: false });
const speeds: Record<string, number> = {};
${MODELS.map(
  (m) => `{
  const history = await lab.trainAutoencoder(${m.browser}, { inputs: data.train }, { epochs: 2, batchSize: ${BATCH}, seed: 1, progress: "none" });
  speeds["${m.name}"] = ${IMAGES} / history.epochSeconds[1];
}`,
).join('\n')}
console.log("BENCH " + JSON.stringify({ backend: report.message + (globalThis.crossOriginIsolated ? " ; page isolée (fils WebAssembly possibles)" : ""), speeds }));`;

function sizeOf(dir: string): number {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .reduce((total, entry) => total + fs.statSync(path.join(entry.parentPath, entry.name)).size, 0);
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} Mio`;

/** Opens a notebook of the kit in a new browser profile; seconds to the first code cell's answer. */
async function firstCellSeconds(browser: Browser, site: string): Promise<number> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const started = Date.now();
  await openSiteNotebook(page, site, KIT_NOTEBOOK);
  await page.evaluate(async () => {
    const app = (window as unknown as LiteWindow).jupyterapp;
    const notebook = app.shell.currentWidget!.content;
    const cells = notebook.model.cells;
    notebook.activeCellIndex = Array.from({ length: cells.length }, (_, i) => i).find((i) => cells.get(i).type === 'code') ?? 0;
    await app.commands.execute('notebook:run-cell');
  });
  const seconds = (Date.now() - started) / 1000;
  await context.close();
  return seconds;
}

/** The TP's trainings in the browser's kernel on `backend`: images per second per model. */
async function browserSpeeds(
  browser: Browser,
  site: string,
  backend: 'wasm' | 'webgl',
): Promise<{ backend: string; speeds: Record<string, number> }> {
  const page = await browser.newPage();
  try {
    await openSiteNotebook(page, site, KIT_NOTEBOOK);
    const result = await page.evaluate(async (code) => {
      const kernel = (window as unknown as LiteWindow).jupyterapp.shell.currentWidget!.sessionContext.session!.kernel!;
      const future = kernel.requestExecute({ code });
      let printed = '';
      let errors = '';
      future.onIOPub = (message) => {
        if (message.header.msg_type === 'stream' && message.content.name === 'stdout') printed += message.content.text;
        if (message.header.msg_type === 'stream' && message.content.name === 'stderr') errors += message.content.text;
      };
      const reply = await future.done;
      return { status: reply.content.status, printed, errors };
    }, TRAINING(backend));
    if (result.status !== 'ok') throw new Error(`${backend} in the browser: ${result.errors}`);
    const line = result.printed.split('\n').find((printedLine) => printedLine.startsWith('BENCH '));
    if (line === undefined) throw new Error(`${backend} in the browser printed no result: ${result.printed}`);
    return JSON.parse(line.slice('BENCH '.length));
  } finally {
    await page.close();
  }
}

async function nodeSpeeds(): Promise<{ backend: string; speeds: Record<string, number> }> {
  const report = await initBackend({ print: false });
  const data = await loadDataset({ trainLimit: IMAGES, testLimit: 10, print: false });
  const speeds: Record<string, number> = {};
  for (const model of MODELS) {
    const history = await trainAutoencoder(
      buildBenchModel(model.name),
      { inputs: firstImages(data.train, IMAGES) },
      { epochs: 2, batchSize: BATCH, seed: 1, progress: 'none' },
    );
    speeds[model.name] = IMAGES / history.epochSeconds[1];
  }
  return { backend: report.message, speeds };
}

async function main(): Promise<void> {
  const roundsFlag = process.argv.indexOf('--rounds');
  const rounds = roundsFlag > 0 ? Number(process.argv[roundsFlag + 1]) : 2;
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds: a whole number of rounds, 1 or more, is expected');
  const built = spawnSync(process.execPath, [path.join(root, 'site', 'build.mjs'), '--out', siteDir], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run site failed (see above)');

  const tp5 = path.join(siteDir, 'tp5');
  console.log(
    `\nSite: ${mib(sizeOf(siteDir))} in all; of which the data sets ${mib(sizeOf(path.join(tp5, 'fichiers')))}, ` +
      `the worker (tfjs and the library) ${mib(fs.statSync(path.join(tp5, 'worker.js')).size)}, ` +
      `TypeScript ${mib(fs.statSync(path.join(tp5, 'typescript.js')).size + fs.statSync(path.join(tp5, 'typescript-fr.json')).size)}, ` +
      `tfjs's WebAssembly ${mib(sizeOf(path.join(tp5, 'tfjs-wasm')))}, JupyterLite and its extensions ${mib(sizeOf(siteDir) - sizeOf(tp5))}`,
  );

  const server = await serveStatic(siteDir, await freePort());
  const isolated = await serveStatic(siteDir, await freePort(), ISOLATION);
  const browser = await launchChromium();
  try {
    const opening: number[] = [];
    for (let round = 0; round < 3; round++) opening.push(await firstCellSeconds(browser, server.url));
    console.log(`First cell answered, from opening the notebook (empty cache, loopback server): ${spreadText(spreadOf(opening), 1)} s`);

    const measured: Record<Side, Record<string, number[]>> = { 'tfjs-node': {}, wasm: {}, 'wasm-isolated': {}, webgl: {} };
    const names: Partial<Record<Side, string>> = {};
    for (let round = 1; round <= rounds; round++) {
      for (const side of SIDES) {
        const result =
          side === 'tfjs-node'
            ? await nodeSpeeds()
            : side === 'wasm-isolated'
              ? await browserSpeeds(browser, isolated.url, 'wasm')
              : await browserSpeeds(browser, server.url, side);
        names[side] = result.backend;
        for (const [model, speed] of Object.entries(result.speeds)) (measured[side][model] ??= []).push(speed);
        console.log(
          `round ${round}/${rounds}, ${side}: ${Object.entries(result.speeds)
            .map(([m, s]) => `${m} ${s.toFixed(0)}`)
            .join(', ')} images/s`,
        );
      }
    }
    console.log(
      `\nTraining speed, images per second (${IMAGES} images, batch ${BATCH}, the second epoch; median and range of ${rounds} rounds):`,
    );
    for (const side of SIDES) console.log(`  ${side}: ${names[side]}`);
    console.log(`  ${'model'.padEnd(12)} ${SIDES.map((side) => side.padStart(24)).join('')}   browser wasm / tfjs-node`);
    for (const { name } of MODELS) {
      const cells = SIDES.map((side) => spreadText(spreadOf(measured[side][name]), 0).padStart(24)).join('');
      const ratio = spreadOf(measured.wasm[name]).median / spreadOf(measured['tfjs-node'][name]).median;
      console.log(`  ${name.padEnd(12)} ${cells}   ${ratio.toFixed(2)}`);
    }
  } finally {
    await browser.close();
    await server.close();
    await isolated.close();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
