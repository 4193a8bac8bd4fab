import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Browser, Page } from 'playwright-core';
import { CHROMIUM, artifacts, freePort, haveChromium, launchChromium } from './helpers/browser';
import { NOTEBOOKS, notQuickCollapse } from './helpers/notebook-outputs';
import { describeUnless } from './helpers/skip';

/**
 * As a student: JupyterLab from the project's .venv, Debian's chromium, each notebook opened,
 * all cells run (quick mode), figures and image grids checked, then saved, reopened and checked again.
 * Screenshots go to test/artifacts/ for a person to look at.
 */

const root = path.resolve(__dirname, '..');

const noChromium = haveChromium ? '' : `${CHROMIUM} is missing: \`node scripts/setup.mjs --browser\` installs it`;
if (noChromium && process.env.CI) throw new Error(noChromium);

/** A copy of the notebooks without outputs, inside the project so that they find the library. */
function prepareWorkspace(): string {
  fs.mkdirSync(path.join(root, 'build'), { recursive: true });
  const workspace = fs.mkdtempSync(path.join(root, 'build', 'browser-test-'));
  fs.mkdirSync(path.join(workspace, 'notebooks'));
  for (const name of NOTEBOOKS) {
    const notebook = JSON.parse(fs.readFileSync(path.join(root, 'notebooks', name), 'utf8'));
    for (const cell of notebook.cells) {
      if (cell.cell_type === 'code') {
        cell.outputs = [];
        cell.execution_count = null;
      }
    }
    fs.writeFileSync(path.join(workspace, 'notebooks', name), JSON.stringify(notebook));
  }
  // The student kit, as a student opens it.
  const kit = spawnSync(
    path.join(root, '.venv', 'bin', 'python'),
    [
      '-m',
      'grader',
      'student',
      '--output-dir',
      path.join(workspace, 'notebooks', 'etudiant'),
      ...NOTEBOOKS.map((name) => path.join(root, 'notebooks', name)),
    ],
    { cwd: root },
  );
  if (kit.status !== 0) throw new Error(`npm run student failed: ${kit.stderr}`);
  // Keep every cell in the page (no virtual scrolling), so that all outputs can be counted.
  const settings = path.join(workspace, '.settings', '@jupyterlab', 'notebook-extension');
  fs.mkdirSync(settings, { recursive: true });
  fs.writeFileSync(path.join(settings, 'tracker.jupyterlab-settings'), JSON.stringify({ windowingMode: 'none' }));
  const notifications = path.join(workspace, '.settings', '@jupyterlab', 'apputils-extension');
  fs.mkdirSync(notifications, { recursive: true });
  fs.writeFileSync(path.join(notifications, 'notification.jupyterlab-settings'), JSON.stringify({ fetchNews: 'false' }));
  return workspace;
}

async function waitForServer(url: string, server: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 120; i++) {
    if (server.exitCode !== null) throw new Error(`JupyterLab exited with code ${server.exitCode}:\n${log()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`JupyterLab did not answer at ${url} within 60 s:\n${log()}`);
}

interface PageState {
  busy: boolean;
  codeCells: number;
  executed: number;
}

/** Kernel busy or not, and how many code cells have an execution count, read from the page. */
async function notebookState(page: Page): Promise<PageState> {
  return page.evaluate(() => {
    const prompts = Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')).map((p) => p.textContent ?? '');
    const kernelBusy = document.querySelector('.jp-Notebook-ExecutionIndicator[data-status="busy"]') !== null;
    return {
      busy: kernelBusy || prompts.some((p) => p.includes('*')),
      codeCells: prompts.length,
      executed: prompts.filter((p) => /\[\d+\]/.test(p)).length,
    };
  });
}

/** The parts of JupyterLab's application object (exposed with --LabApp.expose_app_in_browser) used here. */
interface LabWindow {
  jupyterapp?: {
    commands: { execute(id: string): Promise<unknown> };
    shell: { currentWidget: { sessionContext?: { session?: { kernel?: { status: string } } } } | null };
  };
}

async function runCommand(page: Page, command: string): Promise<void> {
  await page.evaluate((id) => (window as unknown as LabWindow).jupyterapp?.commands.execute(id), command);
}

/** Plotly charts are drawn when they become visible: bring each output into view in turn. */
async function scrollThroughOutputs(page: Page): Promise<void> {
  const count = await page.evaluate(() => document.querySelectorAll('.jp-OutputArea-output').length);
  for (let i = 0; i < count; i++) {
    await page.evaluate((index) => document.querySelectorAll('.jp-OutputArea-output')[index]?.scrollIntoView(), i);
    await page.waitForTimeout(150);
  }
  await page.waitForTimeout(1000);
}

/**
 * What the page shows: error outputs, plotly charts that are drawn (interactive, or the PNG snapshot
 * JupyterLab's plotly renderer saves with the notebook and shows on reopening), image grids.
 */
async function drawnContent(page: Page): Promise<{ errors: string[]; plots: number; grids: number }> {
  return page.evaluate(() => {
    const loaded = (img: Element | null) => img !== null && (img as HTMLImageElement).naturalWidth > 0;
    return {
      errors: Array.from(document.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')).map((e) =>
        (e.textContent ?? '').slice(0, 500),
      ),
      plots: Array.from(document.querySelectorAll('.jp-OutputArea-output.jp-RenderedPlotly')).filter(
        (p) => p.querySelector('.main-svg') !== null || loaded(p.querySelector('img.plot-img')),
      ).length,
      grids: Array.from(document.querySelectorAll('.jp-OutputArea-output img[alt^="Images, de haut en bas"]')).filter(loaded).length,
    };
  });
}

async function openNotebook(page: Page, base: string, name: string, token: string): Promise<void> {
  await page.goto(`${base}/lab/tree/${name}?token=${token}&reset`, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('.jp-NotebookPanel .jp-Cell', { timeout: 60_000 });
  // The notebook is the current widget and its kernel has started.
  await page.waitForFunction(
    () => (window as unknown as LabWindow).jupyterapp?.shell.currentWidget?.sessionContext?.session?.kernel?.status === 'idle',
    undefined,
    { timeout: 90_000 },
  );
}

/** A running JupyterLab: the process, its address, and all it has printed so far. */
interface Lab {
  server: ChildProcess;
  base: string;
  log: () => string;
}

/**
 * Starts `command` with JupyterLab's `args` and the options the tests share (this port and token, no
 * browser, the app exposed to the page, no update check); resolves once the server answers.
 */
async function startJupyterLab(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
  token: string,
): Promise<Lab> {
  const port = await freePort();
  const shared = [
    '--no-browser',
    `--port=${port}`,
    '--ServerApp.ip=127.0.0.1',
    `--IdentityProvider.token=${token}`,
    '--LabApp.expose_app_in_browser=True',
    '--ServerApp.port_retries=0',
    '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate',
  ];
  const server = spawn(command, [...args, ...shared], options);
  let printed = '';
  server.stdout?.on('data', (d) => {
    printed += d;
  });
  server.stderr?.on('data', (d) => {
    printed += d;
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForServer(`${base}/api/status?token=${token}`, server, () => printed.slice(-3000));
  return { server, base, log: () => printed };
}

describeUnless(noChromium, 'JupyterLab in headless chromium', () => {
  let lab: Lab;
  let browser: Browser;
  let base = '';
  const token = randomBytes(16).toString('hex');
  let workspace = '';

  beforeAll(async () => {
    fs.mkdirSync(artifacts, { recursive: true });
    workspace = prepareWorkspace();
    const args = ['lab', `--ServerApp.root_dir=${path.join(workspace, 'notebooks')}`];
    if (process.getuid?.() === 0) args.push('--allow-root');
    lab = await startJupyterLab(
      path.join(root, '.venv', 'bin', 'jupyter'),
      args,
      {
        cwd: workspace,
        env: {
          ...process.env,
          TP5_QUICK: '1',
          JUPYTER_CONFIG_DIR: path.join(workspace, '.jupyter'),
          JUPYTERLAB_SETTINGS_DIR: path.join(workspace, '.settings'),
        },
      },
      token,
    );
    base = lab.base;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    lab?.server.kill('SIGTERM');
    fs.rmSync(workspace, { recursive: true, force: true });
    if (lab) fs.writeFileSync(path.join(artifacts, 'jupyterlab.log'), lab.log());
  });

  test.each(NOTEBOOKS)(
    '%s: runs without error, draws its figures, keeps them after save and reopen',
    async (name) => {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      // A screenshot with the notebook's first figure in view.
      const shot = async (suffix: string) => {
        await page.evaluate(() => document.querySelector('.jp-RenderedPlotly')?.scrollIntoView({ block: 'center' }));
        await page.waitForTimeout(500);
        await page.screenshot({ path: path.join(artifacts, `${name.replace('.ipynb', '')}-${suffix}.png`) });
      };
      try {
        await openNotebook(page, base, name, token);
        await runCommand(page, 'notebook:run-all-cells');
        const deadline = Date.now() + 240_000;
        let state = await notebookState(page);
        while ((state.busy || state.executed < state.codeCells) && Date.now() < deadline) {
          await page.waitForTimeout(1000);
          state = await notebookState(page);
        }
        expect(state.executed).toBe(state.codeCells);
        await scrollThroughOutputs(page);
        const afterRun = await drawnContent(page);
        await shot('run');
        expect(afterRun.errors.filter(notQuickCollapse)).toEqual([]);
        expect(afterRun.plots).toBeGreaterThanOrEqual(2);
        expect(afterRun.grids).toBeGreaterThanOrEqual(1);
        // plotly's toolbar speaks French (its words travel with each figure: lib/plots/charts.ts).
        const toolbar = await page.evaluate(() =>
          Array.from(document.querySelectorAll('.jp-RenderedPlotly .modebar-btn')).map((button) => button.getAttribute('data-title') ?? ''),
        );
        expect(toolbar).toContain('Télécharger le graphique en fichier PNG');
        expect(toolbar.join(' ')).not.toMatch(/Download|Autoscale|Reset axes/);

        await runCommand(page, 'docmanager:save');
        await page.waitForFunction(() => !document.title.startsWith('*') && !document.querySelector('.jp-mod-dirty'), undefined, {
          timeout: 30_000,
        });
        // Reopen: a new page load reads the notebook back from the saved file.
        await openNotebook(page, base, name, token);
        await scrollThroughOutputs(page);
        const reopened = await drawnContent(page);
        await shot('reopened');
        expect(reopened.errors.filter(notQuickCollapse)).toEqual([]);
        expect(reopened.plots).toBe(afterRun.plots);
        expect(reopened.grids).toBe(afterRun.grids);
      } finally {
        await page.close();
      }
    },
    360_000,
  );

  test('an untouched student notebook stops at its first question with a French message', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    try {
      await openNotebook(page, base, 'etudiant/01-auto-encodeurs-denses.ipynb', token);
      await runCommand(page, 'notebook:run-all-cells');
      await page.waitForSelector('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]', { timeout: 120_000 });
      await page.waitForFunction(() => document.querySelector('.jp-Notebook-ExecutionIndicator[data-status="busy"]') === null, undefined, {
        timeout: 60_000,
      });
      const { errors } = await drawnContent(page);
      await page.evaluate(() =>
        document
          .querySelector('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
          ?.scrollIntoView({ block: 'center' }),
      );
      await page.screenshot({ path: path.join(artifacts, 'etudiant-01-first-question.png') });
      expect(errors.length).toBeGreaterThanOrEqual(1);
      expect(errors[0]).toContain('Question 0 à compléter : préparer les données');
      expect(errors[0]).not.toMatch(/at \S+ \(|node_modules|Error:/);
    } finally {
      await page.close();
    }
  }, 240_000);
});

/** A notebook of the student's own beside the kit: three trainings looped in one cell, then a look at what was kept. */
const STOP_NOTEBOOK = 'essai-arret.ipynb';

function writeStopNotebook(file: string): void {
  const code = (source: string) => ({ cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source });
  const notebook = {
    cells: [
      code(
        'import * as lab from "tp5-lab";\nawait lab.initBackend();\n' +
          'const data = await lab.loadDataset({ trainLimit: 4000, testLimit: 100 });\n' +
          'const model = lab.buildConv();\nconst histories: lab.TrainingHistory[] = [];',
      ),
      code(
        'for (const seed of [1, 2, 3]) histories.push(await lab.trainAutoencoder(model, { inputs: data.train }, { epochs: 500, seed }));',
      ),
      code('console.log(`entraînements gardés : ${histories.length}`);'),
    ],
    metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  fs.writeFileSync(file, JSON.stringify(notebook));
}

/**
 * As a student opening the kit with `npm start -- FOLDER` (scripts/start.mjs): JupyterLab speaks
 * French, nbgrader's menu, button and sidebar are absent, and the toolbar's ■ stops a cell.
 */
describeUnless(noChromium, "the student's session: npm start on a kit, in headless chromium", () => {
  let lab: Lab;
  let browser: Browser;
  let kit = '';
  const token = randomBytes(16).toString('hex');

  beforeAll(async () => {
    fs.mkdirSync(artifacts, { recursive: true });
    fs.mkdirSync(path.join(root, 'build'), { recursive: true });
    kit = fs.mkdtempSync(path.join(root, 'build', 'browser-kit-'));
    writeStopNotebook(path.join(kit, STOP_NOTEBOOK));
    const made = spawnSync(
      path.join(root, '.venv', 'bin', 'python'),
      ['-m', 'grader', 'student', '--output-dir', kit, ...NOTEBOOKS.map((name) => path.join(root, 'notebooks', name))],
      { cwd: root },
    );
    if (made.status !== 0) throw new Error(`npm run student failed: ${made.stderr}`);
    // The kit's own settings, as on a student's machine (not those of whoever runs the tests).
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.JUPYTER_CONFIG_DIR;
    delete env.JUPYTERLAB_SETTINGS_DIR;
    lab = await startJupyterLab(process.execPath, [path.join(root, 'scripts', 'start.mjs'), kit], { cwd: root, env }, token);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    lab?.server.kill('SIGTERM');
    fs.rmSync(kit, { recursive: true, force: true });
    if (lab) fs.writeFileSync(path.join(artifacts, 'jupyterlab-student.log'), lab.log());
  });

  test('JupyterLab is in French and shows nothing of nbgrader', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await openNotebook(page, lab.base, NOTEBOOKS[0], token);
      await page.waitForTimeout(1000);
      await page.screenshot({ path: path.join(artifacts, 'etudiant-session-fr.png') });
      const menus = await page.$$eval('.lm-MenuBar-itemLabel', (labels) => labels.map((label) => label.textContent));
      expect(menus).toEqual(expect.arrayContaining(['Fichier', 'Édition', 'Affichage', 'Exécution', 'Noyau']));
      expect(menus).not.toContain('File');
      expect(lab.log()).toContain('session étudiant');
      const pageText = await page.evaluate(() => document.body.innerText);
      expect(pageText).not.toMatch(/nbgrader|Validate|Create Assignment|Formgrader|Assignment List/i);
      // Words the French language pack leaves in English, added by setup (session/lab/traductions-fr.json).
      expect(pageText).not.toMatch(/\bCell \d+\/\d+/);
      await page.click('.lm-MenuBar-itemLabel >> text=Aide');
      const helpItems = await page.$$eval('.lm-Menu-itemLabel', (labels) => labels.map((label) => label.textContent));
      expect(helpItems).toContain('Licences');
      expect(helpItems).not.toContain('Licenses');
      await page.keyboard.press('Escape');
      expect(await page.$$('[id*="nbgrader"], [class*="nbgrader"]')).toHaveLength(0);
      // nbgrader's server side is off too: its formgrader (the teacher's) does not open by URL.
      expect((await fetch(`${lab.base}/formgrader?token=${token}`)).status).toBe(404);
    } finally {
      await page.close();
    }
  }, 180_000);

  test("the toolbar's ■ stops a cell of three trainings: one French line, the second training never starts", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await openNotebook(page, lab.base, STOP_NOTEBOOK, token);
      // The cells run one by one, as a student does (Shift+Enter).
      await page.locator('.jp-CodeCell .jp-InputPrompt').nth(0).click();
      await page.keyboard.press('Shift+Enter');
      await page.waitForFunction(() => /\[1\]/.test(document.querySelector('.jp-CodeCell .jp-InputPrompt')?.textContent ?? ''), undefined, {
        timeout: 120_000,
      });
      await page.keyboard.press('Shift+Enter');
      // Press ■ once the first training shows its progress (past its set-up, in its steps).
      await page.waitForFunction(() => /époque \d+\/500/.test(document.querySelectorAll('.jp-CodeCell')[1]?.textContent ?? ''), undefined, {
        timeout: 240_000,
      });
      await page.click('.jp-NotebookPanel-toolbar [data-command="notebook:interrupt-kernel"]');
      const cellOutput = () =>
        page.evaluate(
          () => (document.querySelectorAll('.jp-CodeCell')[1]?.querySelector('.jp-OutputArea') as HTMLElement | null)?.innerText ?? '',
        );
      // The cell ends, then the training's display gets its last line: wait for both.
      await page.waitForFunction(
        () => {
          const text = document.querySelectorAll('.jp-CodeCell')[1]?.textContent ?? '';
          return /Cellule arrêtée \(■\)\./.test(text) && /entraînement interrompu/.test(text);
        },
        undefined,
        { timeout: 60_000 },
      );
      await page.waitForFunction(() => document.querySelector('.jp-Notebook-ExecutionIndicator[data-status="busy"]') === null, undefined, {
        timeout: 60_000,
      });
      const output = await cellOutput();
      expect(output).toMatch(/entraînement interrompu pendant l'époque \d+/);
      expect(output).not.toMatch(/Error|Interrupted|node_modules|\bat \S+ \(/);
      // The third cell, run as a student does, at once: only the stopped training's history was kept.
      await page.locator('.jp-CodeCell .jp-InputPrompt').nth(2).click();
      await page.keyboard.press('Control+Enter');
      await page.waitForFunction(
        () => /entraînements gardés : \d/.test(document.querySelectorAll('.jp-CodeCell')[2]?.textContent ?? ''),
        undefined,
        {
          timeout: 60_000,
        },
      );
      const kept = () => page.evaluate(() => document.querySelectorAll('.jp-CodeCell')[2]?.textContent ?? '');
      await page.evaluate(() => document.querySelectorAll('.jp-CodeCell')[1]?.scrollIntoView({ block: 'start' }));
      await page.screenshot({ path: path.join(artifacts, 'etudiant-arret.png') });
      expect(await kept()).toContain('entraînements gardés : 1');
    } finally {
      await page.close();
    }
  }, 420_000);
});
