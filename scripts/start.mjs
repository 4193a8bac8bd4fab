#!/usr/bin/env node
// Starts JupyterLab from the project's .venv on the notebooks/ folder, with the TypeScript kernel.
// Extra arguments go to JupyterLab: npm start -- --port 8890 --no-browser
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const jupyter = path.join(root, '.venv', 'bin', 'jupyter');
const notebooks = path.join(root, 'notebooks');

// The committed notebooks were executed by this project: trust them so their outputs show in full.
const committed = fs.readdirSync(notebooks).filter((f) => f.endsWith('.ipynb')).map((f) => path.join(notebooks, f));
if (committed.length > 0) spawnSync(jupyter, ['trust', ...committed], { stdio: 'ignore' });

// New notebooks default to the TypeScript kernel.
const args = ['lab', `--ServerApp.root_dir=${notebooks}`, '--MultiKernelManager.default_kernel_name=tslab', ...process.argv.slice(2)];
if (process.getuid?.() === 0) args.push('--allow-root');
console.error(`[start] ${jupyter} ${args.join(' ')}`);
const lab = spawn(jupyter, args, { stdio: 'inherit', cwd: notebooks });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => lab.kill(signal));
lab.on('exit', (code) => process.exit(code ?? 0));
