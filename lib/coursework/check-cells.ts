/** The check cells' functions, as the notebooks call them: `lab.check.denseModels("1.1", …)`. */
export { preparedData } from './checks/data';
export { convModel, denseModels } from './checks/models';
export { denoiser, noise } from './checks/noise';
export { denoisingResults, imageGrid, mseFunction, testResults } from './checks/results';
export { parameterCounts, tables } from './checks/tables';
export { training } from './checks/training';
export { passed } from './feedback';
