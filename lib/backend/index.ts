import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from './wasm-kernels';

/** The tfjs backends the lab can run on, fastest first (webgl in a browser only, tensorflow in Node.js only). */
export type BackendName = 'tensorflow' | 'webgl' | 'wasm' | 'cpu';

export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'webgl', 'wasm', 'cpu'];

/** Which backend runs, and why it was chosen over the faster ones. */
export interface BackendReport {
  name: BackendName;
  /** One line for people: the backend and, when it is not the native one, why. */
  message: string;
  /** For each faster backend that was tried and failed, the reason. */
  skipped: { name: BackendName; reason: string }[];
}

export interface BackendCandidate {
  name: BackendName;
  /** Loads and activates the backend (`asked`: the user named it); throws when it cannot. */
  activate: (asked: boolean) => Promise<void>;
}

export interface InitBackendOptions {
  /** Skip the faster backends and start from this one (also read from the TP5_BACKEND environment variable). */
  preferred?: BackendName;
  /** Print the one-line report (default true). */
  print?: boolean;
}

const DESCRIPTIONS: Record<BackendName, string> = {
  tensorflow: 'TensorFlow natif, par tfjs-node',
  webgl: "WebGL (tfjs-backend-webgl), la carte graphique de l'ordinateur, depuis le navigateur",
  wasm: 'WebAssembly (tfjs-backend-wasm), plus lent que TensorFlow natif',
  cpu: 'JavaScript pur (tfjs-backend-cpu), environ 100 fois plus lent que TensorFlow natif',
};

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].trim();
}

/** True in a web browser (the static site's kernel runs in a web worker), false in Node.js. */
export function inBrowser(): boolean {
  const scope = globalThis as { WorkerGlobalScope?: unknown; document?: unknown };
  return scope.WorkerGlobalScope !== undefined || scope.document !== undefined;
}

/** A WebGL drawn by the processor (no graphics card): slower than WebAssembly for the TP's models. */
const SOFTWARE_GL = /swiftshader|llvmpipe|software/i;

const WEBGL: BackendCandidate = {
  name: 'webgl',
  activate: async (asked) => {
    if (!(await tf.setBackend('webgl'))) throw new Error("WebGL n'est pas disponible dans ce navigateur");
    const gl = (tf.backend() as unknown as { gpgpu: { gl: WebGLRenderingContext } }).gpgpu.gl;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    if (!asked && SOFTWARE_GL.test(renderer)) {
      throw new Error(`WebGL sans carte graphique (${renderer}), plus lent que WebAssembly`);
    }
  },
};

const NODE_CANDIDATES: readonly BackendCandidate[] = [
  {
    name: 'tensorflow',
    activate: async () => {
      // TensorFlow's C++ logging is noisy (oneDNN and CPU feature notices); keep warnings and errors.
      process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
      // The TP's models are small: handing each operation to a thread pool costs more than it saves
      // (measured by `npm run bench`: Dense n°2 trains 1.7 times faster on one thread). Read by
      // TensorFlow when it starts; set these variables beforehand to choose otherwise.
      process.env.TF_NUM_INTRAOP_THREADS ??= '1';
      process.env.TF_NUM_INTEROP_THREADS ??= '1';
      try {
        // Loaded only when this backend is chosen: importing it registers the backend, and fails without the addon.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require('@tensorflow/tfjs-node');
      } catch (error) {
        throw new Error(
          `the native addon of @tensorflow/tfjs-node does not load (${firstLine(error)}); ` + 'run `node scripts/setup.mjs` to build it',
          { cause: error },
        );
      }
      if (!(await tf.setBackend('tensorflow'))) throw new Error('tfjs-node loaded but its backend did not start');
    },
  },
  {
    name: 'wasm',
    activate: async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- registers the backend when chosen, as above
      require('@tensorflow/tfjs-backend-wasm');
      registerWasmTrainingKernels();
      if (!(await tf.setBackend('wasm'))) throw new Error('the WASM backend did not start');
    },
  },
  {
    name: 'cpu',
    activate: async () => {
      if (!(await tf.setBackend('cpu'))) throw new Error('the CPU backend did not start');
    },
  },
];

/** In a browser: the graphics card, else WebAssembly, else JavaScript (tfjs-node needs Node.js). */
const BROWSER_CANDIDATES: readonly BackendCandidate[] = [WEBGL, ...NODE_CANDIDATES.filter((c) => c.name !== 'tensorflow')];

/** The candidates where the code runs, fastest first. */
export function defaultCandidates(): readonly BackendCandidate[] {
  return inBrowser() ? BROWSER_CANDIDATES : NODE_CANDIDATES;
}

function parsePreferred(value: string | undefined): BackendName | undefined {
  if (value === undefined || value === '') return undefined;
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName;
  throw new Error(`TP5_BACKEND="${value}" is not a backend; allowed: ${BACKEND_NAMES.join(', ')}`);
}

/**
 * Activates the first candidate that works, starting from `preferred`.
 * Exposed with its candidates as a parameter so that the fallback order can be tested.
 */
export async function chooseBackend(candidates: readonly BackendCandidate[], preferred?: BackendName): Promise<BackendReport> {
  const start = preferred === undefined ? 0 : candidates.findIndex((c) => c.name === preferred);
  if (start < 0) throw new Error(`preferred backend "${preferred}" is not among ${candidates.map((c) => c.name).join(', ')}`);
  const skipped: BackendReport['skipped'] = [];
  for (const candidate of candidates.slice(start)) {
    try {
      await candidate.activate(candidate.name === preferred);
    } catch (error) {
      skipped.push({ name: candidate.name, reason: firstLine(error) });
      continue;
    }
    const why =
      skipped.length === 0
        ? preferred !== undefined && start > 0
          ? ` (demandé : ${preferred})`
          : ''
        : `, car ${skipped.map((s) => `${s.name} a échoué : ${s.reason}`).join(' ; ')}`;
    return { name: candidate.name, message: `Moteur de calcul : ${candidate.name} (${DESCRIPTIONS[candidate.name]})${why}`, skipped };
  }
  throw new Error(`no tfjs backend could start: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}

let current: BackendReport | undefined;

/**
 * Choisit le moteur de calcul le plus rapide qui fonctionne ici et l'annonce en une ligne, avec la
 * raison. Les appels suivants rendent le même compte rendu sans changer de moteur.
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendReport> {
  if (current === undefined) {
    const preferred = options.preferred ?? parsePreferred(process.env.TP5_BACKEND);
    current = await chooseBackend(defaultCandidates(), preferred);
  }
  if (options.print ?? true) console.log(current.message);
  return current;
}
