import TABLE from './questions.json';
import { QuestionError } from './questions';

/**
 * What a student reads when a cell does not compile or stops on an error: the question whose answer
 * it is, in French, once, and what to do; for a name that is not defined, the question (or the
 * earlier cells) to run first, never a bare "Cannot find name 'mse'".
 *
 * The project's patched tslab (scripts/package-patches/tslab-1.0.22/dist-executor.patch)
 * prints the compiler's messages in French and hands them here first, through
 * `globalThis.__tslab__.explainDiagnostics`; `explainError` is called the same way for an error a
 * cell throws. Without that tslab, nothing here runs and tslab prints its own messages.
 */

/** A compiler message as tslab gives it: where it starts in the cell, its text and TypeScript's code. */
export interface CellDiagnostic {
  start: { line: number; character: number };
  messageText: string;
  code: number;
}

/** TypeScript's codes for "Cannot find name 'x'.", and for the same with "Did you mean 'y'?". */
const NAME_NOT_FOUND = 2304;
const NAME_NOT_FOUND_DID_YOU_MEAN = 2552;

/** The question whose answer defines each name (its functions, and the variables declared for it). */
const DEFINED_BY = new Map<string, string>(
  Object.entries(TABLE.questions).flatMap(([id, question]) =>
    ('defines' in question ? question.defines : []).map((name): [string, string] => [name, id]),
  ),
);

/** Names a cell defines: `function f`, `let x`, `const x` at a line's start; `x = …`, `[x, y] = …`, `x.push(…)` anywhere. */
const DEFINITIONS = [
  /^\s*(?:export\s+)?(?:async\s+)?(?:function\s*\*?|let|const|var)\s+([A-Za-z_$][\w$]*)/gm,
  /([A-Za-z_$][\w$]*)\s*(?:=(?![=>])|\.push\()/g,
  /\[\s*([A-Za-z_$][\w$]*)\s*,[^\]]*\]\s*=(?![=>])/g,
];

/** The question a cell answers: its stub's `lab.todo("1.5")`, else the first name it defines that a question owns. */
export function questionOfCell(source: string): string | undefined {
  const todo = /lab\.todo\(\s*["']([\d.]+)["']/.exec(source);
  if (todo) return todo[1];
  const found = DEFINITIONS.flatMap((pattern) => [...source.matchAll(pattern)])
    .filter((match) => DEFINED_BY.has(match[1]))
    .sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  return found.length > 0 ? DEFINED_BY.get(found[0][1]) : undefined;
}

/** What to do about a name that is not defined, or undefined when nothing is known of it. */
function missingName(name: string, cellQuestion: string | undefined): string | undefined {
  const question = DEFINED_BY.get(name);
  if (question === undefined) return undefined;
  return question === cellQuestion
    ? `« ${name} » n'est pas encore défini : exécutez d'abord la cellule au-dessus qui le définit (question ${question}).`
    : `« ${name} » n'est pas encore défini : exécutez d'abord, dans l'ordre, les cellules de votre réponse à la ` +
        `question ${question} ; si l'une ne compile pas, corrigez-la d'abord.`;
}

/** The French explanation of a cell's compiler messages: the question it answers, where, and what to do. */
export function explainDiagnostics(source: string, diagnostics: readonly CellDiagnostic[]): string {
  const question = questionOfCell(source);
  const lines = diagnostics.map((diagnostic) => {
    const name = /'([A-Za-z_$][\w$]*)'/.exec(diagnostic.messageText)?.[1];
    const known = name === undefined ? undefined : missingName(name, question);
    if (known !== undefined && (diagnostic.code === NAME_NOT_FOUND || diagnostic.code === NAME_NOT_FOUND_DID_YOU_MEAN)) return known;
    const where = `ligne ${diagnostic.start.line + 1}, colonne ${diagnostic.start.character + 1} : ${diagnostic.messageText}`;
    return diagnostic.code === NAME_NOT_FOUND
      ? `${where} Vérifiez son orthographe, ou exécutez d'abord, dans l'ordre, les cellules au-dessus de celle-ci.`
      : where;
  });
  const heading = question === undefined ? 'Cette cellule ne compile pas :' : `La réponse à la question ${question} ne compile pas :`;
  const advice = question === undefined ? '' : `\nCorrigez-la, puis exécutez de nouveau sa cellule (elle n'a pas été exécutée).`;
  return `${heading}\n${lines.map((line) => `  ${line}`).join('\n')}${advice}`;
}

/** Node's codes for a write past the disk's size (or, on the class server, the home's bound). */
const DISK_FULL = new Set(['ENOSPC', 'EDQUOT']);

/** The French explanation of an error a cell threw, or undefined to let tslab print it as it is. */
export function explainError(source: string, error: unknown): string | undefined {
  if (error instanceof QuestionError) return undefined;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && DISK_FULL.has(code)) {
    return (
      `Votre dossier est plein : cette cellule n'a pas pu écrire (${code}). Supprimez des fichiers dont vous ` +
      `n'avez plus besoin (clic droit › Supprimer dans l'explorateur de fichiers), puis exécutez-la de nouveau.`
    );
  }
  const question = questionOfCell(source);
  const missing = error instanceof ReferenceError ? /^(\S+) is not defined/.exec(error.message)?.[1] : undefined;
  const known = missing === undefined ? undefined : missingName(missing, question);
  if (known !== undefined) return known;
  if (question === undefined) return undefined;
  const message = !(error instanceof Error) ? String(error) : error.name === 'Error' ? error.message : `${error.name} : ${error.message}`;
  return (
    `La réponse à la question ${question} s'est arrêtée sur une erreur :\n  ${message}\n` +
    `Corrigez-la, puis exécutez de nouveau sa cellule.`
  );
}

/** Hands the two explanations to a patched tslab kernel; does nothing elsewhere. */
export function explainCellErrors(): void {
  const tslab = (globalThis as { __tslab__?: Record<string, unknown> }).__tslab__;
  if (tslab === undefined || typeof tslab.cellStarts !== 'number') return;
  tslab.explainDiagnostics = explainDiagnostics;
  tslab.explainError = explainError;
}
