import { MetricName, MetricSummary } from './metrics';
import { decimal } from './util/french';

/** Sentences for the notebooks, built from computed values so that no text contradicts a re-run. */

/** Les mesures d'un modèle (ou d'une méthode), sous son nom : une ligne des tableaux de résultats. */
export interface NamedMetrics {
  name: string;
  metrics: MetricSummary;
}

const HIGHER_IS_BETTER: Record<MetricName, boolean> = { mse: false, psnr: true, ssim: true };

/** Une mesure écrite à la française : « 0,0123 », « 18,4 dB », « 0,912 ». */
export function formatMetric(metric: MetricName, value: number): string {
  if (metric === 'mse') return decimal(value, 4);
  if (metric === 'psnr') return `${decimal(value, 1)} dB`;
  return decimal(value, 3);
}

/** Les lignes de la meilleure à la moins bonne selon une mesure. */
export function rankBy<T extends NamedMetrics>(rows: T[], metric: MetricName): T[] {
  const sign = HIGHER_IS_BETTER[metric] ? -1 : 1;
  return [...rows].sort((a, b) => sign * (a.metrics[metric] - b.metrics[metric]));
}

/** « Classement selon la MSE (du meilleur au moins bon) : A (0,0123), B (0,0150). » */
export function rankingSentence(rows: NamedMetrics[], metric: MetricName): string {
  const label = { mse: 'la MSE', psnr: 'le PSNR', ssim: 'le SSIM' }[metric];
  const ranked = rankBy(rows, metric).map((r) => `${r.name} (${formatMetric(metric, r.metrics[metric])})`);
  return `Classement selon ${label}, du meilleur au moins bon : ${ranked.join(', ')}.`;
}

/** « A est meilleur que B sur les trois mesures », ou les mesures sur lesquelles ils ne sont pas d'accord. */
export function comparisonSentence(a: NamedMetrics, b: NamedMetrics): string {
  const metrics: MetricName[] = ['mse', 'psnr', 'ssim'];
  const better = metrics.filter((m) => (HIGHER_IS_BETTER[m] ? a.metrics[m] > b.metrics[m] : a.metrics[m] < b.metrics[m]));
  const names = (ms: MetricName[]) => ms.map((m) => m.toUpperCase()).join(', ');
  if (better.length === metrics.length) return `${a.name} fait mieux que ${b.name} sur les trois mesures (MSE, PSNR, SSIM).`;
  if (better.length === 0) return `${a.name} fait moins bien que ${b.name} sur les trois mesures (MSE, PSNR, SSIM).`;
  const worse = metrics.filter((m) => !better.includes(m));
  return `${a.name} fait mieux que ${b.name} selon ${names(better)}, mais moins bien selon ${names(worse)}.`;
}

/** Un rapport écrit à la française : « 2,1 fois ». */
export function timesText(ratio: number): string {
  return `${decimal(ratio, 1)} fois`;
}
