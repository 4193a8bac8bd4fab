import { LayerKind, isWeightedKind, layerKind } from '../../models/layer-kinds';
import { ModelDescription } from '../../models/describe';
import { ImageShape } from '../../models/types';
import { integer } from '../../util/french';
import { Feedback } from '../feedback';
import { REFERENCE_MODELS, ReferenceName } from './models';

/**
 * Une ligne du tableau de description d'un modèle (les cinq colonnes du TP), par exemple
 * `{ part: "Encodeur", layer: "Aplatissement", spec: "28×28×1 → 784", output: [784], params: 0 }`.
 */
export interface TableRow {
  /** La partie du modèle : "Encodeur" ou "Décodeur". */
  part: string;
  /** Le type de la couche : "Linéaire", "Convolution", "Convolution transposée", "Activation", "Aplatissement", "Redimensionnement"… */
  layer: string;
  /** Ce qui la définit : tailles, nombre de filtres, noyau, pas, padding, activation (par exemple "784 → 64 neurones, ReLU"). */
  spec: string;
  /** La dimension de sa sortie pour une image, sans la dimension du lot : [64], [14, 14, 16]… */
  output: number[];
  /** Son nombre de paramètres (poids et biais). */
  params: number;
}

const plain = (text: string) =>
  text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();

/** The kind a student's words name, from the usual French and English terms. */
function kindNamed(words: string): LayerKind | undefined {
  const text = plain(words);
  if (/transpos|deconv/.test(text)) return 'convTranspose';
  if (/conv/.test(text)) return 'conv';
  if (/aplat|vectoris|flatten/.test(text)) return 'flatten';
  if (/redimension|reshape|mise en forme|remise en forme/.test(text)) return 'reshape';
  if (/activ|relu|sigmo|tanh|elu\b|leaky/.test(text)) return 'activation';
  if (/lin|dense|connect/.test(text)) return 'dense';
  return undefined;
}

interface ExpectedRow {
  part: 'encoder' | 'decoder';
  kind: LayerKind;
  output: number[];
  params: number;
  /** Numbers the specification must mention (units; filters and kernel). */
  specNumbers: string[];
}

function expectedRows(reference: ReferenceName, imageShape: ImageShape): ExpectedRow[] {
  const model = REFERENCE_MODELS[reference].build(imageShape);
  const rows: ExpectedRow[] = [];
  for (const [part, half] of [
    ['encoder', model.encoder],
    ['decoder', model.decoder],
  ] as const) {
    for (const layer of half.layers) {
      const kind = layerKind(layer);
      if (kind === undefined || kind === 'input' || kind === 'activation') continue;
      const config = layer.getConfig();
      const specNumbers =
        kind === 'dense'
          ? [String(config.units)]
          : isWeightedKind(kind)
            ? [String(config.filters), (config.kernelSize as number[]).join('×')]
            : [];
      rows.push({ part, kind, output: (layer.outputShape as number[]).slice(1), params: layer.countParams(), specNumbers });
    }
  }
  model.model.dispose();
  return rows;
}

function validRow(row: unknown): row is TableRow {
  const r = row as TableRow;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.part === 'string' &&
    typeof r.layer === 'string' &&
    typeof r.spec === 'string' &&
    Array.isArray(r.output) &&
    r.output.every((d) => Number.isInteger(d)) &&
    Number.isInteger(r.params)
  );
}

/** Checks one table, cell by cell; activation rows may be given or left out (they have no parameters). */
function checkTable(rows: unknown, reference: ReferenceName, imageShape: ImageShape, feedback: Feedback): void {
  const label = REFERENCE_MODELS[reference].label;
  if (!Array.isArray(rows) || rows.length === 0) {
    feedback.fail(`tableau de ${label} vide : une ligne { part, layer, spec, output, params } par couche`);
    return;
  }
  const malformed = rows.map((row, i) => (validRow(row) ? -1 : i + 1)).filter((i) => i > 0);
  if (malformed.length > 0) {
    feedback.fail(
      `tableau de ${label}, ligne${malformed.length > 1 ? 's' : ''} ${malformed.join(', ')} : chaque ligne est { part, layer, spec, output: [dimensions], params: nombre entier }`,
    );
    return;
  }
  const failuresBefore = feedback.failures;
  const withKinds = (rows as TableRow[]).map((row, i) => ({ row, number: i + 1, kind: kindNamed(row.layer) }));
  for (const { row, number, kind } of withKinds) {
    if (kind === undefined) feedback.fail(`tableau de ${label}, ligne ${number} : « ${row.layer} » n’est pas un type de couche reconnu`);
    if (kind === 'activation' && row.params !== 0)
      feedback.fail(`tableau de ${label}, ligne ${number} : une activation n’a pas de paramètres`);
  }
  const layers = withKinds.filter((r) => r.kind !== 'activation' && r.kind !== undefined);
  const expected = expectedRows(reference, imageShape);
  if (layers.length !== expected.length) {
    feedback.fail(`tableau de ${label} : ${layers.length} couches (hors activations) ; le modèle en a ${expected.length}`);
    return;
  }
  layers.forEach(({ row, number, kind }, i) => {
    const want = expected[i];
    const at = `tableau de ${label}, ligne ${number} (${row.part}, ${row.layer})`;
    const part = plain(row.part).startsWith('enc') ? 'encoder' : plain(row.part).startsWith('dec') ? 'decoder' : undefined;
    if (part !== want.part)
      feedback.fail(`${at} : partie « ${row.part} » ; cette couche appartient ${want.part === 'encoder' ? 'à l’encodeur' : 'au décodeur'}`);
    if (kind !== want.kind) feedback.fail(`${at} : ce n’est pas le type de couche qui vient à cet endroit`);
    else if (row.output.join('×') !== want.output.join('×'))
      feedback.fail(`${at} : dimension de sortie ${row.output.join('×')} incorrecte`);
    if (row.params !== want.params) feedback.fail(`${at} : nombre de paramètres ${integer(row.params)} incorrect`);
    const spec = plain(row.spec).replace(/[x*]/g, '×');
    const missing = want.specNumbers.filter((n) => !new RegExp(`(^|[^0-9])${n}([^0-9]|$)`).test(spec));
    if (missing.length > 0)
      feedback.fail(
        `${at} : les spécifications doivent donner ${want.kind === 'dense' ? 'le nombre de neurones' : 'le nombre de filtres et la taille du noyau'}`,
      );
  });
  if (feedback.failures === failuresBefore) feedback.pass(`tableau de ${label} : toutes les cases sont justes`);
}

/** The rows of a table that can be shown (objects with a numeric params); none when it is not an array. */
function usableRows(rows: unknown): TableRow[] {
  if (!Array.isArray(rows)) return [];
  return rows
    .filter((row): row is Partial<TableRow> => typeof row === 'object' && row !== null)
    .map((row) => ({
      part: String(row.part ?? ''),
      layer: String(row.layer ?? ''),
      spec: String(row.spec ?? ''),
      output: Array.isArray(row.output) ? row.output : [],
      params: typeof row.params === 'number' && Number.isFinite(row.params) ? row.params : 0,
    }));
}

/** The table as the library's description, to show it and draw the parameter counts. */
function describedTable(name: string, rows: TableRow[]): ModelDescription {
  return {
    name,
    language: 'fr',
    totalParams: rows.reduce((sum, row) => sum + row.params, 0),
    layers: rows.map((row) => ({ part: row.part, layer: row.layer, spec: row.spec, output: row.output, params: row.params })),
  };
}

/**
 * Questions 1.2 et 2.3 : le tableau de description de chaque modèle, rempli par l'étudiant.
 * Les rend en descriptions, même quand l'un est à revoir (ses lignes qui peuvent être montrées).
 */
export function tables(
  question: string,
  filled: Partial<Record<ReferenceName, TableRow[]>>,
  imageShape: ImageShape = [28, 28],
): ModelDescription[] {
  const names = (Object.keys(filled) as ReferenceName[]).filter((name) => name in REFERENCE_MODELS);
  const check = (feedback: Feedback) => {
    if (names.length === 0 || names.length !== Object.keys(filled).length) {
      feedback.stop(`lab.check.tables attend les tableaux nommés ${Object.keys(REFERENCE_MODELS).join(', ')}`);
    }
    for (const name of names) checkTable(filled[name], name, imageShape, feedback);
    feedback.finish();
    return names.map((name) => describedTable(REFERENCE_MODELS[name].label, filled[name] as TableRow[]));
  };
  // The student's own rows go on (never the reference's, which would give the answer away).
  return Feedback.withStandIn(question, check, () => {
    const value = names.map((name) => describedTable(REFERENCE_MODELS[name].label, usableRows(filled[name])));
    const empty = value.filter((description) => description.layers.length === 0).map((description) => description.name);
    return {
      value,
      what:
        empty.length === 0
          ? 'vos tableaux tels qu’ils sont : le graphique des paramètres qui suit les compte'
          : `vos tableaux tels qu’ils sont, dont ${empty.length === value.length ? 'tous les' : 'certains'} vides (${empty.join(', ')}) : ` +
            'le graphique des paramètres qui suit n’a rien à compter pour eux',
    };
  });
}

/** Questions 1.3 et 2.4 : les nombres de paramètres calculés par l'étudiant à partir des tailles des couches. */
export function parameterCounts(question: string, counts: Partial<Record<ReferenceName, number>>, imageShape: ImageShape = [28, 28]): void {
  const feedback = new Feedback(question);
  for (const [name, count] of Object.entries(counts) as [ReferenceName, number][]) {
    const model = REFERENCE_MODELS[name].build(imageShape);
    const expected = model.model.countParams();
    const weightsOnly = model.model.trainableWeights
      .filter((w) => w.shape.length > 1)
      .reduce((sum, w) => sum + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
    model.model.dispose();
    const label = REFERENCE_MODELS[name].label;
    if (typeof count !== 'number' || !Number.isFinite(count) || count <= 0) feedback.fail(`${label} : compte absent (${String(count)})`);
    else if (count === expected) feedback.pass(`${label} : ${integer(count)} paramètres, c’est juste`);
    else if (count === weightsOnly) feedback.fail(`${label} : ${integer(count)} compte les poids mais pas les biais`);
    else feedback.fail(`${label} : ${integer(count)} n’est pas le bon nombre de paramètres`);
  }
  feedback.finish();
}
