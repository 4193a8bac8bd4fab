export * from './charts';
export * from './image-grid';
export * from './tp-figures';
export { encodeGrayPng } from './png';
export { inNotebook, displayBundle, LiveDisplay, MimeBundle } from './display';
