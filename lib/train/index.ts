export * from './loop';
export * from './predict';
export { ProgressMode, formatDuration } from './progress';
