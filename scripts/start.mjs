#!/usr/bin/env node
// Starts JupyterLab from the project's .venv on the notebooks/ folder, with the TypeScript kernel.
//   npm start -- etudiant                 on another folder of the project (a student kit, say)
//   npm start -- --port 8890 --no-browser  other arguments go to JupyterLab
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const jupyter = path.join(root, '.venv', 'bin', 'jupyter');
const notebooks = path.join(root, 'notebooks');

// The committed notebooks were executed by this project: trust them so their outputs show in full.
const committed = fs
  .readdirSync(notebooks)
  .filter((f) => f.endsWith('.ipynb'))
  .map((f) => path.join(notebooks, f));
if (committed.length > 0) spawnSync(jupyter, ['trust', ...committed], { stdio: 'ignore' });

// A first argument that is not an option names the folder to open; it must lie inside the project,
// where notebooks find the library by name (node_modules/tp5-lab).
const [first, ...rest] = process.argv.slice(2);
const folder = first !== undefined && !first.startsWith('-') ? path.resolve(first) : notebooks;
const jupyterArgs = folder === notebooks ? process.argv.slice(2) : rest;
if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) {
  console.error(`[start] ${first} n'est pas un dossier`);
  process.exit(2);
}
if (path.relative(root, folder).startsWith('..')) {
  console.error(`[start] ${folder} est hors du projet : placez-le dans ${root}, où les carnets trouvent la bibliothèque`);
  process.exit(2);
}

/**
 * A student kit (`npm run student` writes LISEZ-MOI.md beside its notebooks) opens as the student's
 * session, the same on a student's machine as on the class server: session/jupyter_server_config.py
 * (JupyterLab in French, nothing of nbgrader, new notebooks in TypeScript). What the student changes in
 * JupyterLab's settings is kept in the kit's hidden .jupyterlab/ folder, or where the environment says.
 */
function studentSession(kit) {
  const settingsDir = process.env.JUPYTERLAB_SETTINGS_DIR ?? path.join(kit, '.jupyterlab', 'settings');
  return { ...process.env, JUPYTERLAB_SETTINGS_DIR: settingsDir };
}

const isKit = fs.existsSync(path.join(folder, 'LISEZ-MOI.md'));
// New notebooks default to the TypeScript kernel.
const args = ['lab', `--ServerApp.root_dir=${folder}`, '--MultiKernelManager.default_kernel_name=tslab', ...jupyterArgs];
if (isKit) args.push(`--config=${path.join(root, 'session', 'jupyter_server_config.py')}`);
if (process.getuid?.() === 0) args.push('--allow-root');
console.error(`[start] ${isKit ? 'session étudiant (interface en français, sans nbgrader) : ' : ''}${jupyter} ${args.join(' ')}`);
const lab = spawn(jupyter, args, { stdio: 'inherit', cwd: folder, env: isKit ? studentSession(folder) : process.env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => lab.kill(signal));
lab.on('exit', (code) => process.exit(code ?? 0));
