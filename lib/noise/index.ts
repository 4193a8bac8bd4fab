/** Gaussian noise, and the classical denoisers the autoencoder is compared with. */
export * from './gaussian-noise';
export * from './filters';
export * from './total-variation';
export * from './nl-means';
export * from './classical';
