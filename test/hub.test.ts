import { ChildProcess, SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { artifacts, freePort, haveChromium, launchChromium } from './helpers/browser';
import { NOTEBOOKS } from './helpers/notebook-outputs';
import { describeUnless } from './helpers/skip';

/**
 * The class server (hub/) as a class meets it, on one hub shared by the tests below, started with the
 * teacher's own command (`npm run hub -- serve`): a roster of four, the teacher's password set on the
 * command line, first-login codes; two students choosing their password with their code and logging in
 * at once in chromium, each with their own kit in French JupyterLab, a cell run and a hand-in from
 * JupyterLab's « Rendre » button; then a hostile class: accounts claimed with public facts, another's
 * code or a spent one; from one student's kernel and terminal, the other's home and hand-in, the exchange
 * and the solutions out of reach, and nothing of the other's kernel heard on any socket; a home filled
 * past its bound; the teacher's collect, `npm run grade`, return, and each student's feedback page in
 * JupyterLab; a memory bomb and a fork bomb that end in their author's share while the other student's
 * kernel answers; a SIGTERM to the teacher's command that leaves nothing running, and a restart that
 * loses nothing. Then bad input, each refused in French with nothing created.
 */

const root = path.resolve(__dirname, '..');
const python = path.join(root, '.venv', 'bin', 'python');
const checks = path.join(root, 'test', 'helpers', 'hub_checks.py');

interface Someone {
  name: string;
  password: string;
  /** The first-login code `npm run hub -- codes` gave (students only). */
  code?: string;
}
const alice: Someone = { name: 'essai-alice', password: 'alice-mot-de-passe-1' };
const bob: Someone = { name: 'essai-bob', password: 'bob-mot-de-passe-22' };
/** A student who never comes: her account must stay unopened. */
const carol: Someone = { name: 'essai-carol', password: 'carol-mot-de-passe-4' };
const teacher: Someone = { name: 'essai-prof', password: 'prof-mot-de-passe-3' };
const TEACHER_EMAIL = 'paule.prof@univ.example';
const ROSTER = [
  'identifiant,nom,email,role',
  `${alice.name},Alice Martin,alice.martin@univ.example,`,
  `${bob.name},Bob Durand,bob.durand@univ.example,étudiant`,
  `${carol.name},Carole Petit,carole.petit@univ.example,`,
  `${teacher.name},Paule Prof,${TEACHER_EMAIL},enseignante`,
].join('\n');
/** The homes' bound in this test: small, so that filling one is quick. */
const DISK_GB = 0.25;
const NOTEBOOK = NOTEBOOKS[0];

/** Why the class server cannot run here ("" when it can): it makes accounts, sandboxes and cgroups. */
function whyNotHere(): string {
  if (process.getuid?.() !== 0) return 'the class server runs as root (accounts, sandboxes, control groups)';
  const probe = spawnSync(
    python,
    [
      '-c',
      'import sandbox; g = sandbox.Group("tp5-essai-sonde", 1 << 30, 64, 1.0); print(sandbox.unavailable() or ("" if g.active else "no writable cgroup")); g.close()',
    ],
    { cwd: root, encoding: 'utf8' },
  );
  return probe.status !== 0 ? `the sandbox probe failed: ${probe.stderr}` : probe.stdout.trim();
}
const whyNot = whyNotHere() || (haveChromium ? '' : 'Debian chromium is missing');
if (whyNot && process.env.CI) throw new Error(`the class server's tests cannot run: ${whyNot}`);

function hubCommand(folder: string, args: string[], input?: string): SpawnSyncReturns<string> {
  return spawnSync(python, ['-m', 'hub', ...args, '--folder', folder], { cwd: root, encoding: 'utf8', timeout: 120_000, input });
}

/** The class folder's own mark in names the machine shares (hub/layout.py). */
function fingerprintOf(classFolder: string): string {
  return crypto.createHash('sha1').update(classFolder).digest('hex').slice(0, 8);
}

/** The name of a person's control group. */
function groupOf(classFolder: string, someone: Someone): string {
  return `tp5-${fingerprintOf(classFolder)}-${someone.name}`;
}

/** A hub_checks.py command's JSON report. */
function check<T>(command: string, spec: object, timeoutMs = 300_000): T {
  const result = spawnSync(python, [checks, command, JSON.stringify(spec)], { cwd: root, encoding: 'utf8', timeout: timeoutMs });
  if (result.status !== 0) throw new Error(`hub_checks.py ${command} failed:\n${result.stderr.slice(-3000)}`);
  return JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as T;
}

/** What a stopped class server left running: processes in its control groups, mounted homes, listening ports. */
function leftovers(classFolder: string, ports: number[]): string[] {
  const prefix = groupOf(classFolder, { name: '', password: '' });
  const found: string[] = [];
  for (const entry of fs.readdirSync('/sys/fs/cgroup/pids').filter((name) => name.startsWith(prefix))) {
    const processes = fs.readFileSync(path.join('/sys/fs/cgroup/pids', entry, 'cgroup.procs'), 'utf8').trim();
    if (processes) found.push(`processes in ${entry}: ${processes.split('\n').join(' ')}`);
  }
  const mounts = fs.readFileSync('/proc/self/mounts', 'utf8').split('\n');
  found.push(...mounts.filter((line) => line.includes(path.join(classFolder, 'homes'))).map((line) => `mounted: ${line}`));
  for (const port of ports) {
    const listening = spawnSync('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`]).status === 0;
    if (listening) found.push(`port ${port} still listening`);
  }
  return found;
}

interface Hub {
  process: ChildProcess;
  url: string;
  log: () => string;
}

/** The hub, started as a teacher does: `npm run hub -- serve …`. */
async function startHub(folder: string, roster: string, port: number): Promise<Hub> {
  let printed = '';
  const serve = ['serve', roster, '--folder', folder, '--port', String(port), '--ip', '127.0.0.1', '--memory-gb', '2'];
  const child = spawn('npm', ['run', '--silent', 'hub', '--', ...serve, '--disk-gb', String(DISK_GB)], { cwd: root });
  child.stdout?.on('data', (chunk) => (printed += chunk));
  child.stderr?.on('data', (chunk) => (printed += chunk));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`the hub exited with code ${child.exitCode}:\n${printed.slice(-4000)}`);
    const answer = await fetch(`${url}/hub/api/`).catch(() => undefined);
    if (answer?.ok) return { process: child, url, log: () => printed };
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the hub did not answer within 120 s:\n${printed.slice(-4000)}`);
}

async function stopHub(hub: Hub): Promise<void> {
  if (hub.process.exitCode !== null) return;
  const exited = new Promise((resolve) => hub.process.once('exit', resolve));
  hub.process.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 60_000)))]);
  clearTimeout(timer);
}

/** The person's first visit (their code and a chosen password), then their login, in one browser context. */
async function signUpAndLogIn(context: BrowserContext, url: string, someone: Someone): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${url}/hub/login`);
  await page.click('#signup_link');
  await page.fill('#username_input', someone.name);
  await page.fill('#code_input', someone.code ?? '');
  await page.fill('#password_input', someone.password);
  await page.fill('#password_confirmation_input', someone.password);
  await page.click('#signup_submit');
  expect(await (await page.waitForSelector('.alert')).textContent()).toContain('mot de passe enregistré');
  await page.goto(`${url}/hub/login`);
  await page.fill('#username_input', someone.name);
  await page.fill('#password_input', someone.password);
  await page.click('#login_submit');
  await page.waitForSelector('.jp-DirListing-item[title*="LISEZ-MOI.md"], .jp-DirListing-item >> text=LISEZ-MOI.md', { timeout: 180_000 });
  return page;
}

async function listing(page: Page): Promise<string[]> {
  return page.$$eval('.jp-DirListing-itemName', (items) => items.map((item) => item.textContent?.trim() ?? ''));
}

async function openKitNotebook(page: Page): Promise<void> {
  await page.dblclick(`.jp-DirListing-item >> text=${NOTEBOOK}`);
  await page.waitForSelector('.jp-NotebookPanel .tp5-rendre', { timeout: 60_000 });
  await page.waitForFunction(() => document.querySelector('.jp-Notebook-ExecutionIndicator[data-status="idle"]') !== null, undefined, {
    timeout: 120_000,
  });
}

/** Runs the notebook's first code cell (the set-up: the library and its backend) with the toolbar's ▶, as a student does. */
async function runFirstCell(page: Page, someone: Someone): Promise<string> {
  const cell = page.locator('.jp-NotebookPanel .jp-CodeCell').first();
  const ran = () => /Moteur de calcul/.test(document.querySelector('.jp-NotebookPanel .jp-CodeCell')?.textContent ?? '');
  try {
    // A run sent while the new kernel is still connecting can be lost (the prompt stays « [ ]: »): a
    // student then runs the cell again, as here.
    for (let attempt = 0; attempt < 3 && !(await page.evaluate(ran)); attempt++) {
      await cell.locator('.jp-InputPrompt').click();
      await page.click('.jp-NotebookPanel-toolbar [data-command="notebook:run-cell-and-select-next"]');
      await page.waitForFunction(ran, undefined, { timeout: 30_000 }).catch(() => undefined);
    }
  } finally {
    await page.screenshot({ path: path.join(artifacts, `classe-cellule-${someone.name}.png`) });
  }
  return (await cell.textContent()) ?? '';
}

/**
 * The English that a student meets in JupyterLab's own parts (menus, toolbars, status bar, file browser,
 * Launcher, tooltips), the notebook's cells aside: each word found, or a file age written « -4 min ».
 */
async function englishLeft(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const chrome = ['.lm-MenuBar', '.jp-Toolbar', '#jp-main-statusbar', '.jp-FileBrowser', '.jp-Launcher', '.lm-TabBar'];
    const texts = chrome.flatMap((selector) =>
      Array.from(document.querySelectorAll<HTMLElement>(selector), (element) => element.innerText),
    );
    for (const element of Array.from(document.querySelectorAll('[title], [aria-label]')))
      if (!element.closest('.jp-Cell-inputWrapper, .jp-Cell-outputWrapper'))
        texts.push(element.getAttribute('title') ?? '', element.getAttribute('aria-label') ?? '');
    const words = [/\bNotebook\b/, /\bNo Kernel\b/, /More commands/, /Debugger/i, /Couper cette cellule \(C\)/, /\bKernel\b/];
    const found = texts.flatMap((text) =>
      words.filter((word) => word.test(text)).map((word) => `${word.source} in « ${text.slice(0, 80)} »`),
    );
    const ages = Array.from(document.querySelectorAll('.jp-DirListing-itemModified'), (cell) => cell.textContent ?? '');
    return [...new Set([...found, ...ages.filter((age) => /^-\d/.test(age.trim())).map((age) => `age « ${age} »`)])];
  });
}

/** « Rendre », confirming a notebook that is not finished; the receipt's dialog text, after the warning's when there was one. */
async function handIn(page: Page): Promise<string> {
  await page.click('.jp-NotebookPanel .tp5-rendre');
  const dialog = page.locator('.jp-Dialog');
  await dialog.waitFor({ timeout: 60_000 });
  const warning = (await dialog.textContent()) ?? '';
  if (warning.includes("n'est pas terminé")) {
    await dialog.locator('button', { hasText: 'Rendre quand même' }).click();
    await page.waitForFunction(() => /Carnet rendu/.test(document.querySelector('.jp-Dialog')?.textContent ?? ''), undefined, {
      timeout: 60_000,
    });
    return `${warning}\n${(await page.locator('.jp-Dialog').textContent()) ?? ''}`;
  }
  return warning;
}

async function closeDialog(page: Page): Promise<void> {
  await page.locator('.jp-Dialog button', { hasText: 'OK' }).click();
  await page.locator('.jp-Dialog').waitFor({ state: 'detached' });
}

/** TP5 › Mes retours: the feedback page opened in JupyterLab's HTML viewer; its frame. */
async function openFeedback(page: Page): Promise<Frame> {
  await page.click('.lm-MenuBar-itemLabel >> text=TP5');
  await page.click('.lm-Menu-itemLabel >> text=Mes retours');
  const frameElement = await page.waitForSelector('.jp-HTMLViewer iframe', { timeout: 60_000 });
  const frame = await frameElement.contentFrame();
  if (!frame) throw new Error('the feedback page has no frame');
  await frame.waitForSelector('text=Correction automatique', { timeout: 30_000 });
  return frame;
}

describeUnless(whyNot, 'the class server: one hub, two students in chromium, a teacher', () => {
  let folder = '';
  let roster = '';
  let hub: Hub;
  let browser: Browser;
  const pages: Record<string, Page> = {};

  beforeAll(async () => {
    fs.mkdirSync(artifacts, { recursive: true });
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tp5-classe-'));
    roster = path.join(folder, 'liste.csv');
    fs.writeFileSync(roster, ROSTER);
    const classFolder = path.join(folder, 'classe');
    const steps: [string[], string?][] = [
      [['release', '--deadline', '31/12/2099 23:59']],
      [['roster', roster]],
      [['password', teacher.name], `${teacher.password}\n`],
      [['codes', '--out', path.join(folder, 'codes')]],
    ];
    for (const [args, input] of steps) {
      const done = hubCommand(classFolder, args, input);
      if (done.status !== 0) throw new Error(`npm run hub -- ${args[0]} failed: ${done.stderr}`);
    }
    const codes = fs
      .readFileSync(path.join(folder, 'codes', 'codes.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
    for (const someone of [alice, bob, carol]) someone.code = codes.find((row) => row.startsWith(`${someone.name},`))?.split(',')[3];
    hub = await startHub(classFolder, roster, await freePort());
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    if (hub) {
      await stopHub(hub);
      fs.writeFileSync(path.join(artifacts, 'hub.log'), hub.log());
    }
    for (const someone of [alice, bob, carol, teacher]) spawnSync('userdel', [`tp5-${someone.name}`]);
    fs.rmSync(folder, { recursive: true, force: true });
  }, 120_000);

  test('two students sign up and log in at once: each sees French JupyterLab with their own kit', async () => {
    const [pageA, pageB] = await Promise.all(
      [alice, bob].map(async (someone) =>
        signUpAndLogIn(await browser.newContext({ viewport: { width: 1400, height: 900 } }), hub.url, someone),
      ),
    );
    Object.assign(pages, { [alice.name]: pageA, [bob.name]: pageB });
    for (const page of [pageA, pageB]) {
      const menus = await page.$$eval('.lm-MenuBar-itemLabel', (labels) => labels.map((label) => label.textContent));
      expect(menus).toEqual(expect.arrayContaining(['Fichier', 'Édition', 'Noyau', 'TP5']));
      expect(await listing(page)).toEqual(expect.arrayContaining([...NOTEBOOKS, 'LISEZ-MOI.md']));
      expect(await page.evaluate(() => document.body.innerText)).not.toMatch(/nbgrader|Validate|Assignment/i);
    }
    expect(pageA.url()).toContain(`/user/${alice.name}/`);
    expect(pageB.url()).toContain(`/user/${bob.name}/`);
    // JupyterLab opens on the TP's guide, rendered, not on the Launcher; a Launcher offers TypeScript alone.
    await pageA.waitForSelector(".jp-RenderedMarkdown >> text=guide de l'étudiant", { timeout: 60_000 });
    expect(await pageA.locator('.jp-Launcher').count()).toBe(0);
    await pageA.click('.jp-FileBrowser-toolbar [data-command="launcher:create"]');
    await pageA.waitForSelector('.jp-LauncherCard');
    const cards = await pageA.$$eval('.jp-Launcher-section', (sections) =>
      sections.map((section) => section.textContent?.replace(/\s+/g, ' ').trim() ?? ''),
    );
    expect(cards.filter((section) => /Notebook|Carnet|Console/i.test(section)).every((section) => !/Python|JavaScript/.test(section))).toBe(
      true,
    );
    expect(cards.join(' ')).toContain('TypeScript');
    expect(cards.join(' ')).toContain('Carnet');
    // Another student's JupyterLab: refused, in French only.
    await pageA.goto(`${hub.url}/user/${bob.name}/lab`);
    const refused = await pageA.evaluate(() => document.body.innerText);
    expect(refused).toContain("Accès refusé : cette page n'est pas la vôtre");
    expect(refused).not.toMatch(/permission|Server at|Réessayez/);
    // JupyterHub's dialog for a failed request, on every hub page: French (its message shown as the hub's scripts show it).
    const dialog = await pageA.evaluate(() => {
      const element = document.getElementById('error-dialog') as HTMLElement;
      (element.querySelector('.ajax-error') as HTMLElement).textContent = 'API request failed (503): Service Unavailable';
      element.dispatchEvent(new Event('show.bs.modal'));
      return element.innerText.replace(/\s+/g, ' ').trim();
    });
    expect(dialog).toBe('Erreur La demande au serveur a échoué (503) : Service Unavailable OK');
    await pageA.goto(`${hub.url}/user/${alice.name}/lab/tree/tp5/LISEZ-MOI.md`);
    await pageA.waitForSelector(".jp-RenderedMarkdown >> text=guide de l'étudiant", { timeout: 60_000 });
    await pageA.screenshot({ path: path.join(artifacts, 'classe-connexion.png') });
  }, 400_000);

  test('each runs a cell and hands in from JupyterLab; the receipt is French and timestamped', async () => {
    // Alice's notebook is finished (the solution, uploaded as JupyterLab's upload does); Bob's is the kit.
    const uploaded = check<{ status: number }>('upload', {
      hub: hub.url,
      ...alice,
      source: path.join(root, 'notebooks', NOTEBOOK),
      target: `tp5/${NOTEBOOK}`,
    });
    expect(uploaded.status).toBe(200);
    const receipts = await Promise.all(
      [alice, bob].map(async (someone) => {
        const page = pages[someone.name];
        await openKitNotebook(page);
        expect(await runFirstCell(page, someone)).toMatch(/Moteur de calcul : tensorflow/);
        expect(await englishLeft(page)).toEqual([]);
        return handIn(page);
      }),
    );
    // Bob's kit is not finished: the warning names what is left, written answers included.
    expect(receipts[1]).toContain('Réponses rédigées encore vides : questions 1.3, 1.5 et 1.6.');
    await pages[bob.name].screenshot({ path: path.join(artifacts, 'classe-rendu.png') });
    for (const receipt of receipts)
      expect(receipt).toMatch(new RegExp(`${NOTEBOOK} rendu le \\S+ \\d+ \\S+ 20\\d\\d à \\d+ h \\d\\d \\(rendu n° 1\\)`));
    for (const page of Object.values(pages)) await closeDialog(page);
    // A second hand-in keeps the first.
    expect(await handIn(pages[alice.name])).toContain('rendu n° 2 ; les rendus précédents sont conservés');
    await closeDialog(pages[alice.name]);
  }, 400_000);

  test("from B's kernel and terminal, A's home and hand-in, the exchange and the solutions cannot be listed or read", () => {
    const classFolder = path.join(folder, 'classe');
    const handins = path.join(classFolder, 'echange', 'rendus', alice.name);
    const handin = path.join(handins, fs.readdirSync(handins)[0], NOTEBOOK);
    expect(fs.existsSync(handin)).toBe(true);
    const places = {
      homeA: path.join(classFolder, 'homes', alice.name),
      notebookA: path.join(classFolder, 'homes', alice.name, 'tp5', NOTEBOOK),
      handinA: handin,
      exchange: path.join(classFolder, 'echange'),
      solutions: path.join(root, 'notebooks'),
      git: path.join(root, '.git'),
    };
    interface Seen {
      kernel: {
        uid: number;
        processUids: number[];
        paths: Record<string, { list: string; read: string }>;
        shadow: string;
        passwd: string[];
      };
      terminal: string;
      exchange: { receipts: string[]; climbing: number };
    }
    const seen = check<Seen>('isolation', { hub: hub.url, ...bob, paths: places });
    const uidOf = (someone: Someone) => Number(spawnSync('id', ['-u', `tp5-${someone.name}`], { encoding: 'utf8' }).stdout.trim());
    expect(seen.kernel.uid).toBe(uidOf(bob));
    expect(seen.kernel.processUids).not.toContain(uidOf(alice));
    for (const [place, tried] of Object.entries(seen.kernel.paths)) {
      expect([place, tried.list]).toEqual([place, 'ENOENT']);
      expect([place, tried.read]).toEqual([place, 'ENOENT']);
    }
    expect(seen.kernel.shadow).toBe('EACCES');
    expect(seen.kernel.passwd).toEqual(['root', `tp5-${bob.name}`]);
    expect(seen.terminal).toContain(`tp5-${bob.name}`);
    for (const place of Object.values(places)) expect(seen.terminal).toContain(`cannot access '${place}': No such file or directory`);
    expect(seen.terminal).not.toContain('BEGIN SOLUTION');
    // The exchange, asked with Bob's own token, gives Bob's one hand-in, not Alice's two, and no path out of his folder.
    expect(seen.exchange.receipts).toEqual([`${NOTEBOOK}:1`]);
    expect(seen.exchange.climbing).toBe(404);
    // Bob's own kernel trains on native TensorFlow in his sandbox.
    const training = check<{ backend: string; path: string }>('training', { hub: hub.url, ...bob });
    expect(training).toMatchObject({ backend: 'tensorflow', path: 'native' });
  }, 400_000);

  test("nobody opens an account with public facts, another's code or a spent one; the teacher logs in with the password set on the command line", () => {
    interface Answers {
      answers: string[];
    }
    const tried = check<Answers>('first_logins', {
      hub: hub.url,
      attempts: [
        // The teacher's identifier, with the e-mail address anyone can find, and no code.
        { name: teacher.name, password: 'je-suis-la-prof-1', code: TEACHER_EMAIL },
        { name: teacher.name, password: 'je-suis-la-prof-1', code: '' },
        // Bob's own code, for Carol, who has not come yet.
        { name: carol.name, password: 'je-suis-carol-1', code: bob.code },
        // Alice's code, already spent.
        { name: alice.name, password: 'autre-mot-de-passe-1', code: alice.code },
        // A wrong password confirmation and a short password, with Carol's own code: nothing spent.
        { name: carol.name, password: 'court', code: carol.code },
      ],
    });
    const [teacherByEmail, teacherWithout, carolWithBobsCode, spent, short] = tried.answers;
    for (const answer of [teacherByEmail, teacherWithout]) expect(answer).toContain("un compte d'enseignant ne s'ouvre pas ici");
    expect(carolWithBobsCode).toContain("ce code n'est pas celui de cet identifiant");
    expect(spent).toContain('ce code a déjà servi');
    expect(short).toContain('mot de passe trop court');
    const logins = check<{ logged_in: boolean[] }>('logins', {
      hub: hub.url,
      attempts: [
        { name: teacher.name, password: 'je-suis-la-prof-1' },
        { name: carol.name, password: 'je-suis-carol-1' },
        { name: alice.name, password: 'autre-mot-de-passe-1' },
        { name: teacher.name, password: teacher.password },
      ],
    });
    expect(logins.logged_in).toEqual([false, false, false, true]);
    // Carol's code is still hers to use.
    const status = hubCommand(path.join(folder, 'classe'), ['status']);
    expect(status.stdout).toMatch(new RegExp(`${carol.name}\\s+Carole Petit\\s+aucun rendu ; code donné, pas encore utilisé`));
  }, 120_000);

  test("nothing of a student's running kernel reaches another student: no socket to listen to, no server to connect to", () => {
    const classFolder = path.join(folder, 'classe');
    const settings = JSON.parse(fs.readFileSync(path.join(classFolder, 'hub', 'serveur.json'), 'utf8')) as Record<string, number>;
    const secret = 'SECRET-ALICE-4242';
    interface Heard {
      listeners: number[];
      messages: number;
      secret: number;
      tcp: Record<string, string>;
      unix: Record<string, string>;
      victim_printed: number;
    }
    // The probe itself, between two kernels sharing the machine's loopback as they did before: it hears.
    const control = check<Heard>('eavesdrop_control', { secret });
    expect(control.secret).toBeGreaterThan(0);
    const heard = check<Heard>('eavesdrop', {
      attacker: { hub: hub.url, ...bob },
      victim: { hub: hub.url, ...alice },
      secret,
      tcp: { hub: Number(new URL(hub.url).port), proxyApi: settings.proxy_api_port, exchange: settings.exchange_port },
      unix: {
        aliceServer: `/run/tp5-classe/${fingerprintOf(classFolder)}/personnes/${alice.name}/jupyterlab.sock`,
        hub: '/run/tp5/hub/hub.sock',
      },
    });
    console.log(`eavesdropping: before (shared loopback) ${control.secret} messages of the secret heard; now ${JSON.stringify(heard)}`);
    expect(heard.victim_printed).toBeGreaterThan(10);
    expect(heard.listeners).toEqual([]);
    expect(heard.secret).toBe(0);
    expect(heard.tcp).toEqual({ hub: 'ECONNREFUSED', proxyApi: 'ECONNREFUSED', exchange: 'ECONNREFUSED' });
    // Alice's server is not in Bob's sandbox; the hub's socket is (its API asks for a token, as through the proxy).
    expect(heard.unix).toEqual({ aliceServer: 'ENOENT', hub: 'connecté' });
  }, 300_000);

  test('a home filled past its bound: the writer gets a French error, saves are refused in French and lose nothing, the others work on', () => {
    interface Filled {
      written: number | null;
      free: number | null;
      error: string;
      text: string;
      saves: Record<'new' | 'notebook01', { status: number; message: string }>;
      notebook01_unchanged: boolean;
      new_left: number;
      deleted: number;
      save_after_delete: number;
      victim_seconds: (number | null)[];
    }
    const filled = check<Filled>('fill', { attacker: { hub: hub.url, ...bob }, victim: { hub: hub.url, ...alice }, notebook: NOTEBOOK });
    expect(filled.written).toBeLessThan(DISK_GB * 1024 ** 3);
    expect(filled.free).toBeLessThan(256 * 1024);
    expect(filled.text + filled.error).toContain('Votre dossier est plein');
    for (const save of Object.values(filled.saves)) {
      expect(save.status).toBe(507);
      expect(save.message).toMatch(/^votre dossier est plein \(\d+ Mio utilisés sur \d+ Mio\) : rien n'a été enregistré/);
    }
    // The notebook as it was before the refused save; no half-written new file left.
    expect(filled.notebook01_unchanged).toBe(true);
    expect(filled.new_left).toBe(404);
    expect(filled.deleted).toBe(204);
    expect(filled.save_after_delete).toBe(201);
    for (const seconds of filled.victim_seconds) {
      expect(seconds).not.toBeNull();
      expect(seconds).toBeLessThan(30);
    }
    const status = hubCommand(path.join(folder, 'classe'), ['status']);
    expect(status.stdout).toMatch(new RegExp(`${bob.name}\\s+Bob Durand\\s+.*mot de passe choisi ; disque \\d+ Mio sur \\d+ Mio`));
  }, 300_000);

  test('the teacher collects, grades with npm run grade, returns; each student sees their feedback page in JupyterLab', async () => {
    const classFolder = path.join(folder, 'classe');
    const collected = path.join(folder, 'rendus');
    const notes = path.join(folder, 'notes');
    const collect = hubCommand(classFolder, ['collect', '--out', collected]);
    expect(collect.status).toBe(0);
    expect(collect.stdout).toContain('2 étudiant(s) sur 3 ont rendu : 2 carnet(s)');
    expect(collect.stdout).toContain(`sans rendu : ${carol.name}`);
    const table = fs.readFileSync(path.join(collected, 'rendus.csv'), 'utf8');
    expect(table).toMatch(new RegExp(`${alice.name},Alice Martin,${NOTEBOOK},2,2,[^,]+,non`));
    expect(table).toMatch(new RegExp(`${bob.name},Bob Durand,${NOTEBOOK},1,1,[^,]+,non`));
    const grade = spawnSync(python, ['-m', 'grader', 'grade', collected, '--out', notes, '--jobs', '2'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 900_000,
    });
    expect(grade.status).toBe(0);
    const grades = fs.readFileSync(path.join(notes, 'grades.csv'), 'utf8');
    const points = (someone: Someone) =>
      grades
        .split('\n')
        .find((line) => line.startsWith(`${someone.name},`))
        ?.split(',');
    expect(points(alice)?.slice(2, 4)).toEqual(['7', '7']);
    expect(points(bob)?.[2]).toBe('0');
    const returned = hubCommand(classFolder, ['return', notes]);
    expect(returned.stdout).toContain('2 page(s) de retour rendue(s) à 2 étudiant(s)');
    for (const [someone, score] of [
      [alice, '7 / 7'],
      [bob, '0 / 7'],
    ] as const) {
      const frame = await openFeedback(pages[someone.name]);
      expect(await frame.textContent('body')).toContain(`Correction automatique : ${score}`);
      expect(await frame.textContent('body')).toContain(someone.name);
    }
    await pages[alice.name].screenshot({ path: path.join(artifacts, 'classe-retour.png') });
  }, 1_200_000);

  test("a memory bomb and a fork bomb end in their author's share: the other student's kernel answers meanwhile", () => {
    interface Bombs {
      memory: { victim_seconds: (number | null)[]; attacker: string; limit: number; peak: number };
      fork: { victim_seconds: (number | null)[]; limit: number; peak: number; left_after_stop: number };
    }
    const group = groupOf(path.join(folder, 'classe'), alice);
    const report = check<Bombs>('bombs', { attacker: { hub: hub.url, ...alice, group }, victim: { hub: hub.url, ...bob } });
    console.log(
      `memory bomb: the victim answered in ${report.memory.victim_seconds.join(', ')} s; fork bomb: in ${report.fork.victim_seconds.join(', ')} s`,
    );
    expect(report.memory.limit).toBe(2 * 1024 ** 3);
    expect(report.memory.peak).toBe(report.memory.limit);
    expect(report.memory.attacker).toMatch(/noyau s'est arrêté|Error/);
    expect(report.fork.peak).toBeLessThanOrEqual(report.fork.limit);
    expect(report.fork.left_after_stop).toBe(0);
    for (const seconds of [...report.memory.victim_seconds, ...report.fork.victim_seconds]) {
      expect(seconds).not.toBeNull();
      expect(seconds).toBeLessThan(30);
    }
  }, 400_000);

  test("a SIGTERM to the teacher's command leaves nothing running; the hub restarts without losing homes, passwords or hand-ins", async () => {
    const classFolder = path.join(folder, 'classe');
    const settings = JSON.parse(fs.readFileSync(path.join(classFolder, 'hub', 'serveur.json'), 'utf8')) as Record<string, number>;
    const stopped = Date.now();
    await stopHub(hub);
    fs.writeFileSync(path.join(artifacts, 'hub-avant-redemarrage.log'), hub.log());
    console.log(`the class server stopped in ${((Date.now() - stopped) / 1000).toFixed(1)} s after SIGTERM to npm run hub`);
    expect(hub.process.exitCode).not.toBeNull();
    expect(leftovers(classFolder, [settings.proxy_api_port, settings.exchange_port])).toEqual([]);
    expect(hub.log()).toContain("plus rien n'est en marche");
    const port = Number(new URL(hub.url).port);
    hub = await startHub(path.join(folder, 'classe'), roster, port);
    interface Seen {
      kernel: { paths: Record<string, { list: string; read: string }> };
    }
    // Alice logs in again with her password; her notebook is still in her home.
    const seen = check<Seen>('isolation', {
      hub: hub.url,
      ...alice,
      paths: { mine: path.join(folder, 'classe', 'homes', alice.name, 'tp5', NOTEBOOK) },
    });
    expect(seen.kernel.paths.mine.read).toMatch(/^lu : \d+ octets$/);
    const status = hubCommand(path.join(folder, 'classe'), ['status']);
    expect(status.stdout).toMatch(new RegExp(`${alice.name}\\s+Alice Martin\\s+2 rendu\\(s\\)`));
    expect(status.stdout).toMatch(new RegExp(`${bob.name}\\s+Bob Durand\\s+1 rendu\\(s\\)`));
  }, 400_000);
});

describeUnless(whyNot, 'the class server refuses bad input in French, creating nothing', () => {
  let scratch = '';
  beforeAll(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tp5-classe-refus-'));
  });
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  function serve(rosterText: string, extra: string[] = [], released = true): { result: SpawnSyncReturns<string>; folder: string } {
    const folder = fs.mkdtempSync(path.join(scratch, 'classe-'));
    if (released) expect(hubCommand(folder, ['release']).status).toBe(0);
    const roster = path.join(folder, '..', `${path.basename(folder)}.csv`);
    fs.writeFileSync(roster, rosterText);
    const result = spawnSync(python, ['-m', 'hub', 'serve', roster, '--folder', folder, '--ip', '127.0.0.1', ...extra], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { result, folder };
  }

  /** What serve leaves when it refuses: the released kit only, no hub state, no account. */
  function expectNothingCreated(folder: string): void {
    expect(fs.existsSync(path.join(folder, 'hub', 'serveur.json'))).toBe(false);
    expect(fs.existsSync(path.join(folder, 'homes'))).toBe(false);
  }

  test('a duplicate and a malformed identifier: each named by its line', () => {
    const { result, folder } = serve('identifiant,nom,email\nrefus-a,A,a@u.fr\nrefus-a,B,b@u.fr\nrefus b,C,c@u.fr\n');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('ligne 3 : identifiant « refus-a » déjà donné ligne 2');
    expect(result.stderr).toContain('ligne 4 : identifiant « refus b » invalide');
    expect(result.stderr).toContain("rien n'a été créé ni modifié");
    expectNothingCreated(folder);
    expect(spawnSync('id', ['tp5-refus-a']).status).not.toBe(0);
  });

  test('a port already in use: named', async () => {
    const busy = net.createServer();
    const port = await new Promise<number>((resolve) =>
      busy.listen(0, '127.0.0.1', () => resolve((busy.address() as net.AddressInfo).port)),
    );
    try {
      const { result, folder } = serve('identifiant,nom,email\nrefus-c,C,c@u.fr\n', ['--port', String(port)]);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(`le port ${port} est déjà utilisé sur 127.0.0.1`);
      expectNothingCreated(folder);
    } finally {
      busy.close();
    }
  });

  test('a missing kit: serve before release, and release from a folder without the notebooks', () => {
    const { result, folder } = serve('identifiant,nom,email\nrefus-d,D,d@u.fr\n', [], false);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('aucun kit distribué');
    expect(result.stderr).toContain('npm run hub -- release');
    expect(fs.readdirSync(folder)).toEqual([]);
    const empty = fs.mkdtempSync(path.join(scratch, 'kit-'));
    const release = hubCommand(folder, ['release', '--kit', empty]);
    expect(release.status).toBe(2);
    expect(release.stderr).toContain('kit incomplet');
    expect(fs.readdirSync(folder)).toEqual([]);
  });
});
