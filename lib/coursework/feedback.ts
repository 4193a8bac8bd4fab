import { displayBundle, escapeHtml } from '../util/display';
import { gradedKernel } from '../util/traces';
import { QuestionError, questionHeading } from './questions';

/**
 * What a check cell found about one question: each point right (✔), to revise (✘), or a remark (•)
 * that fails nothing (a recipe other than the question's, say). `finish` shows them and, when one is
 * to revise, stops the notebook there with the list.
 */
export class Feedback {
  private readonly points: Point[] = [];
  /** Set by `withStandIn`: stops throw without showing anything, the points are shown once at the end. */
  private deferred = false;
  /** What stands in for a wrong answer (`withStandIn`), told after the points. */
  private standIn: string | undefined;

  constructor(readonly question: string) {
    verdicts.delete(question);
  }

  pass(text: string): void {
    this.points.push({ kind: 'right', text });
  }

  fail(text: string): void {
    this.points.push({ kind: 'wrong', text });
  }

  /** A remark for the student and the teacher, which fails nothing. */
  remark(text: string): void {
    this.points.push({ kind: 'note', text });
  }

  /** Records `okText` or `failText` by `condition`, and returns the condition. */
  expect(condition: boolean, okText: string, failText: string): boolean {
    if (condition) this.pass(okText);
    else this.fail(failText);
    return condition;
  }

  get failures(): number {
    return this.points.filter((p) => p.kind === 'wrong').length;
  }

  get failed(): boolean {
    return this.failures > 0;
  }

  /** Stops at once: nothing further can be checked (a value missing or of the wrong type). */
  stop(text: string): never {
    this.fail(text);
    if (!this.deferred) this.report();
    throw this.error();
  }

  /**
   * Shows the points and, when one is to revise, stops the notebook at the question. While a class is
   * graded (TP5_GRADING=1, set by the grader's sandbox) it does not stop: each later question is then
   * judged on its own, not on the failure of an earlier one.
   */
  finish(): void {
    if (this.deferred) {
      if (this.failed) throw this.error();
      return;
    }
    this.report();
    if (this.failed && (collected !== undefined || !gradedKernel())) throw this.error();
  }

  /**
   * Runs a check whose result later cells use (the prepared data, the models, the noisy images…). When
   * every point is right it returns the check's result; otherwise it shows the points to revise and
   * returns `standIn()`: the student's values wherever they can still be used, the library's where they
   * cannot (named by `what`, told after the points). It never stops the notebook: a wrong or missing
   * answer costs its own question only, in the student's session as while a class is graded, and no
   * later cell meets a variable that a stopped cell lost.
   */
  static withStandIn<T>(question: string, check: (feedback: Feedback) => T, standIn: () => { value: T; what?: string }): T {
    const feedback = new Feedback(question);
    feedback.deferred = true;
    let result: T | undefined;
    try {
      result = check(feedback);
    } catch (error) {
      if (!(error instanceof QuestionError)) throw error;
      // Thrown by something else than this check's points (an answer still to write: lab.todo).
      if (!feedback.failed) feedback.fail(error.message);
    }
    feedback.deferred = false;
    if (result !== undefined && !feedback.failed) {
      feedback.report();
      return result;
    }
    const { value, what } = standIn();
    feedback.standIn = what;
    feedback.report();
    return value;
  }

  private report(): void {
    verdicts.set(this.question, !this.failed);
    if (collected) collected.push(...this.points);
    else this.show();
  }

  /** The error that stops the cell: the points are shown above it, so it only counts them. */
  private error(): QuestionError {
    const count = this.failures;
    return new QuestionError(this.question, `Question ${this.question} à revoir : ${count} point${count > 1 ? 's' : ''} ci-dessus.`);
  }

  private show(): void {
    const heading = questionHeading(this.question);
    const lines = this.points.map((p) => `${MARKS[p.kind]} ${p.text}`);
    if (this.standIn) lines.push(`→ en attendant, la suite utilise ${this.standIn}`);
    const verdict = this.failed ? 'à revoir' : 'tout est juste';
    displayBundle({
      'text/html':
        `<div class="tp5-feedback" style="border-left:4px solid ${this.failed ? '#c0392b' : '#27ae60'};padding:4px 10px">` +
        `<b>${escapeHtml(heading)} : ${verdict}</b><br>` +
        lines
          .map(
            (l) =>
              `<span style="color:${l.startsWith(MARKS.right) ? '#1e7d46' : l.startsWith(MARKS.wrong) ? '#a93226' : '#555'}">${escapeHtml(l)}</span>`,
          )
          .join('<br>') +
        '</div>',
      'text/plain': [`${heading} : ${verdict}`, ...lines].join('\n'),
      [VERDICT_MIME]: { question: this.question, passed: !this.failed, points: this.points },
    });
  }
}

const MARKS: Record<Point['kind'], string> = { right: '✔', wrong: '✘', note: '•' };

/** The verdict as data, beside its text and HTML, for the tools that read an executed notebook (`npm run check`). */
export const VERDICT_MIME = 'application/vnd.tp5.verdict+json';

/** Each question's last verdict in this kernel: passed or not (`passed` reads it). */
const verdicts = new Map<string, boolean>();

/**
 * S'arrête quand la dernière vérification de la question a dit « à revoir », ou n'est pas allée jusqu'à
 * son verdict. Le dossier de cours nbgrader note cette cellule, placée après chaque cellule de
 * vérification. (Une vérification qui passe la main à un remplaçant ne s'arrête pas,
 * et nbgrader compte comme réussie une cellule qui ne s'arrête pas.)
 */
export function passed(question: string): void {
  const verdict = verdicts.get(question);
  if (verdict === true) return;
  throw new QuestionError(
    question,
    verdict === false
      ? `Question ${question} à revoir : voir la cellule de vérification au-dessus`
      : `Question ${question} : sa cellule de vérification n’a pas donné de verdict (exécutez-la)`,
  );
}

/** Where finish() puts its points instead of showing them, while a verdict is collected. */
let collected: Point[] | undefined;

/**
 * One point of a verdict: right, to revise (wrong), or a note that fails nothing (a remark of the check,
 * or the judge's suspicion that it cannot make certain).
 */
export interface Point {
  kind: 'right' | 'wrong' | 'note';
  text: string;
}

/** A question's verdict as data: whether its check passed, and its points. */
export interface Verdict {
  passed: boolean;
  points: Point[];
}

/** Runs a check and returns its verdict instead of showing it; any other error is a failed point. */
export async function collectVerdict(check: () => unknown): Promise<Verdict> {
  const outer = collected;
  collected = [];
  try {
    await check();
    return { passed: !collected.some((p) => p.kind === 'wrong'), points: collected };
  } catch (error) {
    // A check's own errors are French sentences; a TypeError is the check stumbling on a value that is missing.
    const stumbled = error instanceof TypeError || error instanceof ReferenceError;
    const text = stumbled
      ? 'une valeur de la réponse manque ou n’a pas la forme attendue : la question n’a pas pu être jugée'
      : error instanceof Error
        ? error.message
        : String(error);
    const thrown: Point = { kind: 'wrong', text };
    const points = error instanceof QuestionError ? collected : [...collected, thrown];
    return { passed: false, points };
  } finally {
    collected = outer;
  }
}
