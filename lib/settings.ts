import { checkPositiveInteger } from './util/check';

/** Le travail que fait un carnet : le passage complet, ou le passage rapide des tests (TP5_QUICK=1). */
export interface LabSettings {
  quick: boolean;
  /** Training / test image limits to pass to loadDataset (none in a full run). */
  trainLimit?: number;
  testLimit?: number;
  /** Epochs to use where a full run would use `full`. */
  epochs: (full: number) => number;
}

/**
 * Lit TP5_QUICK : le mode rapide garde 4 000 images d'entraînement et 500 de test et entraîne trois
 * époques au plus : quelques secondes par modèle, assez pour que chaque modèle quitte son état non
 * entraîné (MSE de validation vers 0,07, contre 0,23 sans entraînement), ce que vérifient les cellules
 * de vérification.
 */
export function labSettings(): LabSettings {
  const quick = process.env.TP5_QUICK === '1';
  return {
    quick,
    trainLimit: quick ? 4000 : undefined,
    testLimit: quick ? 500 : undefined,
    epochs: (full) => Math.min(checkPositiveInteger('epochs', full), quick ? 3 : full),
  };
}
