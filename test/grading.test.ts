import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NOTEBOOKS, NotebookCell as Cell, readNotebook as read, textOf as text } from './helpers/notebook-outputs';
import { whyNoSandbox } from './helpers/sandbox';
import { describeUnless } from './helpers/skip';

/**
 * The teacher's grading of a class folder (npm run grade), each hand-in in a sandbox without privilege,
 * two at a time: the solutions, untouched student versions, a student wrong in the usual ways, fakes
 * (plain objects for a model, an edited library check, console.log silenced, a training history made
 * up, a changed set-up cell) and hostile hand-ins (writing outside the sandbox and into the project,
 * remounting the file system, reading the solutions by every route, /etc/shadow, the teacher's home,
 * another student's hand-in and the environment, filling /tmp, starting 2,000 processes, leaving a
 * detached process, looping forever, allocating without end, a written answer with a javascript: link),
 * right hand-ins with a late accident (`kill -1` from the last answer, an endless print) and model.fit
 * compiled with another loss. Then two of these hand-ins graded one task each (GNU parallel) and
 * merged give the same grades.
 */

const root = path.resolve(__dirname, '..');
const python = path.join(root, '.venv', 'bin', 'python');
const SECRET = `secret-${process.pid}`;
const MARKERS = [path.join(root, 'PWNED-by-handin'), path.join(os.tmpdir(), 'tp5-pwned'), path.join(os.homedir(), '.tp5-pwned')];

/** A solution notebook with replacements in its code and, optionally, a cell of its own after the set-up. */
function variant(name: string, edits: [string, string][], added?: string): object {
  const notebook = read(path.join(root, 'notebooks', name));
  for (const [find, replace] of edits) {
    const cell = notebook.cells.find((c) => text(c.source).includes(find));
    if (!cell) throw new Error(`${name}: "${find}" not found`);
    cell.source = text(cell.source).split(find).join(replace);
  }
  if (added) notebook.cells.splice(3, 0, { cell_type: 'code', id: 'added-by-student', source: added, metadata: {}, outputs: [] });
  return notebook;
}

const HOSTILE = `const fs = require("fs") as typeof import("fs");
for (const target of ${JSON.stringify(MARKERS)}) {
  try { fs.writeFileSync(target, "pwned"); console.log("écrit", target); } catch (error) { console.log("refusé", target, String(error)); }
}
try { fs.appendFileSync(${JSON.stringify(path.join(root, 'grader', 'check.py'))}, "# pwned"); } catch (error) { console.log("refusé", String(error)); }
try { console.log(fs.readFileSync(${JSON.stringify(path.join(os.homedir(), '.bashrc'))}, "utf8")); } catch (error) { console.log("refusé", String(error)); }
console.log(JSON.stringify(process.env));
require("child_process").spawn("sleep", ["987"], { detached: true, stdio: "ignore" }).unref();`;

/** Tries every way out of the sandbox it can think of and prints what it found (the feedback page shows it). */
const PROBING = (classFolder: string) => `const cp = require("child_process") as typeof import("child_process");
const fs = require("fs") as typeof import("fs");
const attempt = (what: string, action: () => unknown) => {
  try { console.log(what, "OBTENU :", String(action()).slice(0, 400)); } catch (error) { console.log(what, "refusé :", String(error).split("\\n")[0]); }
};
console.log(fs.readFileSync("/proc/self/status", "utf8").split("\\n").filter((l) => /^(Uid|CapEff|NoNewPrivs)/.test(l)).join("\\n"));
attempt("remontage", () => cp.execSync("mount -o remount,rw,bind / && touch /tp5-pwned-root && echo écrit", { encoding: "utf8", stdio: "pipe" }));
attempt("shadow", () => fs.readFileSync("/etc/shadow", "utf8"));
attempt("accueil", () => fs.readdirSync(${JSON.stringify(os.homedir())}).join(" "));
attempt("solutions", () => fs.readdirSync(${JSON.stringify(path.join(root, 'notebooks'))}).join(" "));
attempt("git", () => cp.execSync("git -C ${root} show HEAD:notebooks/01-auto-encodeurs-denses.ipynb", { encoding: "utf8", stdio: "pipe" }));
attempt("nbgrader", () => fs.readdirSync(${JSON.stringify(path.join(root, '.venv', 'lib'))}).join(" "));
attempt("classe", () => fs.readFileSync(${JSON.stringify(path.join(classFolder, 'alice', '01-auto-encodeurs-denses.ipynb'))}, "utf8"));
attempt("carnets", () => cp.execSync("find / -path /proc -prune -o -name '*.ipynb' -print 2>/dev/null | head -100", { encoding: "utf8" }));
attempt("projet", () => fs.readdirSync(${JSON.stringify(root)}).join(" "));
attempt("tmp", () => { const block = Buffer.alloc(1 << 20, 1); for (let i = 0; i < 2048; i++) fs.writeFileSync("/tmp/remplissage-" + i, block); return "2 Go écrits"; });
attempt("tmp-vidé", () => { for (const f of fs.readdirSync("/tmp")) if (f.startsWith("remplissage-")) fs.rmSync("/tmp/" + f); return "ok"; });
attempt("processus", () => cp.execSync("i=0; while [ $i -lt 2000 ]; do sleep 3 & i=$((i+1)); done; echo $i démarrés", { encoding: "utf8", stdio: "pipe", shell: "/bin/sh" }));
cp.execSync("sleep 4");`;

function hash(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

describeUnless(whyNoSandbox, 'npm run grade on a class folder', () => {
  let rows: Record<string, string>[] = [];
  let out = '';
  let classFolder = '';
  let stdout = '';
  const watched = [path.join(root, 'grader', 'check.py'), path.join(root, 'build', 'lib', 'index.js')];
  let before: string[] = [];

  beforeAll(() => {
    fs.mkdirSync(path.join(root, 'build'), { recursive: true });
    const dir = fs.mkdtempSync(path.join(root, 'build', 'grading-test-'));
    const handins = path.join(dir, 'rendus');
    const put = (student: string, name: string, notebook: object) => {
      fs.mkdirSync(path.join(handins, student), { recursive: true });
      fs.writeFileSync(path.join(handins, student, name), JSON.stringify(notebook));
    };
    for (const name of NOTEBOOKS) put('alice', name, read(path.join(root, 'notebooks', name)));
    const kit = path.join(dir, 'kit');
    spawnSync(python, ['-m', 'grader', 'student', '--output-dir', kit, ...NOTEBOOKS.map((n) => path.join(root, 'notebooks', n))], {
      cwd: root,
    });
    for (const name of NOTEBOOKS) put('bob', name, read(path.join(kit, name)));
    put(
      'carol',
      NOTEBOOKS[0],
      variant(NOTEBOOKS[0], [
        ['(M, N, 64,', '(M, N, 32,'],
        // And the test images trained on with the training images: the history's fingerprints show it.
        [
          'denseHistories.push(await lab.trainAutoencoder(model, { inputs: prepared.xTrain }, recipe));',
          'denseHistories.push(await lab.trainAutoencoder(model, { inputs: tf.concat([prepared.xTrain, prepared.xTest]) as tf.Tensor4D }, recipe));',
        ],
      ]),
    );
    put(
      'carol',
      NOTEBOOKS[1],
      variant(NOTEBOOKS[1], [
        [
          'encoder.add(tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: "same", activation }));',
          'encoder.add(tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: "same" }));\n  encoder.add(tf.layers.leakyReLU());',
        ],
      ]),
    );
    put(
      'carol',
      NOTEBOOKS[2],
      variant(NOTEBOOKS[2], [
        [
          'return tf.tidy(() => tf.add(images, tf.randomNormal(images.shape, 0, Math.sqrt(variance))));',
          'return tf.tidy(() => tf.clipByValue(tf.add(images, tf.randomNormal(images.shape, 0, Math.sqrt(variance))), 0, 1) as tf.Tensor4D);',
        ],
      ]),
    );
    put('dave', NOTEBOOKS[0], variant(NOTEBOOKS[0], [], HOSTILE));
    put(
      'dave',
      NOTEBOOKS[1],
      variant(NOTEBOOKS[1], [['// BEGIN SOLUTION 2.3', '// BEGIN SOLUTION 2.3\nwhile (Date.now() > 0) { /* never ends */ }']]),
    );
    put(
      'dave',
      NOTEBOOKS[2],
      variant(NOTEBOOKS[2], [], '(() => { const hog: Float64Array[] = []; for (;;) hog.push(new Float64Array(2e7).fill(1)); })();'),
    );
    put(
      'eve',
      NOTEBOOKS[0],
      variant(NOTEBOOKS[0], [
        ['(M, N, 64,', '(M, N, 32,'],
        [
          'dense2 = denseAutoencoder2(M, N, 32, "relu");',
          'dense2 = denseAutoencoder2(M, N, 32, "relu");\n(lab.check as { denseModels: unknown }).denseModels = (_question: string, ...models: unknown[]) => models;',
        ],
        [
          '  denseHistories.push(await lab.trainAutoencoder(model, { inputs: prepared.xTrain }, recipe));',
          '  denseHistories.push({ label: model.name, loss: [0.2, 0.01], valLoss: [0.2, 0.01] });',
        ],
      ]),
    );
    put(
      'eve',
      NOTEBOOKS[1],
      variant(NOTEBOOKS[1], [
        [
          'conv = convAutoencoder(M, N, 64, "relu");',
          'conv = { name: "faux", model: {}, encoder: {}, decoder: {}, imageShape: [28, 28], codeShape: [1, 1, 64] } as unknown as lab.Autoencoder;\n' +
            'console.log = () => undefined;',
        ],
      ]),
    );
    put('eve', NOTEBOOKS[2], variant(NOTEBOOKS[2], [['const VARIANCE = 0.25;', 'const VARIANCE = 0;']]));
    put(
      'frank',
      NOTEBOOKS[2],
      variant(NOTEBOOKS[2], [
        [
          'return tf.tidy(() => tf.add(images, tf.randomNormal(images.shape, 0, Math.sqrt(variance))));',
          'return tf.tidy(() => tf.add(images, tf.randomNormal([1, ...images.shape.slice(1)], 0, Math.sqrt(variance))));',
        ],
        // And the denoiser trained the wrong way round: clean → noisy.
        [
          'denoiseHistory = await lab.trainAutoencoder(denoiser, { inputs: noisy.xNoisyTrain, targets: prepared.xTrain }, {',
          'denoiseHistory = await lab.trainAutoencoder(denoiser, { inputs: prepared.xTrain, targets: noisy.xNoisyTrain }, {',
        ],
        [
          'validation: { inputs: noisy.xNoisyValidation, targets: prepared.xValidation },',
          'validation: { inputs: prepared.xValidation, targets: noisy.xNoisyValidation },',
        ],
      ]),
    );
    put(
      'grace',
      NOTEBOOKS[0],
      // Three mistakes in three questions: each costs its own question only.
      variant(NOTEBOOKS[0], [
        ['dense1 = denseAutoencoder1(M, N, 64, "linear");', 'dense1 = lab.buildDense1({ codeSize: 64, activation: "none" });'],
        [
          '[xTrain, xValidation] = tf.split(allTraining, [data.train.count - validationCount, validationCount]) as tf.Tensor4D[];',
          '[xValidation, xTrain] = tf.split(allTraining, [validationCount, data.train.count - validationCount]) as tf.Tensor4D[];',
        ],
        ['batchSize: 128, learningRate: 1e-3, loss: "mse", seed: 0,', 'batchSize: 128, learningRate: 1e-3, loss: "bce", seed: 0,'],
      ]),
    );
    // Accidents late in a notebook whose every answer is right: they cost no question.
    const lastAnswer =
      '  ...denseModels.map((model) => ({ title: model.name, images: model.model.predict(firstTestImages) as tf.Tensor4D })),\n]);';
    put('heidi', NOTEBOOKS[0], variant(NOTEBOOKS[0], [[lastAnswer, `${lastAnswer}\nprocess.kill(-1, "SIGKILL");`]]));
    put(
      'ivan',
      NOTEBOOKS[0],
      variant(NOTEBOOKS[0], [
        [lastAnswer, `${lastAnswer}\nfor (let i = 0; i < 30; i++) console.log(i + " " + "x".repeat(100_000) + " fin " + i);`],
      ]),
    );
    // A crash late in notebook 01 (the kernel dies at the last answer); in notebook 03, the denoiser
    // trained with model.fit on the noisy test images.
    put('kim', NOTEBOOKS[0], variant(NOTEBOOKS[0], [[lastAnswer, `${lastAnswer}\nprocess.abort();`]]));
    put(
      'kim',
      NOTEBOOKS[2],
      variant(NOTEBOOKS[2], [
        [
          'denoiseHistory = await lab.trainAutoencoder(denoiser, { inputs: noisy.xNoisyTrain, targets: prepared.xTrain }, {\n' +
            '  epochs: settings.epochs(20), batchSize: 128, learningRate: 1e-3, loss: "mse", seed: 0,\n' +
            '  validation: { inputs: noisy.xNoisyValidation, targets: prepared.xValidation },\n});',
          'denoiser.model.compile({ optimizer: tf.train.adam(1e-3), loss: "meanSquaredError" });\n' +
            'denoiseHistory = await denoiser.model.fit(noisy.xNoisyTest, prepared.xTest, ' +
            '{ epochs: 20, batchSize: 128, validationData: [noisy.xNoisyValidation, prepared.xValidation] });',
        ],
      ]),
    );
    // Trainings that learn nothing (Adam at a learning rate of 1).
    const recipe = 'batchSize: 128, learningRate: 1e-3, loss: "mse", seed: 0,';
    put('leo', NOTEBOOKS[0], variant(NOTEBOOKS[0], [[recipe, 'batchSize: 128, learningRate: 1, loss: "mse", seed: 0,']]));
    // model.fit with the mean absolute error, then a last cell that rewrites the exported histories
    // (the loss renamed, the training images' fingerprints removed).
    const rewrite =
      'const fs = require("fs") as typeof import("fs");\nconst answers = process.cwd() + "/answers";\n' +
      'for (const file of fs.readdirSync(answers).filter((f) => f.startsWith("denseHistories") && f.endsWith(".json"))) {\n' +
      '  const exported = JSON.parse(fs.readFileSync(answers + "/" + file, "utf8"));\n' +
      '  for (const h of exported.items ?? []) { h.compiledLoss = "meanSquaredError"; delete h.trainedOn; }\n' +
      '  fs.writeFileSync(answers + "/" + file, JSON.stringify(exported));\n}';
    put(
      'nina',
      NOTEBOOKS[0],
      variant(NOTEBOOKS[0], [
        [
          '  denseHistories.push(await lab.trainAutoencoder(model, { inputs: prepared.xTrain }, recipe));',
          '  model.model.compile({ optimizer: tf.train.adam(1e-3), loss: "meanAbsoluteError" });\n' +
            '  denseHistories.push(await model.model.fit(prepared.xTrain, prepared.xTrain, ' +
            '{ epochs: 20, batchSize: 128, validationData: [prepared.xValidation, prepared.xValidation] }));',
        ],
        [lastAnswer, `${lastAnswer}\n${rewrite}`],
      ]),
    );
    // A notebook saved without cell ids (nbformat 4.4, as older JupyterLab and other tools write it), whose
    // three models learn with another recipe (model.fit, Adam 2·10⁻³, batches of 256) and whose last cell
    // stops its own kernel (SIGSTOP: it neither dies nor answers) after the last answer.
    const withoutIds = variant(NOTEBOOKS[0], [
      [
        '  denseHistories.push(await lab.trainAutoencoder(model, { inputs: prepared.xTrain }, recipe));',
        '  model.model.compile({ optimizer: tf.train.adam(2e-3), loss: "meanSquaredError" });\n' +
          '  denseHistories.push(await model.model.fit(prepared.xTrain, prepared.xTrain, ' +
          '{ epochs: 20, batchSize: 256, validationData: [prepared.xValidation, prepared.xValidation] }));',
      ],
    ]) as unknown as { nbformat_minor: number; cells: Cell[] };
    withoutIds.nbformat_minor = 4;
    for (const cell of withoutIds.cells) delete (cell as { id?: string }).id;
    withoutIds.cells.push({
      cell_type: 'code',
      source: 'process.kill(process.pid, "SIGSTOP");',
      metadata: {},
      outputs: [],
    } as unknown as Cell);
    put('oscar', NOTEBOOKS[0], withoutIds);
    const probing = read(path.join(kit, NOTEBOOKS[1]));
    probing.cells.splice(3, 0, { cell_type: 'code', id: 'probing', source: PROBING(handins), metadata: {}, outputs: [] });
    const written = probing.cells.find((c) => text(c.source).startsWith('**Votre réponse :**')) as Cell;
    written.source = '**Votre réponse :** voir [ma réponse](javascript:alert(3)) et <img src=x onerror=alert(1)>';
    put('mallory', NOTEBOOKS[1], probing);

    before = watched.map(hash);
    out = path.join(dir, 'notes');
    classFolder = handins;
    const result = spawnSync(
      python,
      ['-m', 'grader', 'grade', handins, '--out', out, '--cell-timeout', '25', '--memory-gb', '6', '--jobs', '2'],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 1_500_000,
        env: { ...process.env, TP5_TEST_SECRET: SECRET },
      },
    );
    stdout = result.stdout;
    const [header, ...lines] = fs.readFileSync(path.join(out, 'grades.csv'), 'utf8').trim().split('\n').map(parseCsvLine);
    rows = lines.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i]])));
  }, 1_600_000);

  const row = (student: string, notebook: string) =>
    rows.find((r) => r.student === student && r.notebook === notebook) as Record<string, string>;
  const score = (student: string, notebook: string) => `${row(student, notebook).auto_points}/${row(student, notebook).auto_max}`;

  test('what was found, then progress hand-in by hand-in with the time left, each line naming its cause', () => {
    expect(stdout).toMatch(/^\[correction\] 25 rendus de 14 étudiants dans .* ; 2 à la fois$/m);
    expect(stdout).toMatch(/^\[correction\] \d+\/25 alice\/01-auto-encodeurs-denses.ipynb : 7 \/ 7( — reste environ .*)?$/m);
    expect(stdout).toMatch(/^\[correction\] 1\/25 .* — reste environ \d+ (min \d+ )?s$/m);
    expect(stdout).toMatch(/^\[correction\] 25\/25 /m);
    // The cause of carol's 1.1, not its knock-on effects, and never a line cut at its colon.
    expect(stdout).toMatch(/carol\/01-auto-encodeurs-denses.ipynb : 5 \/ 7 ; à revoir : 1\.1, 1\.4 ; [^;]*32 valeurs/);
  });

  test('grades.csv: one row per student and notebook, a column per question, the written answers', () => {
    expect(rows).toHaveLength(25);
    expect(Object.keys(rows[0])).toEqual(
      expect.arrayContaining([
        'student',
        'notebook',
        'auto_points',
        'auto_max',
        'q0',
        'q1.1',
        'q3.4',
        'redige_2.1',
        'manual_points',
        'total',
      ]),
    );
    expect(NOTEBOOKS.map((n) => score('alice', n))).toEqual(['7/7', '6/6', '4/4']);
    // The parts beyond the TP are not run when grading: the feedback page has the TP's denoiser, not the sweep.
    const feedback = fs.readFileSync(path.join(out, 'feedback', 'alice', '03-debruitage.html'), 'utf8');
    expect(feedback).toContain('Auto-encodeur débruiteur');
    expect(feedback).not.toContain('débruiteur pleine résolution');
    expect(NOTEBOOKS.map((n) => score('bob', n))).toEqual(['0/7', '0/6', '0/4']);
    expect(row('alice', NOTEBOOKS[1])['redige_2.1']).toBe('rédigée');
    expect(row('bob', NOTEBOOKS[1])['redige_2.1']).toBe('vide');
  });

  test('the feedback page of an untouched kit speaks the student’s terms: each question once, cells numbered as in the hand-in, no grader’s name', () => {
    for (const name of NOTEBOOKS) {
      const page = fs.readFileSync(path.join(out, 'feedback', 'bob', name.replace('.ipynb', '.html')), 'utf8');
      const summary = page.slice(page.indexOf('<h2>'), page.indexOf('</div>', page.indexOf('<h2>')));
      const handedIn = read(path.join(classFolder, 'bob', name)).cells.length;
      const questions = [...summary.matchAll(/Question ([\d.]+)<\/td>/g)].map((m) => m[1]);
      expect(new Set(questions).size).toBe(questions.length);
      expect(summary).toMatch(/pas de réponse : la cellule \d+ de la question [\d.]+ contient encore lab\.todo\(…\)/);
      for (const [, cell] of summary.matchAll(/cellules? (\d+)/g)) expect(Number(cell)).toBeLessThanOrEqual(handedIn);
      expect(summary).not.toMatch(/mseTrials|noiseTrials|grids|n'a pas été exporté|Cannot read|undefined/);
      expect(summary).toContain('en mode rapide (4 000 images d');
    }
  });

  test('usual mistakes fail their question only (noise clipped or shared, swapped pairs, a reference builder, first 10 %, BCE); LeakyReLU passes', () => {
    expect(score('carol', NOTEBOOKS[0])).toBe('5/7');
    expect(row('carol', NOTEBOOKS[0])['q1.1']).toBe('0');
    expect(score('carol', NOTEBOOKS[1])).toBe('6/6');
    // A rejected 3.1 costs 3.1 only: the later questions are judged on the student's own pairs.
    expect(row('carol', NOTEBOOKS[2])['q3.1']).toBe('0');
    expect(score('carol', NOTEBOOKS[2])).toBe('3/4');
    expect(row('frank', NOTEBOOKS[2])['q3.1']).toBe('0');
    expect(row('frank', NOTEBOOKS[2])['q3.2']).toBe('0');
    expect(score('frank', NOTEBOOKS[2])).toBe('2/4');
    expect(fs.readFileSync(path.join(out, 'feedback', 'frank', '03-debruitage.html'), 'utf8')).toContain(
      'le même bruit est ajouté à chaque image',
    );
    // A reference builder's model as the answer: told by the judge, from the exported data, at 1.1 only.
    // The first 10 % as validation, a loss other than the MSE: their own questions only.
    expect(score('grace', NOTEBOOKS[0])).toBe('4/7');
    expect(['q0', 'q1.1', 'q1.4'].map((q) => row('grace', NOTEBOOKS[0])[q])).toEqual(['0', '0', '0']);
    expect(fs.readFileSync(path.join(out, 'feedback', 'grace', '01-auto-encodeurs-denses.html'), 'utf8')).toContain(
      'vient de lab.buildDense1',
    );
    const page = fs.readFileSync(path.join(out, 'feedback', 'carol', '01-auto-encodeurs-denses.html'), 'utf8');
    expect(page).toContain('le code a 32 valeurs au lieu de 64');
  });

  test('a late kill -1 or an endless print costs no question: the run is out of reach, the output cut and said so', () => {
    expect(score('heidi', NOTEBOOKS[0])).toBe('7/7');
    expect(score('ivan', NOTEBOOKS[0])).toBe('7/7');
    expect(row('ivan', NOTEBOOKS[0]).notes).toMatch(
      /cellule \d+ \(question 1\.6\) : sortie trop longue : [\d ]+ caractères coupés \(le début et la fin sont gardés\)/,
    );
    const page = fs.readFileSync(path.join(out, 'feedback', 'ivan', '01-auto-encodeurs-denses.html'), 'utf8');
    // The first print's start and the last one's end, around one line saying how much was cut.
    expect(page).toMatch(/\b0 xxxx/);
    expect(page).toMatch(/x fin \d+\n<\/pre>/);
    expect(page.match(/caractères coupés par le correcteur/g)).toHaveLength(1);
    expect(page.length).toBeLessThan(3_000_000);
  });

  test('a training that learns nothing fails, naming its learning rate', () => {
    expect(row('leo', NOTEBOOKS[0])['q1.4']).toBe('0');
    expect(score('leo', NOTEBOOKS[0])).toMatch(/^[0-6]\/7$/);
    const leo = fs.readFileSync(path.join(out, 'feedback', 'leo', '01-auto-encodeurs-denses.html'), 'utf8');
    expect(leo).toMatch(/n’a pas appris à reconstruire les images : MSE de validation 0,1\d+, bien pire que celle de l’image moyenne/);
    expect(leo).toContain('il a été entraîné avec Adam, pas 1, lots de 128, la question demande Adam, pas 10⁻³, lots de 128');
  });

  test('model.fit compiled with another loss than the MSE fails 1.4, saying which loss, even when a later cell rewrites the exported histories', () => {
    expect(row('nina', NOTEBOOKS[0])['q1.4']).toBe('0');
    expect(score('nina', NOTEBOOKS[0])).toBe('6/7');
    expect(fs.readFileSync(path.join(out, 'feedback', 'nina', '01-auto-encodeurs-denses.html'), 'utf8')).toContain(
      'model.fit l’a entraîné avec la perte « meanAbsoluteError » donnée à compile',
    );
  });

  test('a kernel that stops itself after the last answer costs no answer; another recipe that learns and a notebook without cell ids are remarks at most', () => {
    expect(score('oscar', NOTEBOOKS[0])).toBe('7/7');
    const notes = row('oscar', NOTEBOOKS[0]).notes.split(' | ');
    expect(notes).toContainEqual(
      expect.stringMatching(/^cellule \d+ : après elle, le noyau ne répondait plus \(ni à ■ ni aux messages\) : arrêté$/),
    );
    expect(notes).toContainEqual(
      expect.stringContaining(
        'recette Adam, pas 0,002, lots de 256, la même pour les 3 modèles, au lieu de celle de la question (Adam, pas 10⁻³, lots de 128)',
      ),
    );
    expect(notes.join(' ')).not.toContain('supprimée');
  });

  test('a training on the test images fails its question, through the library or model.fit; the solutions are not suspected', () => {
    expect(row('carol', NOTEBOOKS[0])['q1.4']).toBe('0');
    const carol = fs.readFileSync(path.join(out, 'feedback', 'carol', '01-auto-encodeurs-denses.html'), 'utf8');
    // 3,600 training images then 500 test images: the last 3 of the 32 sampled evenly are test images, for each model.
    expect(carol.match(/entraîné sur des images de test : 3 des 32 images relevées parmi ses 4\s100 images d’entraînement/g)).toHaveLength(
      3,
    );
    expect(row('kim', NOTEBOOKS[2])['q3.2']).toBe('0');
    expect(fs.readFileSync(path.join(out, 'feedback', 'kim', '03-debruitage.html'), 'utf8')).toContain(
      'entraîné sur des images de test : 32 des 32 images relevées',
    );
    // The evidence is certain: no « à vérifier » note besides.
    expect(row('carol', NOTEBOOKS[0]).notes).not.toContain('à vérifier');
    for (const name of NOTEBOOKS) expect(row('alice', name).notes).not.toContain('images de test');
  });

  test('a kernel crash in the last answer costs that question only, its cell named', () => {
    expect(score('kim', NOTEBOOKS[0])).toBe('6/7');
    expect(row('kim', NOTEBOOKS[0])['q1.6']).toBe('0');
    expect(row('kim', NOTEBOOKS[0]).notes).toMatch(
      /cellule \d+ \(question 1\.6\) : elle a arrêté le noyau \(plantage ou limite de mémoire\) : retirée/,
    );
  });

  test('fakes: plain objects for a model, a patched check or console.log, a made-up history and a changed set-up cell gain nothing', () => {
    expect(row('eve', NOTEBOOKS[1])['q2.2']).toBe('0');
    expect(fs.readFileSync(path.join(out, 'feedback', 'eve', '02-auto-encodeur-convolutif.html'), 'utf8')).toContain(
      'conv doit être un auto-encodeur fait par lab.autoencoder',
    );
    expect(row('eve', NOTEBOOKS[0])['q1.1']).toBe('0');
    expect(row('eve', NOTEBOOKS[0])['q1.4']).toBe('0');
    expect(fs.readFileSync(path.join(out, 'feedback', 'eve', '01-auto-encodeurs-denses.html'), 'utf8')).toContain(
      'n’a pas appris à reconstruire les images',
    );
    expect(score('eve', NOTEBOOKS[2])).toBe('4/4');
    expect(row('eve', NOTEBOOKS[2]).notes).toContain("cellule donnée n°2 modifiée : remise d'origine");
  });

  test('hostile hand-ins are contained: nothing written outside, no secret read, no process left, the class graded', () => {
    for (const marker of MARKERS) expect(fs.existsSync(marker)).toBe(false);
    expect(watched.map(hash)).toEqual(before);
    const page = fs.readFileSync(path.join(out, 'feedback', 'dave', '01-auto-encodeurs-denses.html'), 'utf8');
    expect(page).toContain('refusé');
    expect(page).not.toContain(SECRET);
    expect(score('dave', NOTEBOOKS[0])).toBe('7/7');
    expect(spawnSync('pgrep', ['-f', 'sleep 987']).status).toBe(1);
    // An endless loop is stopped at its cell, named with its question; the others are graded.
    expect(score('dave', NOTEBOOKS[1])).toBe('5/6');
    expect(row('dave', NOTEBOOKS[1]).notes).toMatch(/cellule \d+ \(question 2\.3\) : arrêtée au bout de 25 s/);
    // Endless allocation fails its cell at the memory limit (as a JavaScript RangeError, or a native allocation
    // failure that kills the kernel: the cell is then taken out), or, on a loaded machine where reaching the
    // limit takes longer than a cell may, is stopped by the cell's time limit; the notebook goes on either way.
    // What follows depends on when the memory comes back, so only containment is asserted here.
    expect(row('dave', NOTEBOOKS[2]).notes).toMatch(/^cellule 4 : .*(allocation failed|arrêté le noyau|arrêtée au bout de 25 s)/i);
    expect(row('dave', NOTEBOOKS[2]).auto_max).toBe('4');
  });

  test('a hand-in runs unprivileged and sees only the runtime: every probe refused or empty, nothing written outside', () => {
    const page = fs.readFileSync(path.join(out, 'feedback', 'mallory', '02-auto-encodeur-convolutif.html'), 'utf8');
    expect(page).toMatch(/Uid:\s+64\d\d\d/);
    expect(page).toMatch(/CapEff:\s+0000000000000000/);
    expect(page).toMatch(/NoNewPrivs:\s+1/);
    for (const probe of ['remontage', 'shadow', 'accueil', 'solutions', 'git', 'classe', 'tmp', 'processus'])
      expect(page).toMatch(new RegExp(`${probe} refusé :`));
    expect(page).toMatch(/nbgrader OBTENU :[^<]*python3\.\d+/);
    expect(fs.existsSync('/tp5-pwned-root')).toBe(false);
    // What it could list: the project's runtime only, and no notebook but its own.
    expect(page).toMatch(/projet OBTENU : (\.venv|build|common|entree|grader|node_modules|package\.json|rendu| )+\n/);
    // Its lines, up to the next probe's (the prints of a cell come as one text).
    const notebooks = /carnets OBTENU : ([^<]*?)\n(?=\S+ (OBTENU|refusé) :)/.exec(page);
    expect(notebooks).not.toBeNull();
    const listed = (notebooks as RegExpExecArray)[1].trim().split(/\s+/).filter(Boolean);
    expect(listed.filter((n) => !n.startsWith(path.join(root, '.venv')) && n !== path.join(root, 'entree', 'handin.ipynb'))).toEqual([]);
    expect(page).not.toContain('BEGIN SOLUTION');
    expect(page).not.toMatch(/root:[^:]*:\d+:/);
    // /tmp filled to its cap then emptied, 2,000 processes refused: the hand-in's questions still graded.
    expect(page).toContain('tmp-vidé OBTENU : ok');
    expect(row('mallory', NOTEBOOKS[1]).auto_max).toBe('6');
  });

  test('feedback pages run nothing and load nothing: no script, no on* attribute, no javascript: URL, a CSP', () => {
    const pages = fs
      .readdirSync(path.join(out, 'feedback'))
      .flatMap((student) => fs.readdirSync(path.join(out, 'feedback', student)).map((file) => path.join(out, 'feedback', student, file)));
    pages.push(path.join(out, 'reponses-redigees.html'));
    expect(pages).toHaveLength(26);
    const audit = spawnSync(python, [path.join(root, 'test', 'helpers', 'audit_html.py'), ...pages], { encoding: 'utf8' });
    expect(audit.stderr).toBe('');
    const found: Record<string, { scripts: number; handlers: string[]; urls: string[]; policy: string }> = JSON.parse(audit.stdout);
    for (const page of pages) {
      expect({ page, ...found[page] }).toEqual({
        page,
        scripts: 0,
        handlers: [],
        urls: [],
        policy: expect.stringContaining("default-src 'none'"),
      });
    }
    // The link is still there as text, without its target.
    const mallory = fs.readFileSync(path.join(out, 'feedback', 'mallory', '02-auto-encodeur-convolutif.html'), 'utf8');
    expect(mallory).toContain('ma réponse');
  });

  test('a second run skips the hand-ins already graded with the same content', () => {
    const again = spawnSync(python, ['-m', 'grader', 'grade', classFolder, '--out', out, '--jobs', '2'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(again.status).toBe(0);
    expect(again.stdout.match(/\(déjà corrigé, inchangé\)/g)).toHaveLength(25);
    const [header, ...lines] = fs.readFileSync(path.join(out, 'grades.csv'), 'utf8').trim().split('\n').map(parseCsvLine);
    expect(lines.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i]])))).toEqual(rows);
  });

  test('graded one task per hand-in with GNU parallel, then merged: the same grades, and a Moodle export', () => {
    const parallel = '/usr/bin/parallel';
    if (!fs.existsSync(parallel)) throw new Error('GNU parallel is missing (Debian package parallel; npm test installs it)');
    const subset = fs.mkdtempSync(path.join(root, 'build', 'grading-tasks-'));
    // A student kit left as handed out and a hand-in with a mistake: one task each, as a cluster would run them.
    for (const [student, name] of [
      ['bob', NOTEBOOKS[0]],
      ['carol', NOTEBOOKS[0]],
    ]) {
      fs.mkdirSync(path.join(subset, 'rendus', student), { recursive: true });
      fs.copyFileSync(path.join(classFolder, student, name), path.join(subset, 'rendus', student, name));
    }
    const tasksOut = path.join(subset, 'notes');
    const listed = spawnSync(python, ['-m', 'grader', 'grade', path.join(subset, 'rendus'), '--list'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(listed.stdout.trim().split('\n')).toEqual([`0\tbob/${NOTEBOOKS[0]}`, `1\tcarol/${NOTEBOOKS[0]}`]);
    const tasks = spawnSync(
      parallel,
      [
        '--jobs',
        '2',
        python,
        '-m',
        'grader',
        'grade',
        path.join(subset, 'rendus'),
        '--out',
        tasksOut,
        '--cell-timeout',
        '25',
        '--task',
        '{}',
        '--slot',
        '{%}',
        ':::',
        '0',
        '1',
      ],
      { cwd: root, encoding: 'utf8', timeout: 900_000 },
    );
    expect(tasks.status).toBe(0);
    const merged = spawnSync(python, ['-m', 'grader', 'grade', '--merge', '--out', tasksOut], { cwd: root, encoding: 'utf8' });
    expect(merged.status).toBe(0);
    const [header, ...lines] = fs.readFileSync(path.join(tasksOut, 'grades.csv'), 'utf8').trim().split('\n').map(parseCsvLine);
    const fromTasks = lines.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i]])));
    // The class's file has columns for parts 2 and 3 too, empty on these rows.
    const points = (r: Record<string, string>) =>
      Object.fromEntries(Object.entries(r).filter(([k, v]) => k === 'student' || (/^(q|auto_)/.test(k) && v !== '')));
    expect(fromTasks.map(points)).toEqual(['bob', 'carol'].map((s) => points(row(s, NOTEBOOKS[0]))));
    expect(fs.readFileSync(path.join(tasksOut, 'notes-moodle.csv'), 'utf8')).toBe(
      'identifiant,TP5 partie 1,TP5 total\nbob,0,0\ncarol,5,5\n',
    );
  }, 900_000);

  test('written answers side by side, and the template for their points', () => {
    const page = fs.readFileSync(path.join(out, 'reponses-redigees.html'), 'utf8');
    expect(page).toContain('<h2>Question 2.1</h2>');
    expect(page).toContain('<b>alice</b>');
    const template = fs.readFileSync(path.join(out, 'points-manuels.csv'), 'utf8');
    expect(template.split('\n')[0]).toBe('student,notebook,question,points,commentaire');
    expect(template).toContain('alice,02-auto-encodeur-convolutif.ipynb,2.1,,');
  });

  test("the teacher's points merge into grades.csv without grading again", () => {
    const points = path.join(out, 'points-manuels.csv');
    fs.writeFileSync(
      points,
      fs
        .readFileSync(points, 'utf8')
        .replace('alice,02-auto-encodeur-convolutif.ipynb,2.1,,', 'alice,02-auto-encodeur-convolutif.ipynb,2.1,1,bien vu')
        .replace('alice,02-auto-encodeur-convolutif.ipynb,2.4,,', 'alice,02-auto-encodeur-convolutif.ipynb,2.4,"0,5",'),
    );
    const merged = spawnSync(python, ['-m', 'grader', 'grade', '--points-only', '--out', out], { cwd: root, encoding: 'utf8' });
    expect(merged.status).toBe(0);
    const lines = fs.readFileSync(path.join(out, 'grades.csv'), 'utf8').trim().split('\n').map(parseCsvLine);
    const header = lines[0];
    const alice = lines.find((cells) => cells[0] === 'alice' && cells[1] === NOTEBOOKS[1]) as string[];
    expect(alice[header.indexOf('manual_points')]).toBe('1.5');
    expect(alice[header.indexOf('total')]).toBe('7.5');
  });
});

test('grading refuses to run hand-ins where no sandbox can be had, and says why', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp5-nosandbox-'));
  fs.mkdirSync(path.join(dir, 'alice'));
  const result = spawnSync(python, ['-m', 'grader', 'grade', dir, '--out', path.join(dir, 'out')], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PATH: path.join(root, '.venv', 'bin') },
  });
  expect(result.status).toBe(2);
  expect(result.stderr).toContain("refus : bubblewrap n'est pas installé");
  expect(result.stderr).toContain('--unsafe');
});

/** One line of the grader's CSV (quoted fields with doubled quotes). */
function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        current += '"';
        i++;
      } else if (c === '"') quoted = false;
      else current += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(current);
      current = '';
    } else current += c;
  }
  cells.push(current);
  return cells;
}
