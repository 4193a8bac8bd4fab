/**
 * The autoencoder lab's public API: everything the notebooks, scripts and tests use.
 *
 *   backend  pick the fastest tfjs backend that works here (initBackend)
 *   data     MNIST / Fashion-MNIST loading (loadDataset), images as ImageSet
 *   models   the TP's three architectures and their description tables
 *   train    one training loop for all models, reconstructions and codes
 *   metrics  MSE, PSNR, SSIM
 *   noise    Gaussian noise and classical denoising filters
 *   plots    plotly figures with static fallbacks, image grids, tables
 *   coursework  the check cells' feedback on a student's answers (lab.check, lab.todo)
 *   evaluate / report / settings   test-set comparisons, sentences built from them, quick runs
 */
export * from './backend';
export { registerWasmTrainingKernels } from './backend/wasm-kernels';
export * from './data/images';
export * from './data/idx';
export * from './data/mnist';
export * from './data/prepare';
export * from './models';
export * from './train';
export * from './metrics';
export * from './noise';
export * from './plots';
export { SeededRandom } from './util/random';
export * from './settings';
export * from './report';
export * from './evaluate';
export * from './denoising-sweep';
export * from './coursework';
