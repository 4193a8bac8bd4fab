export * from './loop';
export * from './predict';
export type { ProgressMode } from './progress';
