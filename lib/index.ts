/**
 * The lab's public API, by name: what the notebooks, the students and the scripts use, as
 * `import * as lab from "tp5-lab"`. Everything else is internal, imported by path by the scripts
 * and tests that need it (`lint` forbids `export *` here).
 *
 *   backend     the fastest tfjs backend that works here (initBackend)
 *   data        MNIST / Fashion-MNIST (loadDataset), images as ImageSet, the TP's split (prepareData)
 *   models      lab.autoencoder, the TP's reference builders, description tables
 *   train       one training loop for every model, reconstructions and codes
 *   metrics     MSE, PSNR, SSIM
 *   noise       Gaussian noise and the classical denoisers
 *   plots       figures with static fallbacks, image grids, tables
 *   comparisons test-set evaluations, sentences built from them, the σ sweep, quick runs
 *   coursework  the check cells (lab.check), lab.todo, the answers exported for grading
 */
import { explainCellErrors } from './coursework/cell-errors';
import { adaptFitToNotebooks } from './train/tfjs-fit';
import { showValuesInFrench } from './french-values';

export { initBackend, type BackendName, type BackendReport } from './backend';

export { firstImages, imageAt, toTensor, type ImageSet, type Images } from './data/images';
export { loadDataset, loadDatasetIfAvailable, type Dataset, type DatasetName, type LoadDatasetOptions } from './data/mnist';
export { prepareData, type PreparedData } from './data/prepare';

export {
  autoencoder,
  buildConv,
  buildDense1,
  buildDense2,
  buildFullResolutionDenoiser,
  describeModel,
  descriptionToHtml,
  descriptionToMarkdown,
  type ActivationName,
  type Autoencoder,
  type AutoencoderOptions,
  type Language,
  type LayerRow,
  type ModelDescription,
} from './models';

export {
  TrainingDivergedError,
  encode,
  reconstruct,
  trainAutoencoder,
  type EarlyStoppingOptions,
  type LossHistory,
  type TrainOptions,
  type TrainingData,
  type TrainingHistory,
} from './train';

export { compareImages, mse, psnr, ssim, type MetricName, type MetricSummary } from './metrics';

export {
  CLASSICAL_METHODS,
  addGaussianNoise,
  classicalDenoisers,
  gaussianBlur,
  medianFilter3x3,
  nlMeansDenoise,
  tvDenoise,
  type ClassicalDenoiser,
  type DenoisingPairs,
} from './noise';

export {
  barChart,
  lineChart,
  lossCurvesFigure,
  metricFigure,
  parameterCountFigure,
  scatterChart,
  showDescription,
  showFigure,
  showImageGrid,
  showMarkdown,
  showMetricsTable,
  type Figure,
  type GridRow,
  type Series,
} from './plots';

export { evaluateAutoencoder, evaluateImages, type Evaluation } from './evaluate';
export { comparisonSentence, formatMetric, rankBy, rankingSentence, timesText, type NamedMetrics } from './report';
export { denoisingSweep, showSweepTable, sweepFigure, sweepVerdict, type DenoisingSweep } from './denoising-sweep';
export { labSettings, type LabSettings } from './settings';

export {
  QuestionError,
  check,
  exportAnswer,
  mseTrials,
  noiseTrials,
  shownImageGrids,
  todo,
  type AnyHistory,
  type ResultRow,
  type TableRow,
} from './coursework';

// In a notebook, tfjs's own model.fit shows the library's French progress, obeys the stop button and
// respects quick mode (lib/train/tfjs-fit.ts); a cell that does not compile or stops on an error names
// its question in French (lib/coursework/cell-errors.ts); a tensor, a model or a history that ends a
// cell reads as a short French line (lib/french-values.ts).
adaptFitToNotebooks();
explainCellErrors();
showValuesInFrench();
