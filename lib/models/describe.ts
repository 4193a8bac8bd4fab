import * as tf from '@tensorflow/tfjs';
import { checkOneOf } from '../util/check';
import { activationLabel, layerKind, layerKindName } from './layer-kinds';
import { Autoencoder } from './types';

/** Language of the description tables: French (the course's) or English. */
export type Language = 'fr' | 'en';

/** One row of the TP's table: Partie | Couche | Spécifications | Dimension de la sortie | Nombre de paramètres. */
export interface LayerRow {
  part: string;
  layer: string;
  spec: string;
  /** Output shape of one image, without the batch dimension, e.g. [14, 14, 16] (the same field as a student's TableRow). */
  output: number[];
  params: number;
}

export interface ModelDescription {
  name: string;
  totalParams: number;
  layers: LayerRow[];
  language: Language;
}

const WORDS = {
  fr: {
    headers: ['Partie', 'Couche', 'Spécifications', 'Dimension de la sortie', 'Nombre de paramètres'],
    encoder: 'Encodeur',
    decoder: 'Décodeur',
    total: 'Total',
    filters: 'filtres',
    filter: 'filtre',
    stride: 'pas',
    padding: 'padding',
    outputPadding: 'output padding',
    units: 'neurones',
  },
  en: {
    headers: ['Part', 'Layer', 'Specification', 'Output shape', 'Parameters'],
    encoder: 'Encoder',
    decoder: 'Decoder',
    total: 'Total',
    filters: 'filters',
    filter: 'filter',
    stride: 'stride',
    padding: 'padding',
    outputPadding: 'output padding',
    units: 'units',
  },
};

type Words = (typeof WORDS)['fr'];

export function formatShape(shape: number[]): string {
  return shape.join('×');
}

/** PyTorch-style padding of a layer, as the TP's table writes it. */
function paddingText(config: tf.serialization.ConfigDict, words: Words, transposed: boolean): string {
  const [kh] = config.kernelSize as number[];
  const [sh] = config.strides as number[];
  if (config.padding !== 'same') return '';
  const pad = Math.floor((kh - 1) / 2);
  const outputPadding = transposed && sh > 1 ? `, ${words.outputPadding} ${sh - 1}` : '';
  return `, ${words.padding} ${pad}${outputPadding}`;
}

function layerSpec(layer: tf.layers.Layer, language: Language): string {
  const words = WORDS[language];
  const config = layer.getConfig();
  const inputShape = ((layer.input as tf.SymbolicTensor).shape as number[]).slice(1);
  const activation = activationLabel(layer, language);
  switch (layerKind(layer)) {
    case 'flatten':
      return `${formatShape(inputShape)} → ${inputShape.reduce((a, b) => a * b, 1)}`;
    case 'reshape':
      return `${formatShape(inputShape)} → ${formatShape(config.targetShape as number[])}`;
    case 'dense':
      return `${inputShape[inputShape.length - 1]} → ${config.units} ${words.units}, ${activation}`;
    case 'activation':
      return activation;
    case 'conv':
    case 'convTranspose': {
      const filters = config.filters as number;
      const [stride] = config.strides as number[];
      return (
        `${filters} ${filters > 1 ? words.filters : words.filter} ${formatShape(config.kernelSize as number[])}, ${words.stride} ${stride}` +
        `${paddingText(config, words, layerKind(layer) === 'convTranspose')}, ${activation}`
      );
    }
    default:
      return '';
  }
}

/**
 * Le tableau de description d'un modèle, tel que le TP le demande, calculé à partir des couches construites (jamais tapé à la main).
 */
export function describeModel(autoencoder: Autoencoder, language: Language = 'fr'): ModelDescription {
  checkOneOf('language', language, ['fr', 'en']);
  const words = WORDS[language];
  const rows: LayerRow[] = [];
  for (const [part, half] of [
    [words.encoder, autoencoder.encoder],
    [words.decoder, autoencoder.decoder],
  ] as const) {
    for (const layer of half.layers.filter((l) => layerKind(l) !== 'input')) {
      rows.push({
        part,
        layer: layerKindName(layer, language),
        spec: layerSpec(layer, language),
        output: (layer.outputShape as number[]).slice(1),
        params: layer.countParams(),
      });
    }
  }
  const totalParams = rows.reduce((sum, row) => sum + row.params, 0);
  if (totalParams !== autoencoder.model.countParams()) {
    throw new Error(`internal error: the table's total ${totalParams} differs from the model's ${autoencoder.model.countParams()}`);
  }
  return { name: autoencoder.name, totalParams, layers: rows, language };
}

function formatCount(value: number, language: Language): string {
  return value.toLocaleString(language === 'fr' ? 'fr-FR' : 'en-US');
}

function tableCells(description: ModelDescription): string[][] {
  const words = WORDS[description.language];
  const body = description.layers.map((row) => [
    row.part,
    row.layer,
    row.spec,
    formatShape(row.output),
    formatCount(row.params, description.language),
  ]);
  body.push([words.total, '', '', '', formatCount(description.totalParams, description.language)]);
  return body;
}

export function descriptionToMarkdown(description: ModelDescription): string {
  const headers = WORDS[description.language].headers;
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const rows = tableCells(description).map((cells, i, all) => line(i === all.length - 1 ? cells.map((c) => (c ? `**${c}**` : c)) : cells));
  return [`**${description.name}**`, '', line(headers), line(headers.map(() => '---')), ...rows].join('\n');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function descriptionToHtml(description: ModelDescription): string {
  const headers = WORDS[description.language].headers;
  const cells = tableCells(description);
  const row = (values: string[], tag: string, total = false) =>
    `<tr${total ? ' style="font-weight:bold;border-top:2px solid #444"' : ''}>` +
    values.map((v, i) => `<${tag} style="text-align:${i === 4 ? 'right' : 'left'};padding:2px 8px">${escapeHtml(v)}</${tag}>`).join('') +
    '</tr>';
  return (
    `<table class="tp5-description" style="border-collapse:collapse">` +
    `<caption style="text-align:left;font-weight:bold">${escapeHtml(description.name)}</caption>` +
    `<thead>${row(headers, 'th')}</thead>` +
    `<tbody>${cells.map((c, i) => row(c, 'td', i === cells.length - 1)).join('')}</tbody></table>`
  );
}
