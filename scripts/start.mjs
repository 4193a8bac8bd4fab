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
 * session: JupyterLab in French (the language pack from requirements.txt), and without nbgrader's
 * menu, "Validate" button and assignment sidebar, which are the teacher's and none of them the lab's
 * check. Both live in the kit's own hidden settings (.jupyterlab/, .jupyter/), or in the folders the
 * environment names; a student who switches the language back keeps that choice.
 */
function studentSession(kit) {
  const settingsDir = process.env.JUPYTERLAB_SETTINGS_DIR ?? path.join(kit, '.jupyterlab', 'settings');
  const configDir = process.env.JUPYTER_CONFIG_DIR ?? path.join(kit, '.jupyter');
  const language = path.join(settingsDir, '@jupyterlab', 'translation-extension', 'plugin.jupyterlab-settings');
  const news = path.join(settingsDir, '@jupyterlab', 'apputils-extension', 'notification.jupyterlab-settings');
  for (const [file, value] of [
    [language, { locale: 'fr_FR' }],
    // No question about Jupyter's news in the middle of a lab session (the machine may be offline).
    [news, { fetchNews: 'false' }],
  ]) {
    if (fs.existsSync(file)) continue;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(value, null, 2));
  }
  const pageConfig = path.join(configDir, 'labconfig', 'page_config.json');
  fs.mkdirSync(path.dirname(pageConfig), { recursive: true });
  const config = fs.existsSync(pageConfig) ? JSON.parse(fs.readFileSync(pageConfig, 'utf8')) : {};
  config.disabledExtensions = { ...config.disabledExtensions, '@jupyter/nbgrader': true };
  fs.writeFileSync(pageConfig, JSON.stringify(config, null, 2));
  return { ...process.env, JUPYTERLAB_SETTINGS_DIR: settingsDir, JUPYTER_CONFIG_DIR: configDir };
}

const isKit = fs.existsSync(path.join(folder, 'LISEZ-MOI.md'));
// New notebooks default to the TypeScript kernel.
const args = ['lab', `--ServerApp.root_dir=${folder}`, '--MultiKernelManager.default_kernel_name=tslab', ...jupyterArgs];
// nbgrader's server side too, in a student's session.
if (isKit) args.push('--ServerApp.jpserver_extensions=nbgrader=False');
if (process.getuid?.() === 0) args.push('--allow-root');
console.error(`[start] ${isKit ? 'session étudiant (interface en français, sans nbgrader) : ' : ''}${jupyter} ${args.join(' ')}`);
const lab = spawn(jupyter, args, { stdio: 'inherit', cwd: folder, env: isKit ? studentSession(folder) : process.env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => lab.kill(signal));
lab.on('exit', (code) => process.exit(code ?? 0));
