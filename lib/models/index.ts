export * from './types';
export { buildDense1, buildDense2 } from './dense';
export { buildConv } from './conv';
export * from './describe';
