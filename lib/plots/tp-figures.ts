import { ModelDescription, descriptionToHtml, descriptionToMarkdown } from '../models/describe';
import { NamedMetrics } from '../report';
import { LossHistory } from '../train/history';
import { decimal, integer } from '../util/french';
import { COLORS, Figure, Series, barChart, emptyChart, lineChart } from './charts';
import { displayBundle, escapeHtml } from '../util/display';

/**
 * La perte par époque de chaque entraînement : une couleur par modèle, l'entraînement en trait plein,
 * la validation en tirets (le titre le dit, pour que la légende n'ait qu'une entrée par modèle).
 */
export function lossCurvesFigure(histories: LossHistory[], title = "Courbes d'apprentissage"): Figure {
  const series = histories.flatMap((h, i): Series[] => {
    const epochs = h.loss.map((_, e) => e + 1);
    const color = COLORS[i % COLORS.length];
    const lines: Series[] = [{ name: h.label, x: epochs, y: h.loss, color }];
    if (h.valLoss.length) lines.push({ name: h.label, x: epochs, y: h.valLoss, color, dashed: true, inLegend: false });
    return lines;
  });
  const styles = histories.some((h) => h.valLoss.length > 0) ? ' (trait plein : entraînement ; tirets : validation)' : '';
  const axes = { title: `${title}${styles}`, xTitle: 'époque', yTitle: 'perte (MSE)', logY: true, integerX: true };
  if (series.every((line) => line.y.length === 0)) return emptyChart(axes, 'aucune époque d’entraînement à tracer');
  return lineChart(series, axes);
}

/** Le nombre de paramètres de chaque modèle, en barres. */
export function parameterCountFigure(descriptions: ModelDescription[], title = 'Nombre de paramètres'): Figure {
  // A table left empty (its question not done yet) has nothing to count: the figure says so.
  const empty = descriptions.filter((d) => d.layers.length === 0).length;
  const emptyNote =
    empty === 0 ? '' : empty === descriptions.length ? ' — tableaux vides : rien à compter' : ' — un tableau vide ne compte rien';
  return barChart(
    descriptions.map((d) => (d.layers.length === 0 ? `${d.name} (tableau vide)` : d.name)),
    [{ name: 'paramètres', values: descriptions.map((d) => d.totalParams) }],
    {
      title: title + emptyNote,
      yTitle: 'paramètres',
      format: integer,
    },
  );
}

/** Une figure par mesure (MSE, PSNR ou SSIM) : leurs échelles sont trop différentes pour partager un axe. */
export function metricFigure(rows: NamedMetrics[], metric: 'mse' | 'psnr' | 'ssim', title?: string): Figure {
  const labels = { mse: 'MSE (plus bas = mieux)', psnr: 'PSNR en dB (plus haut = mieux)', ssim: 'SSIM (plus haut = mieux)' };
  const format = { mse: (v: number) => decimal(v, 4), psnr: (v: number) => decimal(v, 2), ssim: (v: number) => decimal(v, 3) };
  return barChart(
    rows.map((r) => r.name),
    [{ name: metric.toUpperCase(), values: rows.map((r) => r.metrics[metric]) }],
    {
      title: title ?? `${metric.toUpperCase()} sur le jeu de test`,
      yTitle: labels[metric],
      format: format[metric],
    },
  );
}

/** One table row: the name, then the metrics written the French way. */
function metricCells({ name, metrics }: NamedMetrics): string[] {
  return [name, decimal(metrics.mse, 5), decimal(metrics.psnr, 2), decimal(metrics.ssim, 4), integer(metrics.count)];
}

const METRIC_HEADERS = ['Modèle', 'MSE', 'PSNR (dB)', 'SSIM', 'images'];

/** The metrics as a table (Markdown and HTML). */
export function metricsTableMarkdown(rows: NamedMetrics[]): string {
  const lines = [`| ${METRIC_HEADERS.join(' | ')} |`, '|---|---:|---:|---:|---:|'];
  for (const row of rows) lines.push(`| ${metricCells(row).join(' | ')} |`);
  return lines.join('\n');
}

/** Affiche les mesures de chaque modèle en tableau : MSE, PSNR (dB), SSIM et nombre d'images. */
export function showMetricsTable(rows: NamedMetrics[]): void {
  const html =
    `<table><thead><tr>${METRIC_HEADERS.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>` +
    rows
      .map(
        (row) =>
          `<tr>${metricCells(row)
            .map((c) => `<td>${escapeHtml(c)}</td>`)
            .join('')}</tr>`,
      )
      .join('') +
    '</tbody></table>';
  displayBundle({ 'text/html': html, 'text/markdown': metricsTableMarkdown(rows), 'text/plain': metricsTableMarkdown(rows) });
}

/** Affiche le tableau de description d'un modèle (celui de describeModel). */
export function showDescription(description: ModelDescription): void {
  const markdown = descriptionToMarkdown(description);
  displayBundle({ 'text/html': descriptionToHtml(description), 'text/markdown': markdown, 'text/plain': markdown });
}

/** Affiche un texte Markdown (par exemple une phrase construite à partir de valeurs calculées). */
export function showMarkdown(markdown: string): void {
  displayBundle({ 'text/markdown': markdown, 'text/plain': markdown });
}
