export * from './loop';
export * from './predict';
export type { ProgressMode } from './progress';
export type { TrainOptions, TrainingData } from './options';
export { TrainingDivergedError, type LossHistory, type TrainingHistory } from './history';
export type { EarlyStoppingOptions } from './epoch-end';
export { LOSS_NAMES, OPTIMIZER_NAMES, type LossName, type OptimizerName } from '../step/trainer';
export type { TrainingPath } from '../speed';
