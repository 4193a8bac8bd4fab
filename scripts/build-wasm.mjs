// Compiles the WebAssembly kernels' text sources (lib/**/*.wat) into build/lib/**/*.wasm with wabt,
// WebAssembly's own toolkit. Run by `npm run build` and by scripts/setup.mjs after the TypeScript build.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import initWabt from 'wabt';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function watFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return watFiles(file);
    return entry.name.endsWith('.wat') ? [file] : [];
  });
}

const wabt = await initWabt();
for (const source of watFiles(path.join(root, 'lib'))) {
  // SIMD for the f32x4 operations, threads for the shared memory.
  const features = { simd: true, threads: true };
  const module = wabt.parseWat(path.basename(source), fs.readFileSync(source, 'utf8'), features);
  module.validate(features);
  const target = path.join(root, 'build', path.relative(root, source)).replace(/\.wat$/, '.wasm');
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, Buffer.from(module.toBinary({}).buffer));
  module.destroy();
  console.error(`[compilation] ${path.relative(root, target)}`);
}
