import { ModelDescription, descriptionToHtml, descriptionToMarkdown } from '../models/describe';
import { NamedMetrics } from '../report';
import { TrainingHistory } from '../train/loop';
import { Figure, barChart, lineChart } from './charts';
import { displayBundle, escapeHtml } from './display';

/** Training (solid) and validation loss per epoch of each run. */
export function lossCurvesFigure(histories: TrainingHistory[], title = "Courbes d'apprentissage"): Figure {
  const series = histories.flatMap((h) => {
    const epochs = h.loss.map((_, i) => i + 1);
    const lines = [{ name: `${h.label} (entraînement)`, x: epochs, y: h.loss }];
    if (h.valLoss.length) lines.push({ name: `${h.label} (validation)`, x: epochs, y: h.valLoss });
    return lines;
  });
  return lineChart(series, { title, xTitle: 'époque', yTitle: 'perte (MSE)', logY: true });
}

/** Number of parameters of each model. */
export function parameterCountFigure(descriptions: ModelDescription[], title = 'Nombre de paramètres'): Figure {
  return barChart(descriptions.map((d) => d.name), [{ name: 'paramètres', values: descriptions.map((d) => d.totalParams) }], {
    title, yTitle: 'paramètres', format: (v) => v.toLocaleString('fr-FR'),
  });
}

/** One chart per metric: their scales differ too much to share an axis. */
export function metricFigure(rows: NamedMetrics[], metric: 'mse' | 'psnr' | 'ssim', title?: string): Figure {
  const labels = { mse: 'MSE (plus bas = mieux)', psnr: 'PSNR en dB (plus haut = mieux)', ssim: 'SSIM (plus haut = mieux)' };
  const format = { mse: (v: number) => v.toFixed(4), psnr: (v: number) => v.toFixed(2), ssim: (v: number) => v.toFixed(3) };
  return barChart(rows.map((r) => r.name), [{ name: metric.toUpperCase(), values: rows.map((r) => r.metrics[metric]) }], {
    title: title ?? `${metric.toUpperCase()} sur le jeu de test`, yTitle: labels[metric], format: format[metric],
  });
}

/** The metrics as a table (Markdown and HTML). */
export function metricsTableMarkdown(rows: NamedMetrics[]): string {
  const lines = ['| Modèle | MSE | PSNR (dB) | SSIM | images |', '|---|---:|---:|---:|---:|'];
  for (const { name, metrics } of rows) {
    lines.push(`| ${name} | ${metrics.mse.toFixed(5)} | ${metrics.psnr.toFixed(2)} | ${metrics.ssim.toFixed(4)} | ${metrics.count} |`);
  }
  return lines.join('\n');
}

export function showMetricsTable(rows: NamedMetrics[]): void {
  const html = '<table><thead><tr><th>Modèle</th><th>MSE</th><th>PSNR (dB)</th><th>SSIM</th><th>images</th></tr></thead><tbody>' +
    rows.map(({ name, metrics }) => `<tr><td>${escapeHtml(name)}</td><td>${metrics.mse.toFixed(5)}</td>` +
      `<td>${metrics.psnr.toFixed(2)}</td><td>${metrics.ssim.toFixed(4)}</td><td>${metrics.count}</td></tr>`).join('') +
    '</tbody></table>';
  displayBundle({ 'text/html': html, 'text/markdown': metricsTableMarkdown(rows), 'text/plain': metricsTableMarkdown(rows) });
}

export function showDescription(description: ModelDescription): void {
  const markdown = descriptionToMarkdown(description);
  displayBundle({ 'text/html': descriptionToHtml(description), 'text/markdown': markdown, 'text/plain': markdown });
}

/** Shows Markdown text (e.g. a sentence built from computed values). */
export function showMarkdown(markdown: string): void {
  displayBundle({ 'text/markdown': markdown, 'text/plain': markdown });
}
