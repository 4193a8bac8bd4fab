import { inspect } from 'node:util';

import TABLE from './questions.json';

/**
 * The TP's questions as the notebooks number them (questions.json, which the grader reads too): each
 * worth one point, with its part, its title and the values the grader exports to judge it. The
 * judge (judge.ts) has one judging function per id; the notebooks' check cells name the same ids
 * (test/notebooks.test.ts holds them to it). Also here: the error that stops a notebook at a
 * question, for an answer left to write (`todo`) or a check that found something wrong.
 */
export type QuestionId = keyof typeof TABLE.questions;

/** A notebook of the TP: 1 dense auto-encoders, 2 the convolutional one, 3 denoising. */
export type Part = 1 | 2 | 3;

export interface Question {
  id: QuestionId;
  part: Part;
  /** What the question asks, as its feedback's heading names it. */
  title: string;
  /** The hand-in's values it is judged on (graded values: see gradedValues). */
  graded: readonly string[];
}

/** The TP's questions in order. */
export const QUESTIONS: readonly Question[] = Object.entries(TABLE.questions).map(([id, q]) => ({
  id: id as QuestionId,
  part: q.part as Part,
  title: q.title,
  graded: q.graded,
}));

/** The questions of one part, in order. */
export function questionsOf(part: Part): Question[] {
  return QUESTIONS.filter((q) => q.part === part);
}

/**
 * The values a part's hand-in exports for the judge: name → the expression its export cell
 * evaluates (the variable itself, or a value computed from it such as the trials of the
 * student's MSE function).
 */
export function gradedValues(part: Part): Record<string, string> {
  const computed: Record<string, string> = TABLE.computedValues;
  const names = new Set(questionsOf(part).flatMap((q) => q.graded));
  return Object.fromEntries([...names].map((name) => [name, computed[name] ?? name]));
}

/** Une erreur qui nomme une question : son message suffit à l'étudiant (pas de trace de pile). */
export class QuestionError extends Error {
  constructor(
    readonly question: string,
    message: string,
  ) {
    super(message);
    this.name = 'QuestionError';
    this.stack = message;
  }

  /** How the notebook prints it: the message alone, not the library's source line. */
  [inspect.custom](): string {
    return this.message;
  }
}

function title(question: string): string {
  const found = QUESTIONS.find((q) => q.id === question);
  if (found === undefined)
    throw new Error(`lab.todo : question inconnue « ${question} » ; questions : ${QUESTIONS.map((q) => q.id).join(', ')}`);
  return found.title;
}

/**
 * Tient la place d'une réponse à écrire : arrête le carnet avec un message qui nomme la question (les
 * versions étudiantes de nbgrader, dont l'emplacement est le même partout, l'appellent sans question).
 */
export function todo(question?: string): never {
  const what =
    question === undefined
      ? 'Réponse à compléter (la question est dans le texte au-dessus)'
      : `Question ${question} à compléter : ${title(question)}`;
  throw new QuestionError(question ?? '?', `${what}. Remplacez la ligne lab.todo(…) par votre code, puis exécutez à nouveau la cellule.`);
}

/** The heading of a question's feedback: « Question 1.1 (les auto-encodeurs denses…) ». */
export function questionHeading(question: string): string {
  return `Question ${question} (${title(question)})`;
}
