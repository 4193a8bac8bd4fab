import path from 'node:path';
import { explainDiagnostics, explainError, questionOfCell } from '../lib/coursework/cell-errors';
import TABLE from '../lib/coursework/questions.json';
import { NOTEBOOKS, readNotebook, textOf } from './helpers/notebook-outputs';

/**
 * The names each question's answer defines (questions.json) agree with the notebooks, so that a cell
 * that does not compile is told by its question, and a missing name by the question to run first.
 */

const cells = NOTEBOOKS.flatMap((name) => readNotebook(path.join(__dirname, '..', 'notebooks', name)).cells);
const ofQuestion = (question: string) =>
  cells
    .filter((cell) => cell.metadata.tp5?.answer === question || cell.metadata.tp5?.declares === question)
    .map((cell) => textOf(cell.source));

test.each(Object.entries(TABLE.questions).filter(([, question]) => 'defines' in question))(
  'question %s: its cells define its names, and are recognised as its own',
  (id, question) => {
    const sources = ofQuestion(id);
    for (const name of (question as { defines: string[] }).defines)
      expect(sources.some((source) => new RegExp(`(function|let|const)\\s+${name}\\b|\\b${name}\\s*=[^=]`).test(source))).toBe(true);
    for (const source of sources) expect([id, undefined]).toContain(questionOfCell(source));
    expect(sources.map(questionOfCell)).toContain(id);
  },
);

test("a student's stub names its question, whatever it defines", () => {
  expect(questionOfCell('// À compléter (question 2.2)\nlab.todo("2.2");')).toBe('2.2');
});

test('a name a question defines, missing from a later cell: run that question first', () => {
  const told = explainDiagnostics('lab.check.mseFunction("1.5", mse);', [
    { start: { line: 0, character: 30 }, messageText: "Le nom 'mse' est introuvable.", code: 2304 },
  ]);
  expect(told).toBe(
    "Cette cellule ne compile pas :\n  « mse » n'est pas encore défini : exécutez d'abord, dans l'ordre, les cellules de votre réponse à la question 1.5 ; " +
      "si l'une ne compile pas, corrigez-la d'abord.",
  );
});

test('an unknown name is a spelling to check; an answer that throws names its question without a stack', () => {
  expect(
    explainDiagnostics('console.log(reconstruction);', [
      { start: { line: 0, character: 12 }, messageText: "Le nom 'reconstruction' est introuvable.", code: 2304 },
    ]),
  ).toContain("ligne 1, colonne 13 : Le nom 'reconstruction' est introuvable. Vérifiez son orthographe");
  expect(explainError('dense2 = denseAutoencoder2(M, N, 64, "relu");', new Error('Input 0 is incompatible'))).toBe(
    "La réponse à la question 1.1 s'est arrêtée sur une erreur :\n  Input 0 is incompatible\nCorrigez-la, puis exécutez de nouveau sa cellule.",
  );
  expect(explainError('console.log(1);', new Error('ailleurs'))).toBeUndefined();
});

test('a write past the disk (the home bound on the class server) says so in French, in any cell', () => {
  const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  expect(explainError('fs.writeFileSync("gros.bin", data);', full)).toMatch(
    /^Votre dossier est plein : cette cellule n'a pas pu écrire \(ENOSPC\)/,
  );
  expect(explainError('console.log(1);', Object.assign(new Error('EACCES'), { code: 'EACCES' }))).toBeUndefined();
});
