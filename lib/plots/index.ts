export * from './charts';
export * from './image-grid';
export * from './tp-figures';
export { encodeGrayPng } from './png';
export type { MimeBundle } from '../util/display';
export { inNotebook, displayBundle, LiveDisplay } from '../util/display';
