import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { artifacts, freePort, haveChromium, launchChromium } from './helpers/browser';
import { LiteWindow, openSiteNotebook } from './helpers/lite';
import { notQuickCollapse } from './helpers/notebook-outputs';
import { whyNoSandbox } from './helpers/sandbox';
import { describeUnless, testUnless } from './helpers/skip';
import { StaticServer, serveStatic } from './helpers/static-server';

/**
 * The static site (npm run site) as students meet it: built once, served by a plain static server on
 * the loopback, opened in chromium; the notebooks run cell by cell in the TypeScript kernel that runs
 * in the page's web worker. The site is built in quick mode (--rapide) with the solutions (--corriges).
 */

const root = path.resolve(__dirname, '..');
const python = path.join(root, '.venv', 'bin', 'python');
const SOLUTION_01 = 'corrigés/01-auto-encodeurs-denses.ipynb';
/** Notebooks 02 and 03 take several minutes more in the browser: run on demand (README, Tests). */
const ALL_NOTEBOOKS = process.env.TP5_SITE_ALL === '1';

/** A code cell's outputs as JupyterLab holds them, and the tp5 metadata of the cell. */
interface CellRun {
  index: number;
  tp5: Record<string, string>;
  text: string;
  stderr: string;
  mimeTypes: string[];
}

/** Opens the notebook and clears the outputs it was saved with; seconds until its kernel was ready. */
async function openNotebook(page: Page, site: string, notebook: string): Promise<number> {
  const started = Date.now();
  await openSiteNotebook(page, site, notebook);
  await page.evaluate(() => (window as unknown as LiteWindow).jupyterapp.commands.execute('notebook:clear-all-cell-outputs'));
  return (Date.now() - started) / 1000;
}

/** Runs the notebook's cell `index` (JupyterLab's run-cell, as Ctrl+Entrée does) and returns what it shows. */
function runCell(page: Page, index: number): Promise<CellRun> {
  return page.evaluate(async (i) => {
    const app = (window as unknown as LiteWindow).jupyterapp;
    const notebook = app.shell.currentWidget!.content;
    notebook.activeCellIndex = i;
    await app.commands.execute('notebook:run-cell');
    const cell = notebook.model.cells.get(i);
    const outputs = cell.outputs.toJSON();
    const join = (value: unknown) => (Array.isArray(value) ? value.join('') : String(value ?? ''));
    return {
      index: i,
      tp5: (cell.getMetadata('tp5') ?? {}) as Record<string, string>,
      text: outputs.map((o) => (o.output_type === 'stream' ? join(o.text) : join(o.data?.['text/plain']))).join('\n'),
      stderr: outputs
        .filter((o) => o.name === 'stderr')
        .map((o) => join(o.text))
        .join(''),
      mimeTypes: outputs.flatMap((o) => Object.keys(o.data ?? {})),
    };
  }, index);
}

/** The indices of the notebook's code cells. */
function codeCells(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const cells = (window as unknown as LiteWindow).jupyterapp.shell.currentWidget!.content.model.cells;
    return Array.from({ length: cells.length }, (_, i) => i).filter((i) => cells.get(i).type === 'code');
  });
}

/** Adds a code cell at the end of the notebook (as a student types one); its index. */
function addCell(page: Page, source: string): Promise<number> {
  return page.evaluate((code) => {
    const notebook = (window as unknown as LiteWindow).jupyterapp.shell.currentWidget!.content;
    const at = notebook.model.cells.length;
    notebook.model.sharedModel.insertCell(at, { cell_type: 'code', source: code });
    return at;
  }, source);
}

/** Adds a code cell and runs it; what it shows. */
async function addAndRun(page: Page, source: string): Promise<CellRun> {
  return runCell(page, await addCell(page, source));
}

/** Adds a code cell and starts it without waiting for its end (to press ■ meanwhile); its index. */
async function addAndStart(page: Page, source: string): Promise<number> {
  const index = await addCell(page, source);
  void runCell(page, index).catch(() => undefined);
  return index;
}

async function runAll(page: Page): Promise<CellRun[]> {
  const runs: CellRun[] = [];
  for (const index of await codeCells(page)) runs.push(await runCell(page, index));
  return runs;
}

/** True once the output of cell `index` drawn in the page holds `selector` (brought into view first). */
async function drawn(page: Page, index: number, selector: string): Promise<boolean> {
  await page.evaluate((i) => (window as unknown as LiteWindow).jupyterapp.shell.currentWidget!.content.scrollToItem(i), index);
  return page
    .waitForFunction(
      ([i, s]) => {
        const node = (window as unknown as LiteWindow).jupyterapp.shell.currentWidget!.content.widgets[i as number]?.node;
        const found = node?.querySelector(s as string);
        return found !== null && found !== undefined && (!(found instanceof HTMLImageElement) || found.naturalWidth > 0);
      },
      [index, selector],
      { timeout: 30_000 },
    )
    .then(
      () => true,
      () => false,
    );
}

const checksOf = (runs: CellRun[]) => runs.filter((run) => run.tp5.check !== undefined);

describeUnless(haveChromium ? '' : 'Debian chromium is not installed', 'the static site (npm run site), in chromium', () => {
  let out: string;
  let server: StaticServer;
  let browser: Browser;
  let downloaded: string | undefined;

  beforeAll(async () => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'tp5-site-'));
    const built = spawnSync('npm', ['run', 'site', '--', '--rapide', '--corriges', '--out', path.join(out, 'site')], {
      cwd: root,
      encoding: 'utf8',
    });
    if (built.status !== 0) throw new Error(`npm run site failed:\n${built.stdout}\n${built.stderr}`);
    console.log(
      built.stdout
        .split('\n')
        .filter((line) => line.startsWith('[site]'))
        .join('\n'),
    );
    server = await serveStatic(path.join(out, 'site'), await freePort());
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    fs.rmSync(out, { recursive: true, force: true });
  });

  describe('the solution of notebook 01, in one page', () => {
    let page: Page;
    let runs: CellRun[];
    /** What the page asked of any other address than the site's (a CDN, say): nothing is expected. */
    const elsewhere: string[] = [];

    beforeAll(async () => {
      page = await browser.newPage({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
      page.on('request', (request) => {
        if (!request.url().startsWith(server.url) && !/^(data|blob):/.test(request.url())) elsewhere.push(request.url());
      });
      const opened = Date.now();
      const ready = await openNotebook(page, server.url, SOLUTION_01);
      const first = await runCell(page, (await codeCells(page))[0]);
      console.log(
        `site: notebook open with its kernel ready in ${ready.toFixed(1)} s, first cell answered ${((Date.now() - opened) / 1000).toFixed(1)} s after opening the page`,
      );
      const started = Date.now();
      runs = [first, ...(await runAll(page)).slice(1)];
      console.log(`site: notebook 01 (quick mode), ${runs.length} code cells in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }, 900_000);

    afterAll(() => page?.close());

    test('cell by cell in quick mode: every check says « tout est juste », nothing fails', () => {
      // Headless chromium here draws WebGL with the processor (SwiftShader): the kernel takes WebAssembly, and says why.
      expect(runs[0].text).toMatch(/Moteur de calcul : wasm .*car webgl a échoué : WebGL sans carte graphique \(.*SwiftShader/);
      expect(runs[0].text).toContain('Mode rapide');
      const checks = checksOf(runs);
      expect([...new Set(checks.map((run) => run.tp5.check))]).toEqual(['0', '1.1', '1.2', '1.3', '1.4', '1.5', '1.6']);
      for (const check of checks) expect(`${check.tp5.check}: ${check.text}`).toMatch(/tout est juste/);
      expect(runs.filter((run) => run.stderr !== '' && notQuickCollapse(run.stderr)).map((run) => `${run.index}: ${run.stderr}`)).toEqual(
        [],
      );
    });

    test('JupyterLab speaks French, and the page asks nothing of any address but the site', async () => {
      expect(await page.locator('.lm-MenuBar-itemLabel', { hasText: 'Fichier' }).count()).toBe(1);
      expect(await page.locator('.lm-MenuBar-itemLabel', { hasText: 'Noyau' }).count()).toBe(1);
      expect(elsewhere).toEqual([]);
    });

    test('a plotly figure and an image grid are drawn, through the MIME bundles JupyterLab renders', async () => {
      const figure = runs.find((run) => run.mimeTypes.includes('application/vnd.plotly.v1+json'));
      const grid = runs.find((run) => /Images, de haut en bas/.test(run.text) || run.mimeTypes.includes('image/png'));
      expect(figure).toBeDefined();
      expect(grid).toBeDefined();
      expect(await drawn(page, figure!.index, '.jp-RenderedPlotly .main-svg')).toBe(true);
      await page.screenshot({ path: path.join(artifacts, 'site-figure.png') });
      expect(await drawn(page, grid!.index, 'img')).toBe(true);
    });

    test('the notebook downloaded from the page (Fichier › Télécharger) is the executed notebook', async () => {
      await page.evaluate(() => (window as unknown as LiteWindow).jupyterapp.commands.execute('docmanager:save'));
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.evaluate(() => (window as unknown as LiteWindow).jupyterapp.commands.execute('docmanager:download')),
      ]);
      downloaded = path.join(out, 'rendus', 'etudiant-du-site', '01-auto-encodeurs-denses.ipynb');
      fs.mkdirSync(path.dirname(downloaded), { recursive: true });
      await download.saveAs(downloaded);
      const notebook = JSON.parse(fs.readFileSync(downloaded, 'utf8'));
      expect(notebook.metadata.kernelspec.name).toBe('tslab');
      const outputs = JSON.stringify(notebook.cells.map((cell: { outputs?: unknown }) => cell.outputs ?? []));
      expect(outputs).toContain('tout est juste');
    });

    test('a typo: the compiler says it in French, and which question does not compile', async () => {
      const run = await addAndRun(page, 'cosnt erreur = 1;');
      expect(run.stderr).toContain('ne compile pas');
      expect(run.stderr).toMatch(/ligne 1, colonne 1 : Mot clé ou identificateur inconnu/);
      const thrown = await addAndRun(page, 'function denseAutoencoder1() { return lab.nExistePas(); }\ndenseAutoencoder1();');
      expect(thrown.stderr).toMatch(/La réponse à la question 1\.1 s'est arrêtée sur une erreur/);
    });

    test('■ stops a training at its next pause; the cell says so in French and the variables stay', async () => {
      await addAndRun(page, 'const model = lab.buildConv();\nconst histories: lab.TrainingHistory[] = [];');
      const index = await addAndStart(
        page,
        'for (let seed = 1; seed <= 50; seed++) histories.push(await lab.trainAutoencoder(model, { inputs: data.train }, { epochs: 3, seed }));',
      );
      // Quick mode trains three epochs at most: fifty trainings in a row keep the cell busy.
      await page.waitForFunction(
        (i) => {
          const model = (window as unknown as LiteWindow).jupyterapp.shell.currentWidget!.content.model.cells.get(i);
          return /époque \d+\/3/.test(JSON.stringify(model.outputs.toJSON()));
        },
        index,
        { timeout: 120_000 },
      );
      await page.click('.jp-NotebookPanel-toolbar [data-command="notebook:interrupt-kernel"]');
      await page.waitForFunction(
        (i) => {
          const model = (window as unknown as LiteWindow).jupyterapp.shell.currentWidget!.content.model.cells.get(i);
          const text = JSON.stringify(model.outputs.toJSON());
          return /Cellule arrêtée \(■\)\./.test(text) && /entraînement interrompu/.test(text);
        },
        index,
        { timeout: 60_000 },
      );
      const kept = await addAndRun(page, 'console.log(`entraînements gardés : ${histories.length}`);');
      // The stopped training's history is kept (marked interrupted); none starts after it.
      const count = Number(/entraînements gardés : (\d+)/.exec(kept.text)?.[1]);
      expect(count).toBeGreaterThanOrEqual(1);
      expect(count).toBeLessThan(50);
      const last = await addAndRun(page, 'histories[histories.length - 1].interrupted');
      expect(last.text).toBe('true');
    }, 300_000);

    test('■ on code that never pauses: the worker is replaced, said in French, and the next cell runs', async () => {
      const index = await addAndStart(page, 'while (true) {}');
      await page.waitForFunction(() => document.querySelector('.jp-Notebook-ExecutionIndicator[data-status="busy"]') !== null);
      await page.click('.jp-NotebookPanel-toolbar [data-command="notebook:interrupt-kernel"]');
      await page.waitForFunction(
        (i) =>
          /le noyau a donc été redémarré/.test(
            JSON.stringify((window as unknown as LiteWindow).jupyterapp.shell.currentWidget!.content.model.cells.get(i).outputs.toJSON()),
          ),
        index,
        { timeout: 30_000 },
      );
      const after = await addAndRun(page, 'typeof histories + " " + (6 * 7)');
      expect(after.text).toContain("'undefined 42'");
    });
  });

  testUnless(
    whyNoSandbox,
    'the solution downloaded from the site grades 7/7 with npm run grade',
    () => {
      expect(downloaded).toBeDefined();
      const result = spawnSync(
        python,
        ['-m', 'grader', 'grade', path.join(out, 'rendus'), '--out', path.join(out, 'notes'), '--jobs', '1'],
        {
          cwd: root,
          encoding: 'utf8',
        },
      );
      expect(result.stdout).toMatch(/etudiant-du-site\/01-auto-encodeurs-denses\.ipynb : 7 \/ 7/);
    },
    300_000,
  );

  test('the student notebook 01: each answer to write says so (lab.todo), in French', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await openNotebook(page, server.url, '01-auto-encodeurs-denses.ipynb');
      const cells = await codeCells(page);
      const runs: CellRun[] = [];
      for (const index of cells.slice(0, 6)) runs.push(await runCell(page, index));
      expect(runs.map((run) => run.stderr).join('\n')).toMatch(
        /Question 0 à compléter : .*Remplacez la ligne lab\.todo\(…\) par votre code/,
      );
    } finally {
      await page.close();
    }
  }, 300_000);

  testUnless(
    ALL_NOTEBOOKS ? '' : 'notebooks 02 and 03 in the browser take several minutes more: TP5_SITE_ALL=1 runs them',
    'the solutions of notebooks 02 and 03, cell by cell in quick mode: every check « tout est juste »',
    async () => {
      for (const notebook of ['corrigés/02-auto-encodeur-convolutif.ipynb', 'corrigés/03-debruitage.ipynb']) {
        const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        try {
          await openNotebook(page, server.url, notebook);
          const started = Date.now();
          const runs = await runAll(page);
          console.log(`site: ${notebook} (quick mode), ${runs.length} code cells in ${((Date.now() - started) / 1000).toFixed(0)} s`);
          for (const check of checksOf(runs)) expect(`${notebook} ${check.tp5.check}: ${check.text}`).toMatch(/tout est juste/);
          expect(runs.filter((run) => run.stderr !== '').map((run) => `${notebook} ${run.index}: ${run.stderr}`)).toEqual([]);
        } finally {
          await page.close();
        }
      }
    },
    1_800_000,
  );
});

describe('npm run site, given bad arguments', () => {
  const build = (...args: string[]) =>
    spawnSync(process.execPath, [path.join(root, 'site', 'build.mjs'), ...args], { cwd: root, encoding: 'utf8' });

  test('an output folder holding other files is refused, and nothing in it is removed', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tp5-not-a-site-'));
    fs.writeFileSync(path.join(folder, 'notes.csv'), 'précieux');
    const result = build('--out', folder);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/n'est ni vide ni un site construit par npm run site : rien n'y a été effacé/);
    expect(fs.readFileSync(path.join(folder, 'notes.csv'), 'utf8')).toBe('précieux');
    fs.rmSync(folder, { recursive: true });
  });

  test('an unknown option, or --out without a folder, is named with what is allowed', () => {
    expect(build('--vite').stderr).toMatch(/argument inconnu : --vite \(possibles : --out DOSSIER, --rapide, --corriges\)/);
    expect(build('--out').stderr).toMatch(/--out attend le dossier où écrire le site/);
  });
});
