// Bundles the kernel's worker (worker.ts, with tfjs and the library) into one script for the browser.
import * as esbuild from 'esbuild';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const shim = (name) => path.join(here, 'shims', name);
const sitePackage = createRequire(import.meta.url).resolve;

/** Node's modules the library imports, and what stands for each in the browser (shims/). */
const ALIASES = {
  'node:fs': shim('fs.ts'),
  'node:path': sitePackage('path-browserify'),
  'node:zlib': shim('zlib.ts'),
  'node:crypto': shim('crypto.ts'),
  'node:util': sitePackage('util/'),
  'node:os': shim('os.ts'),
  'node:worker_threads': shim('worker-threads.ts'),
  '@tensorflow/tfjs-node': shim('native-tensorflow.ts'),
  '@tensorflow/tfjs-node/dist/nodejs_kernel_backend': shim('native-tensorflow.ts'),
  'tslab/dist/jupyter': shim('tslab-jupyter.ts'),
};

export async function bundleWorker(outfile, { minify = true } = {}) {
  return esbuild.build({
    entryPoints: [path.join(here, 'worker.ts')],
    outfile,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify,
    sourcemap: false,
    alias: ALIASES,
    inject: [shim('globals.ts')],
    // The library's __dirname (lib/util/paths.ts finds the project from it): its place in the site's copy.
    define: { __dirname: '"/projet/build/lib/util"', 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleWorker(process.argv[2]);
