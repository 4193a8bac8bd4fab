import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  ExecutedNotebook,
  NOTEBOOKS,
  NotebookCell as Cell,
  Output,
  expectExecutedNotebook,
  outputText,
  readNotebook as read,
  textOf as text,
} from './helpers/notebook-outputs';

/**
 * The coursework as students and teachers meet it, through a real tslab kernel (quick mode):
 * the solutions pass every check, untouched student versions stop at their first question, and
 * simulated students, right in unusual ways or wrong in the usual ones, get their verdict at the
 * question concerned.
 *
 * Simulated students share a kernel per notebook, as one student re-running cells would: the whole
 * solution runs first (its outputs checked as those of a fresh-kernel quick run), then each student's version of a question's cells runs again, followed by
 * that question's check cell, then the solution's cells of that question again. The given cell that
 * declares an answer's variables runs again before it, so one student's answer never stands in for
 * another's; and a student's answer cell that fails (say, does not compile) fails the passing
 * variants' tests.
 */

const root = path.resolve(__dirname, '..');
const python = path.join(root, '.venv', 'bin', 'python');
const solution = (name: string) => path.join(root, 'notebooks', name);

function grader(args: string[]) {
  const result = spawnSync(python, ['-m', 'grader', ...args], { cwd: root, encoding: 'utf8', timeout: 900_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A scratch folder inside the project (notebooks import the library by name from node_modules). */
function scratch(): string {
  fs.mkdirSync(path.join(root, 'build'), { recursive: true });
  return fs.mkdtempSync(path.join(root, 'build', 'coursework-test-'));
}

/** A simulated student: the question, and replacements in the solution's answer cells of that question. */
interface Student {
  name: string;
  question: string;
  edits: [string, string][];
}

/** What a student saw after running the question's check cell: its feedback and its error, if any. */
interface Seen {
  feedback: string;
  error: string;
  /** Errors of the student's answer cells (a cell that does not compile leaves the earlier definitions in place). */
  answerErrors: string;
}

/**
 * Runs the solution (the TP's parts), then each student's answer cells and the question's check cell, in one kernel.
 * Every edit must apply to the question's answer cells, so a variant never silently tests the solution.
 */
function simulate(notebookName: string, students: Student[]): { seen: Record<string, Seen>; solutionRun: ExecutedNotebook } {
  const notebook = read(solution(notebookName));
  const appended: Cell[] = [];
  for (const student of students) {
    const ofQuestion = (c: Cell) => c.metadata.tp5?.answer === student.question || c.metadata.tp5?.declares === student.question;
    const answers = notebook.cells.filter(ofQuestion).map((c) => ({ ...c, source: text(c.source), outputs: [] as Output[] }));
    for (const [find, replace] of student.edits) {
      const target = answers.find((c) => c.source.includes(find));
      if (!target) throw new Error(`${student.name}: "${find}" is not in the answer cells of question ${student.question}`);
      target.source = target.source.split(find).join(replace);
    }
    const checkCell = notebook.cells.find((c) => c.metadata.tp5?.check === student.question) as Cell;
    // The student's cells, then the solution's again (the student puts it right), so that the next student starts from a good state.
    const solutionCells = notebook.cells.filter((c) => ofQuestion(c) || c === checkCell);
    appended.push(
      ...answers.map((c) => ({ ...c, metadata: { tp5: { studentAnswer: student.name } } })),
      { ...checkCell, source: text(checkCell.source), outputs: [], metadata: { tp5: { student: student.name } } },
      ...solutionCells.map((c) => ({ ...c, outputs: [], metadata: {} })),
    );
  }
  // The solution first, the fresh-kernel quick run of the notebook; its parts beyond the TP, which no
  // question needs, are left out (the browser test runs them, the committed notebooks show them).
  notebook.cells = notebook.cells.filter((c) => !c.metadata.tp5?.beyond);
  const solutionLength = notebook.cells.length;
  notebook.cells = [...notebook.cells, ...appended].map((c, i) => ({ ...c, id: `cell-${i}` }));
  const dir = scratch();
  const file = path.join(dir, notebookName);
  fs.writeFileSync(file, JSON.stringify(notebook));
  grader(['run', '--quick', '--keep-going', '--output-dir', path.join(dir, 'out'), file]);
  const executed = read(path.join(dir, 'out', notebookName));
  const errors = (cell: Cell) =>
    (cell.outputs ?? [])
      .filter((o) => o.name === 'stderr' || o.output_type === 'error')
      .map((o) => text(o.text))
      .join('\n');
  const seen: Record<string, Seen> = {};
  const solutionRun = { ...executed, cells: executed.cells.slice(0, solutionLength) };
  for (const student of students) {
    const check = executed.cells.find((c) => c.metadata.tp5?.student === student.name) as Cell;
    seen[student.name] = {
      feedback: (check.outputs ?? []).map((o) => text(o.data?.['text/plain'])).join('\n'),
      error: errors(check),
      answerErrors: executed.cells
        .filter((c) => c.metadata.tp5?.studentAnswer === student.name)
        .map(errors)
        .join(''),
    };
  }
  return { seen, solutionRun };
}

/**
 * The student's check said the question is to revise, with this message: stopping there, or (a check
 * whose result later cells use) going on with a stand-in, its feedback saying « à revoir ».
 */
function expectCaught(seen: Seen | undefined, question: string, message: RegExp): void {
  expect(seen).toBeDefined();
  if (seen!.error === '') expect(seen!.feedback).toMatch(new RegExp(`^Question ${question.replace('.', '\\.')} \\(.*\\) : à revoir`, 'm'));
  else expect(seen!.error).toContain(`Question ${question} à revoir`);
  expect(`${seen!.error}\n${seen!.feedback}`).toMatch(message);
  expect(seen!.feedback).toContain(`Question ${question} (`);
}

/** The student's answer ran and its check passed. */
function expectPassed(seen: Seen | undefined, question: string): void {
  expect(seen).toBeDefined();
  expect(seen!.answerErrors).toBe('');
  expect(seen!.error).toBe('');
  expect(seen!.feedback).toMatch(new RegExp(`Question ${question.replace('.', '\\.')} \\(.*\\) : tout est juste`));
}

describe('part 1: dense autoencoders', () => {
  const sansActivation = 'dense1 = denseAutoencoder1(M, N, 64, "linear");';
  const withRelu = 'dense1Relu = denseAutoencoder1(M, N, 64, "relu");';
  const students: Student[] = [
    {
      name: 'the first 10 % as validation',
      question: '0',
      edits: [
        [
          '[xTrain, xValidation] = tf.split(allTraining, [data.train.count - validationCount, validationCount]) as tf.Tensor4D[];',
          '[xValidation, xTrain] = tf.split(allTraining, [validationCount, data.train.count - validationCount]) as tf.Tensor4D[];',
        ],
      ],
    },
    { name: 'K = 32', question: '1.1', edits: [['(M, N, 64,', '(M, N, 32,']] },
    {
      name: 'no final sigmoid',
      question: '1.1',
      edits: [
        [
          'decoder.add(tf.layers.dense({ units: M * N, activation: "sigmoid" }));\n  // END SOLUTION\n  decoder.add(tf.layers.reshape({ targetShape: [M, N, 1] })); // remise',
          'decoder.add(tf.layers.dense({ units: M * N }));\n  // END SOLUTION\n  decoder.add(tf.layers.reshape({ targetShape: [M, N, 1] })); // remise',
        ],
      ],
    },
    {
      name: 'relu in the model without activation',
      question: '1.1',
      edits: [[sansActivation, 'dense1 = denseAutoencoder1(M, N, 64, "relu");']],
    },
    {
      name: 'no relu in the second Dense n°1',
      question: '1.1',
      edits: [[withRelu, 'dense1Relu = denseAutoencoder1(M, N, 64, "linear");']],
    },
    {
      name: 'reference builder',
      question: '1.1',
      edits: [[sansActivation, 'dense1 = lab.buildDense1({ codeSize: 64, activation: "none" });']],
    },
    {
      name: 'activations as layers of their own',
      question: '1.1',
      edits: [
        [
          'encoder.add(tf.layers.dense({ units: 128, activation }));\n  encoder.add(tf.layers.dense({ units: K, activation }));',
          'encoder.add(tf.layers.dense({ units: 128 }));\n  encoder.add(tf.layers.activation({ activation }));\n  encoder.add(tf.layers.dense({ units: K }));\n  encoder.add(tf.layers.activation({ activation }));',
        ],
        [
          'decoder.add(tf.layers.dense({ units: 128, activation }));\n  decoder.add(tf.layers.dense({ units: M * N, activation: "sigmoid" }));',
          'decoder.add(tf.layers.dense({ units: 128 }));\n  decoder.add(tf.layers.activation({ activation }));\n  decoder.add(tf.layers.dense({ units: M * N }));\n  decoder.add(tf.layers.activation({ activation: "sigmoid" }));',
        ],
      ],
    },
    {
      name: 'tanh in Dense n°2',
      question: '1.1',
      edits: [['dense2 = denseAutoencoder2(M, N, 64, "relu");', 'dense2 = denseAutoencoder2(M, N, 64, "tanh");']],
    },
    {
      name: 'a table cell without the biases',
      question: '1.2',
      edits: [['output: [128], params: 100480', 'output: [128], params: 100352']],
    },
    { name: 'counts without the biases', question: '1.3', edits: [['inputs * outputs + outputs;', 'inputs * outputs;']] },
    { name: '40 epochs', question: '1.4', edits: [['epochs: settings.epochs(20)', 'epochs: 40']] },
    {
      name: 'model.fit with the mean absolute error',
      question: '1.4',
      edits: [
        [
          'for (const model of denseModels) {\n  denseHistories.push(await lab.trainAutoencoder(model, { inputs: prepared.xTrain }, recipe));\n}',
          `for (const model of denseModels) {
  model.model.compile({ optimizer: tf.train.adam(1e-3), loss: "meanAbsoluteError" });
  denseHistories.push(await model.model.fit(prepared.xTrain, prepared.xTrain, {
    epochs: 3, batchSize: 128, validationData: [prepared.xValidation, prepared.xValidation], verbose: 0,
  }));
}`,
        ],
      ],
    },
    {
      name: 'model.fit',
      question: '1.4',
      edits: [
        [
          'for (const model of denseModels) {\n  denseHistories.push(await lab.trainAutoencoder(model, { inputs: prepared.xTrain }, recipe));\n}',
          `for (const model of denseModels) {
  model.model.compile({ optimizer: tf.train.adam(1e-3), loss: "meanSquaredError" });
  denseHistories.push(await model.model.fit(prepared.xTrain, prepared.xTrain, {
    epochs: 3, batchSize: 128, validationData: [prepared.xValidation, prepared.xValidation], verbose: 0,
  }));
}`,
        ],
      ],
    },
    {
      name: 'a root mean square error',
      question: '1.5',
      edits: [
        [
          'return tf.tidy(() => tf.mean(tf.squaredDifference(reference, candidate)) as tf.Scalar);',
          'return tf.tidy(() => tf.sqrt(tf.mean(tf.squaredDifference(reference, candidate))) as tf.Scalar);',
        ],
      ],
    },
    {
      name: 'the library measuring the MSE',
      question: '1.5',
      edits: [
        [
          'return tf.tidy(() => tf.mean(tf.squaredDifference(reference, candidate)) as tf.Scalar);',
          'return tf.scalar(lab.compareImages(reference, candidate).mse);',
        ],
      ],
    },
  ];
  let seen: Record<string, Seen>;
  let solutionRun: ExecutedNotebook;
  beforeAll(() => {
    ({ seen, solutionRun } = simulate(NOTEBOOKS[0], students));
  }, 600_000);

  test('the solution (its TP parts) runs from a fresh tslab kernel in quick mode: tables, metrics, figures, every check passed', () => {
    expectExecutedNotebook(0, solutionRun, true, false);
    // Quick mode really is quick: it says so in its first outputs.
    expect(outputText(solutionRun)).toContain('Mode rapide (TP5_QUICK=1)');
  });

  test('K = 32 where the TP asks for 64: one message per model, the code size, not its knock-on effects', () => {
    expectCaught(seen['K = 32'], '1.1', /le code a 32 valeurs au lieu de 64/);
    const points = seen['K = 32'].feedback.split('\n').filter((line) => line.startsWith('✘'));
    expect(points).toHaveLength(3);
    for (const point of points) expect(point).toMatch(/ : le code a 32 valeurs au lieu de 64 \(sa taille K\)$/);
  });
  test('a decoder without its final sigmoid', () => expectCaught(seen['no final sigmoid'], '1.1', /doit finir par une sigmoïde/));
  test('relu inside the model "sans activation"', () =>
    expectCaught(
      seen['relu in the model without activation'],
      '1.1',
      /Dense n°1 sans activation doit être sans activation, mais sa couche linéaire n°1 de l’encodeur est suivie de relu/,
    ));
  test('the second Dense n°1 without relu', () =>
    expectCaught(
      seen['no relu in the second Dense n°1'],
      '1.1',
      /Dense n°1 avec ReLU : sa couche linéaire n°1 de l’encodeur doit être suivie d’une ReLU \(trouvé : aucune\)/,
    ));
  test('the first 10 % of the training images as validation', () =>
    expectCaught(seen['the first 10 % as validation'], '0', /xValidation n’est pas fait des \d+ dernières images d’entraînement/));
  test('a training with the mean absolute error instead of the MSE', () =>
    expectCaught(
      seen['model.fit with the mean absolute error'],
      '1.4',
      /l’historique annonce au mieux une perte de 0,\d+ .* la perte doit être la perte quadratique/,
    ));
  test('an answer calling lab.buildDense1', () =>
    expectCaught(seen['reference builder'], '1.1', /vient de lab\.buildDense1 : la question demande d’écrire vous-même/));
  test('activations as separate layers pass', () => expectPassed(seen['activations as layers of their own'], '1.1'));
  test('tanh in Dense n°2 passes', () => expectPassed(seen['tanh in Dense n°2'], '1.1'));
  test('a table cell is checked without giving the answer away', () => {
    expectCaught(
      seen['a table cell without the biases'],
      '1.2',
      /tableau de Dense n°2, ligne 2 \(Encodeur, Linéaire\) : nombre de paramètres 100\u202f352 incorrect/,
    );
    expect(seen['a table cell without the biases'].error).not.toMatch(/100\s?480/);
  });
  test('parameter counts without the biases', () =>
    expectCaught(seen['counts without the biases'], '1.3', /compte les poids mais pas les biais/));
  test('40 epochs pass', () => expectPassed(seen['40 epochs'], '1.4'));
  test("tfjs's model.fit passes", () => expectPassed(seen['model.fit'], '1.4'));
  test('a root mean square error is not the MSE', () =>
    expectCaught(seen['a root mean square error'], '1.5', /ce n’est pas la moyenne des carrés des écarts/));
  test('an MSE that calls the library', () => expectCaught(seen['the library measuring the MSE'], '1.5', /mse appelle lab\.compareImages/));
});

describe('part 2: convolutional autoencoder', () => {
  const activationLayer = (filters: string) =>
    `encoder.add(tf.layers.conv2d({ filters: ${filters}, kernelSize: 3, strides: 2, padding: "same" }));\n  encoder.add(tf.layers.leakyReLU());`;
  const students: Student[] = [
    {
      name: "the TP's table read literally",
      question: '2.2',
      edits: [
        [
          'decoder.add(tf.layers.conv2dTranspose({ filters: 1, kernelSize: 3',
          'decoder.add(tf.layers.conv2dTranspose({ filters: 16, kernelSize: 3',
        ],
      ],
    },
    {
      name: 'reference builder',
      question: '2.2',
      edits: [['conv = convAutoencoder(M, N, 64, "relu");', 'conv = lab.buildConv({ codeSize: 64, activation: "relu" });']],
    },
    {
      name: 'LeakyReLU',
      question: '2.2',
      edits: [
        ['encoder.add(tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: "same", activation }));', activationLayer('16')],
        ['encoder.add(tf.layers.conv2d({ filters: 32, kernelSize: 3, strides: 2, padding: "same", activation }));', activationLayer('32')],
      ],
    },
  ];
  let seen: Record<string, Seen>;
  let solutionRun: ExecutedNotebook;
  beforeAll(() => {
    ({ seen, solutionRun } = simulate(NOTEBOOKS[1], students));
  }, 600_000);

  test('the solution (its TP parts) runs from a fresh tslab kernel in quick mode: tables, metrics, figures, every check passed', () =>
    expectExecutedNotebook(1, solutionRun, true, false));

  test("the TP's table read literally: 16 channels out of the last layer", () =>
    expectCaught(seen["the TP's table read literally"], '2.2', /la sortie est 28×28×16 par image au lieu d’une image 28×28×1/));
  test('an answer calling lab.buildConv', () => expectCaught(seen['reference builder'], '2.2', /vient de lab\.buildConv/));
  test('LeakyReLU as a layer passes', () => expectPassed(seen.LeakyReLU, '2.2'));
});

describe('part 3: denoising', () => {
  /** 3.2's library training replaced by tfjs's model.fit on the same pairs, its model compiled with `loss`. */
  const fitOnPairs = (loss: string): [string, string] => [
    `denoiseHistory = await lab.trainAutoencoder(denoiser, { inputs: noisy.xNoisyTrain, targets: prepared.xTrain }, {
  epochs: settings.epochs(20), batchSize: 128, learningRate: 1e-3, loss: "mse", seed: 0,
  validation: { inputs: noisy.xNoisyValidation, targets: prepared.xValidation },
});`,
    `denoiser.model.compile({ optimizer: tf.train.adam(1e-3), loss: "${loss}" });
denoiseHistory = await denoiser.model.fit(noisy.xNoisyTrain, prepared.xTrain, {
  epochs: 3, batchSize: 128, validationData: [noisy.xNoisyValidation, prepared.xValidation],
});`,
  ];
  const noise = 'return tf.tidy(() => tf.add(images, tf.randomNormal(images.shape, 0, Math.sqrt(variance))));';
  const denoiser = 'denoiser = lab.buildConv({ codeSize: 64, activation: "relu", name: "Auto-encodeur débruiteur" });';
  const students: Student[] = [
    {
      name: 'the variance as standard deviation',
      question: '3.1',
      edits: [[noise, 'return tf.tidy(() => tf.add(images, tf.randomNormal(images.shape, 0, variance)));']],
    },
    {
      name: 'uniform noise',
      question: '3.1',
      edits: [
        [noise, 'const a = Math.sqrt(3 * variance);\n  return tf.tidy(() => tf.add(images, tf.randomUniform(images.shape, -a, a)));'],
      ],
    },
    {
      name: 'clipped noise',
      question: '3.1',
      edits: [
        [
          noise,
          'return tf.tidy(() => tf.clipByValue(tf.add(images, tf.randomNormal(images.shape, 0, Math.sqrt(variance))), 0, 1) as tf.Tensor4D);',
        ],
      ],
    },
    { name: 'the library noise', question: '3.1', edits: [[noise, 'return lab.toTensor(lab.addGaussianNoise(images, { variance }));']] },
    {
      name: 'one noise field for every image',
      question: '3.1',
      edits: [[noise, 'return tf.tidy(() => tf.add(images, tf.randomNormal([1, ...images.shape.slice(1)], 0, Math.sqrt(variance))));']],
    },
    {
      name: 'noise of mean 0.1',
      question: '3.1',
      edits: [[noise, 'return tf.tidy(() => tf.add(images, tf.randomNormal(images.shape, 0.1, Math.sqrt(variance))));']],
    },
    {
      name: 'swapped pairs',
      question: '3.2',
      edits: [
        [
          'denoiseHistory = await lab.trainAutoencoder(denoiser, { inputs: noisy.xNoisyTrain, targets: prepared.xTrain }, {',
          'denoiseHistory = await lab.trainAutoencoder(denoiser, { inputs: prepared.xTrain, targets: noisy.xNoisyTrain }, {',
        ],
        [
          'validation: { inputs: noisy.xNoisyValidation, targets: prepared.xValidation },',
          'validation: { inputs: prepared.xValidation, targets: noisy.xNoisyValidation },',
        ],
      ],
    },
    {
      name: 'a dense denoiser',
      question: '3.2',
      edits: [[denoiser, 'denoiser = lab.buildDense2({ codeSize: 64, activation: "relu", name: "dense" });']],
    },
    {
      name: 'model.fit with the mean absolute error',
      question: '3.2',
      edits: [fitOnPairs('meanAbsoluteError')],
    },
    {
      name: 'the blur measured against the noisy images',
      question: '3.3',
      edits: [
        [
          'lab.evaluateImages("flou gaussien (σ = 1)", prepared.xTest, lab.gaussianBlur(noisy.xNoisyTest, 1)),',
          'lab.evaluateImages("flou gaussien (σ = 1)", noisy.xNoisyTest, lab.gaussianBlur(noisy.xNoisyTest, 1)),',
        ],
      ],
    },
    {
      name: 'model.fit on the pairs',
      question: '3.2',
      edits: [fitOnPairs('meanSquaredError')],
    },
  ];
  let seen: Record<string, Seen>;
  let solutionRun: ExecutedNotebook;
  beforeAll(() => {
    ({ seen, solutionRun } = simulate(NOTEBOOKS[2], students));
  }, 600_000);

  test('the solution (its TP parts) runs from a fresh tslab kernel in quick mode: tables, metrics, figures, every check passed', () =>
    expectExecutedNotebook(2, solutionRun, true, false));

  test('the variance used as the standard deviation', () =>
    expectCaught(
      seen['the variance as standard deviation'],
      '3.1',
      /variance 0,06\d\d au lieu de 0,2500 : la variance a été prise pour l’écart-type/,
    ));
  test('uniform noise of the right variance', () => expectCaught(seen['uniform noise'], '3.1', /ce bruit n’est pas gaussien/));
  test('noise clipped to [0, 1]', () => expectCaught(seen['clipped noise'], '3.1', /ramène les valeurs dans \[0, 1\]/));
  test('an answer calling lab.addGaussianNoise', () =>
    expectCaught(seen['the library noise'], '3.1', /addNoise appelle lab\.addGaussianNoise/));
  test('one noise field added to every image', () =>
    expectCaught(seen['one noise field for every image'], '3.1', /le même bruit est ajouté à chaque image/));
  test('noise of mean 0.1', () => expectCaught(seen['noise of mean 0.1'], '3.1', /moyenne 0,\d+ au lieu de 0/));
  test('a dense model as the denoiser', () =>
    expectCaught(
      seen['a dense denoiser'],
      '3.2',
      /l’encodeur enchaîne couche linéaire, couche linéaire ; l’architecture du TP : convolution/,
    ));
  test('a denoiser trained the wrong way round (clean → noisy)', () =>
    expectCaught(seen['swapped pairs'], '3.2', /l’historique annonce au mieux une perte de 0,\d+ alors que le modèle fait .* paires/));
  test("tfjs's model.fit on the pairs passes", () => expectPassed(seen['model.fit on the pairs'], '3.2'));
  test('model.fit compiled with the mean absolute error', () =>
    expectCaught(
      seen['model.fit with the mean absolute error'],
      '3.2',
      /model\.fit l’a entraîné avec la perte « meanAbsoluteError » donnée à compile/,
    ));
  test('a row of 3.3 measured against the noisy images, not the clean ones', () =>
    expectCaught(
      seen['the blur measured against the noisy images'],
      '3.3',
      /aucune ligne ne mesure le flou gaussien \(σ = 1\) des images de test bruitées contre les images de test propres/,
    ));
});

/** The telling lines between the solution markers of a cell (not blank, not lone punctuation). */
function solutionLines(source: string): string[] {
  const lines: string[] = [];
  let inside = false;
  for (const line of source.split('\n')) {
    if (line.includes('BEGIN SOLUTION')) inside = true;
    else if (line.includes('END SOLUTION')) inside = false;
    else if (inside) lines.push(line.trim());
  }
  return lines.filter((line) => line.replace(/\W/g, '').length >= 6);
}

test('the student kit: stubs naming their questions, empty answers, no answer left anywhere, a French guide; each notebook stops at its first question; untouched, it scores zero', () => {
  const out = scratch();
  const made = grader(['student', '--output-dir', out, ...NOTEBOOKS.map(solution)]);
  expect(made.status).toBe(0);
  expect(made.stdout).toMatch(/01-auto-encodeurs-denses.ipynb \(12 réponses à compléter, 3 réponses rédigées\)/);
  expect(fs.readFileSync(path.join(out, 'LISEZ-MOI.md'), 'utf8')).toContain('npm run check -- etudiant/01-auto-encodeurs-denses.ipynb');
  let regions = 0;
  for (const name of NOTEBOOKS) {
    const student = read(path.join(out, name)).cells;
    const original = read(solution(name)).cells;
    expect(student.map((c) => c.cell_type)).toEqual(original.map((c) => c.cell_type));
    expect(student.every((c) => (c.outputs ?? []).length === 0)).toBe(true);
    const sources = student.map((c) => text(c.source)).join('\n');
    expect(sources).not.toMatch(/SOLUTION/);
    regions += (sources.match(/lab\.todo\("[\d.]+"\);/g) ?? []).length;
    // Written answers are empty; every other markdown cell is the solution's.
    student.forEach((cell, i) => {
      if (cell.metadata.tp5?.written) expect(text(cell.source).trim()).toBe('**Votre réponse :**');
      else if (cell.cell_type === 'markdown') expect(text(cell.source)).toBe(text(original[i].source));
    });
    // No line of an answer stands anywhere in any student version.
    const answerLines = original.flatMap((c) => solutionLines(text(c.source)));
    expect(answerLines.length).toBeGreaterThan(3);
    for (const other of NOTEBOOKS) {
      const otherLines = new Set(
        read(path.join(out, other)).cells.flatMap((c) =>
          text(c.source)
            .split('\n')
            .map((l) => l.trim()),
        ),
      );
      expect(answerLines.filter((l) => otherLines.has(l))).toEqual([]);
    }
  }
  expect(regions).toBeGreaterThanOrEqual(12);

  // An untouched student notebook stops at its first question, with the question's own French message.
  for (const [name, question] of [
    [NOTEBOOKS[0], '0'],
    [NOTEBOOKS[1], '2.2'],
    [NOTEBOOKS[2], '3.1'],
  ]) {
    const run = grader(['run', '--quick', '--output-dir', path.join(out, 'executed'), path.join(out, name)]);
    expect(run.stderr).toMatch(new RegExp(`ÉCHEC ${name} : cellule \\d+ : Question ${question.replace('.', '\\.')} à compléter`));
  }
  const checked = grader(['check', path.join(out, NOTEBOOKS[0])]);
  expect(checked.stdout.match(/Score : \d+ \/ \d+/g)).toEqual(['Score : 0 / 7']);
  expect(checked.stdout).toMatch(/✘ Question 1\.1\n\s+✘ Question 1\.1 à compléter : les auto-encodeurs denses/);
  expect(checked.status).toBe(1);
}, 600_000);

// The solutions' full marks, through the class grader: grading.test.ts (alice).
test('`check` re-runs a hand-in with the original check cells: the edited one put back, its question to revise named, the others passed', () => {
  const notebook = read(solution(NOTEBOOKS[2]));
  const checkCell = notebook.cells.find((c) => c.metadata.tp5?.check === '3.1') as Cell;
  const answerCell = notebook.cells.find((c) => text(c.source).includes('tf.randomNormal(images.shape, 0, Math.sqrt(variance))')) as Cell;
  checkCell.source = 'const noisy = { xNoisyTrain, xNoisyValidation, xNoisyTest };';
  answerCell.source = text(answerCell.source).replace(
    'return tf.tidy(() => tf.add(images, tf.randomNormal(images.shape, 0, Math.sqrt(variance))));',
    'const a = Math.sqrt(3 * variance);\n  return tf.tidy(() => tf.add(images, tf.randomUniform(images.shape, -a, a)));',
  );
  const file = path.join(scratch(), NOTEBOOKS[2]);
  fs.writeFileSync(file, JSON.stringify(notebook));
  const { status, stdout, stderr } = grader(['check', file]);
  expect(stdout).toContain("NOTE : cellule de vérification de la question 3.1 modifiée : remise d'origine");
  // TensorFlow's English start-up lines stay out of the student's terminal.
  expect(stderr).not.toMatch(/oneDNN|absl|port\.cc/);
  expect(stdout).toMatch(/✘ Question 3\.1\n\s+✘ [^\n]*ce bruit n’est pas gaussien/);
  expect(stdout.match(/✔ Question 3\.[234]/g)).toHaveLength(3);
  expect(stdout).toContain('Score : 3 / 4');
  expect(stdout).toContain('Réponses rédigées : 2 / 2');
  expect(status).toBe(1);
}, 600_000);

test('hand-in export of a notebook whose written answers are empty warns, naming their questions', () => {
  const kit = scratch();
  expect(grader(['student', '--output-dir', kit, solution(NOTEBOOKS[0])]).status).toBe(0);
  const { status, stdout } = grader(['handin', path.join(kit, NOTEBOOKS[0]), '--output-dir', scratch()]);
  expect(status).toBe(0);
  expect(stdout).toContain('[rendu] attention : réponses rédigées vides (questions 1.3, 1.5, 1.6)');
}, 300_000);

test('hand-in export: one self-contained HTML page with the figures, and a PDF where chromium is installed', () => {
  const out = scratch();
  const { status, stdout } = grader(['handin', solution(NOTEBOOKS[2]), '--name', 'Ada Lovelace', '--output-dir', out]);
  expect(status).toBe(0);
  const page = fs.readFileSync(path.join(out, '03-debruitage-Ada-Lovelace.html'), 'utf8');
  expect(page).toContain('rendu de <b>Ada Lovelace</b>');
  expect(page).not.toMatch(/<script[^>]*\bsrc="https?:/);
  expect(page.match(/class="tp5-figure"/g)?.length).toBeGreaterThanOrEqual(3);
  expect(page).toContain('data:image/svg+xml;base64,');
  expect(page).toContain('Plotly.newPlot');
  // No English prompts (« In [19]: ») and no tfjs internals (« Tensor { kept: false, … »).
  expect(page).not.toMatch(/(In|Out)(&nbsp;|\s)\[\d*\]:/);
  expect(page).not.toMatch(/Tensor \{|isDisposedInternal/);
  expect(stdout).not.toContain('réponses rédigées vides');
  // The PDF needs Debian's chromium; without it, the command says so and why.
  if (fs.existsSync('/usr/bin/chromium')) {
    expect(stdout).toContain('03-debruitage-Ada-Lovelace.pdf');
    const pdf = fs.readFileSync(path.join(out, '03-debruitage-Ada-Lovelace.pdf'));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(50_000);
  } else {
    expect(stdout).toContain("[rendu] pas de PDF : /usr/bin/chromium n'est pas installé");
  }
}, 300_000);
