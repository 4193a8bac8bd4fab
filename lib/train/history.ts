import type { TrainingPath } from '../speed';
import { decimal, duration } from '../util/french';

/** Les courbes d'apprentissage d'un entraînement, telles que les figures les tracent. */
export interface LossHistory {
  /** Le nom du modèle, pour la légende. */
  label: string;
  /** La perte d'entraînement moyenne de chaque époque. */
  loss: number[];
  /** La perte de validation de chaque époque (vide sans images de validation). */
  valLoss: number[];
}

/** Ce que rend `lab.trainAutoencoder` : les courbes, les durées et la façon dont l'entraînement s'est fait. */
export interface TrainingHistory extends LossHistory {
  /** La durée de chaque époque, en secondes. */
  epochSeconds: number[];
  totalSeconds: number;
  /** L'époque (à partir de 1) dont le modèle garde les poids à la fin. */
  bestEpoch: number;
  /** Vrai quand l'arrêt anticipé a arrêté l'entraînement. */
  stoppedEarly: boolean;
  /** Vrai quand le bouton ■ (ou options.signal) a arrêté l'entraînement avant sa fin. */
  interrupted: boolean;
  /** Images d'entraînement traitées par seconde, sur tout l'entraînement. */
  imagesPerSecond: number;
  /** Nombre de fils d'exécution qui se sont partagé chaque lot (voir TrainOptions.threads). */
  threads: number;
  /** Comment chaque pas a été calculé : opérations natives de TensorFlow, opérations tfjs fusionnées, ou la voie de référence (voir lib/speed). */
  path: TrainingPath;
  /** Pourquoi un chemin plus rapide ne s'appliquait pas, quand le chemin n'est pas natif. */
  pathReason?: string;
  /** Pourquoi l'entraînement a tourné sur un fil là où deux auraient payé, le cas échéant. */
  threadsReason?: string;
}

/** Thrown when the loss becomes NaN or infinite; the model keeps its last finite weights. */
export class TrainingDivergedError extends Error {
  constructor(
    message: string,
    readonly history: TrainingHistory,
  ) {
    super(message);
    this.name = 'TrainingDivergedError';
  }
}

/** The history of a training about to start: no epoch yet, and how its steps will be computed. */
export function emptyHistory(
  label: string,
  how: { threads: number; path: TrainingPath; pathReason?: string; threadsReason?: string },
): TrainingHistory {
  return {
    label,
    loss: [],
    valLoss: [],
    epochSeconds: [],
    totalSeconds: 0,
    bestEpoch: 0,
    stoppedEarly: false,
    interrupted: false,
    imagesPerSecond: 0,
    threads: how.threads,
    path: how.path,
    pathReason: how.pathReason,
    threadsReason: how.threadsReason,
  };
}

const PATH_NAMES: Record<TrainingPath, string> = { native: 'natif', fused: 'rapide (opérations fusionnées)', reference: 'de référence' };

/** « chemin natif », « chemin de référence (la couche GaussianNoise n'a pas de version rapide) ». */
function pathText(history: TrainingHistory): string {
  return (
    `chemin ${PATH_NAMES[history.path]}${history.pathReason ? ` (${history.pathReason})` : ''}` +
    (history.threadsReason ? ` ; un seul fil d'exécution (${history.threadsReason})` : '')
  );
}

/** « 3 époques » and « , perte finale 0,07345, validation 0,07512 »: what a training's epochs came to. */
function epochsDone(curves: Pick<LossHistory, 'loss' | 'valLoss'>): { epochs: string; losses: string } {
  const last = curves.loss.length;
  const losses =
    last === 0
      ? ''
      : `, perte finale ${decimal(curves.loss[last - 1], 5)}` +
        (curves.valLoss.length ? `, validation ${decimal(curves.valLoss[curves.valLoss.length - 1], 5)}` : '');
  return { epochs: `${last} époque${last > 1 ? 's' : ''}`, losses };
}

/** « 3 époques, perte finale 0,07345, validation 0,07512 ». */
export function epochsText(curves: Pick<LossHistory, 'loss' | 'valLoss'>): string {
  const { epochs, losses } = epochsDone(curves);
  return epochs + losses;
}

/** The last line of a training the stop button (■) ended during epoch `interruptedIn`. */
export function interruptedLine(curves: LossHistory, interruptedIn: number, seconds: number): string {
  const { epochs, losses } = epochsDone(curves);
  return (
    `${curves.label} : entraînement interrompu pendant l'époque ${interruptedIn}, après ${epochs} terminée${curves.loss.length > 1 ? 's' : ''} ` +
    `en ${duration(seconds)}${losses} ; le modèle garde les poids de son dernier pas.`
  );
}

/** The last line of a training that ran its epochs: their count, its time, its last losses. */
export function completedLine(curves: LossHistory, seconds: number, details = ''): string {
  const { epochs, losses } = epochsDone(curves);
  return `${curves.label} : ${epochs} en ${duration(seconds)}${details}${losses}`;
}

/** The progress display's last line: how the training ended, its length, its last losses and its path. */
export function finalLine(history: TrainingHistory, interruptedIn: number): string {
  if (history.interrupted) return interruptedLine(history, interruptedIn, history.totalSeconds);
  return (
    completedLine(history, history.totalSeconds, history.threads > 1 ? ` sur ${history.threads} fils d'exécution` : '') +
    (history.stoppedEarly ? ` (arrêt anticipé : poids de l'époque ${history.bestEpoch} conservés)` : '') +
    ` ; ${pathText(history)}.`
  );
}
