import * as tf from '@tensorflow/tfjs';

/**
 * The layer types the lab knows, in one table: the description tables name them from here, the
 * coursework's checks read a student's model through it, and so do the training's fast paths
 * (readLayer). A layer whose class is not listed is shown by its class name, makes the checks say it
 * is not one the TP uses, and trains on the reference path.
 */
export type LayerKind = 'input' | 'flatten' | 'reshape' | 'dense' | 'conv' | 'convTranspose' | 'activation';

interface KindInfo {
  kind: LayerKind;
  fr: string;
  en: string;
}

const LAYER_KINDS: Record<string, KindInfo> = {
  InputLayer: { kind: 'input', fr: 'Entrée', en: 'Input' },
  Flatten: { kind: 'flatten', fr: 'Aplatissement', en: 'Flatten' },
  Reshape: { kind: 'reshape', fr: 'Redimensionnement', en: 'Reshape' },
  Dense: { kind: 'dense', fr: 'Linéaire (dense)', en: 'Linear (dense)' },
  Conv2D: { kind: 'conv', fr: 'Convolution', en: 'Convolution' },
  Conv2DTranspose: { kind: 'convTranspose', fr: 'Convolution transposée', en: 'Transposed convolution' },
  Activation: { kind: 'activation', fr: 'Activation', en: 'Activation' },
  ReLU: { kind: 'activation', fr: 'Activation', en: 'Activation' },
  LeakyReLU: { kind: 'activation', fr: 'Activation', en: 'Activation' },
  ELU: { kind: 'activation', fr: 'Activation', en: 'Activation' },
  Softmax: { kind: 'activation', fr: 'Activation', en: 'Activation' },
};

/** The kind of a layer, or undefined for a class the lab does not know. */
export function layerKind(layer: tf.layers.Layer): LayerKind | undefined {
  return LAYER_KINDS[layer.getClassName()]?.kind;
}

/** The layer's name in a description table. */
export function layerKindName(layer: tf.layers.Layer, language: 'fr' | 'en'): string {
  return LAYER_KINDS[layer.getClassName()]?.[language] ?? layer.getClassName();
}

/** True for the layers that carry weights and compute something (dense, convolutions). */
export function isWeightedKind(kind: LayerKind | undefined): kind is 'dense' | 'conv' | 'convTranspose' {
  return kind === 'dense' || kind === 'conv' || kind === 'convTranspose';
}

/**
 * The activation a layer applies, as a tfjs identifier ('linear' for none): the `activation` of a
 * Dense, Conv or Activation layer, or what an activation layer is ('leakyReLU', 'relu', 'elu', 'softmax').
 */
export function layerActivation(layer: tf.layers.Layer): string {
  switch (layer.getClassName()) {
    case 'ReLU':
      return 'relu';
    case 'LeakyReLU':
      return 'leakyReLU';
    case 'ELU':
      return 'elu';
    case 'Softmax':
      return 'softmax';
    default:
      return String(layer.getConfig().activation ?? 'linear');
  }
}

const ACTIVATION_LABELS: Record<string, { fr: string; en: string }> = {
  linear: { fr: 'sans activation', en: 'no activation' },
  relu: { fr: 'ReLU', en: 'ReLU' },
  sigmoid: { fr: 'sigmoïde', en: 'sigmoid' },
  tanh: { fr: 'tanh', en: 'tanh' },
  elu: { fr: 'ELU', en: 'ELU' },
  selu: { fr: 'SELU', en: 'SELU' },
  gelu: { fr: 'GELU', en: 'GELU' },
  leakyReLU: { fr: 'LeakyReLU', en: 'LeakyReLU' },
};

/** How a description table writes the activation a layer applies. */
export function activationLabel(layer: tf.layers.Layer, language: 'fr' | 'en'): string {
  const name = layerActivation(layer);
  const label = ACTIVATION_LABELS[name]?.[language] ?? name;
  if (layer.getClassName() !== 'LeakyReLU') return label;
  const alpha = Number(layer.getConfig().alpha ?? 0.3);
  return `${label} (α = ${language === 'fr' ? String(alpha).replace('.', ',') : alpha})`;
}

/** A layer as the training paths read it, through this table. */
export interface LayerReading {
  kind: LayerKind | undefined;
  className: string;
  /** The activation it applies, 'linear' for none (see layerActivation). */
  activation: string;
  /** The slope of a LeakyReLU layer for negative inputs (default 0.3); undefined otherwise. */
  alpha?: number;
  /** Why a weighted layer is not a plain one of its kind (no bias, channels first, dilation), if so. */
  unusual?: string;
}

export function readLayer(layer: tf.layers.Layer): LayerReading {
  const config = layer.getConfig();
  const kind = layerKind(layer);
  const className = layer.getClassName();
  let unusual: string | undefined;
  if (isWeightedKind(kind)) {
    const dilation = [config.dilationRate ?? 1].flat() as number[];
    if (config.useBias === false) unusual = 'sans biais';
    else if (kind !== 'dense' && config.dataFormat !== 'channelsLast') unusual = 'canaux en premier';
    else if (kind !== 'dense' && dilation.some((d) => d !== 1)) unusual = 'dilatée';
  }
  const alpha = className === 'LeakyReLU' ? Number(config.alpha ?? 0.3) : undefined;
  return { kind, className, activation: layerActivation(layer), alpha, unusual };
}
