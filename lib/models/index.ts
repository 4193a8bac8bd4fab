export * from './types';
export { autoencoder, type AutoencoderParts } from './autoencoder';
export { buildDense1, buildDense2 } from './dense';
export { buildConv } from './conv';
export { buildFullResolutionDenoiser, type FullResolutionOptions } from './full-resolution';
export * from './layer-kinds';
export * from './describe';
