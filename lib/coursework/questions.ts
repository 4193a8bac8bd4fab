import { inspect } from 'node:util';

/**
 * The TP's questions as the notebooks number them, and the error that stops a notebook at a
 * question: an answer left to write (`todo`) or a check that found something wrong.
 */
export const QUESTIONS: Record<string, string> = {
  '0': 'préparer les données (tenseurs d’entraînement, de validation et de test)',
  '1.1': 'les auto-encodeurs denses, couche par couche, et leurs trois instances',
  '1.2': 'les tableaux de description des modèles denses',
  '1.3': 'la complexité des modèles denses',
  '1.4': 'l’entraînement des modèles denses',
  '1.5': 'la comparaison sur le jeu de test (MSE, PSNR, SSIM)',
  '1.6': 'les reconstructions des modèles denses',
  '2.2': 'les couches de l’auto-encodeur convolutif',
  '2.3': 'le tableau de description du modèle convolutif',
  '2.4': 'la complexité et la taille du code',
  '2.5': 'l’entraînement des quatre modèles',
  '2.6': 'la comparaison sur le jeu de test',
  '2.7': 'les reconstructions des quatre modèles',
  '3.1': 'les paires bruitées x = y + n',
  '3.2': 'l’entraînement du débruiteur sur les paires (x, y)',
  '3.3': 'la mesure du débruitage sur le jeu de test',
  '3.4': 'les images débruitées',
};

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
  const text = QUESTIONS[question];
  if (text === undefined)
    throw new Error(`lab.todo : question inconnue « ${question} » ; questions : ${Object.keys(QUESTIONS).join(', ')}`);
  return text;
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
