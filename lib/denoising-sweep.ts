import { Evaluation } from './evaluate';
import { Figure, lineChart } from './plots/charts';
import { displayBundle, escapeHtml } from './util/display';
import { formatMetric } from './report';
import { decimal, shortDecimal } from './util/french';

/** Mean PSNR of each method at each noise level. */
export interface DenoisingSweep {
  sigmas: number[];
  /** One row per method, its PSNR in the order of `sigmas`. */
  rows: { name: string; psnr: number[] }[];
}

/**
 * Rassemble en un tableau des évaluations faites à chaque σ (evaluations[i] à sigmas[i], une par
 * méthode, nommée par la méthode). Chaque méthode doit être évaluée à chaque σ.
 */
export function denoisingSweep(sigmas: number[], evaluations: Evaluation[][]): DenoisingSweep {
  if (evaluations.length !== sigmas.length) {
    throw new Error(
      `denoisingSweep : ${sigmas.length} valeurs de σ mais ${evaluations.length} séries d'évaluations ; il en faut une par σ`,
    );
  }
  const names = evaluations[0]?.map((e) => e.name) ?? [];
  const rows = names.map((name) => ({
    name,
    psnr: evaluations.map((atSigma, i) => {
      const found = atSigma.find((e) => e.name === name);
      if (!found) throw new Error(`denoisingSweep : « ${name} » n'est pas évalué pour σ = ${shortDecimal(sigmas[i], 2)}`);
      return found.metrics.psnr;
    }),
  }));
  return { sigmas, rows };
}

const sigmaText = (sigma: number) => `σ = ${shortDecimal(sigma, 2)}`;

/** The best PSNR at each σ. */
const bestAtEachSigma = (sweep: DenoisingSweep) => sweep.sigmas.map((_, i) => Math.max(...sweep.rows.map((r) => r.psnr[i])));

/** Method × σ table of PSNR (dB), the best of each column in bold. */
export function sweepTableMarkdown(sweep: DenoisingSweep): string {
  const best = bestAtEachSigma(sweep);
  const lines = [
    `| PSNR (dB) | ${sweep.sigmas.map(sigmaText).join(' | ')} |`,
    `|---|${sweep.sigmas.map(() => '---:').join('|')}|`,
    ...sweep.rows.map(
      (row) => `| ${row.name} | ${row.psnr.map((v, i) => (v === best[i] ? `**${decimal(v, 1)}**` : decimal(v, 1))).join(' | ')} |`,
    ),
  ];
  return lines.join('\n');
}

/** Affiche le tableau du balayage en σ : une ligne par méthode, une colonne par niveau de bruit. */
export function showSweepTable(sweep: DenoisingSweep): void {
  const best = bestAtEachSigma(sweep);
  const cell = (v: number, i: number) => `<td>${v === best[i] ? `<b>${decimal(v, 1)}</b>` : decimal(v, 1)}</td>`;
  const html =
    `<table><thead><tr><th>PSNR (dB)</th>${sweep.sigmas.map((s) => `<th>${sigmaText(s)}</th>`).join('')}</tr></thead><tbody>` +
    sweep.rows.map((row) => `<tr><td>${escapeHtml(row.name)}</td>${row.psnr.map(cell).join('')}</tr>`).join('') +
    '</tbody></table>';
  const markdown = sweepTableMarkdown(sweep);
  displayBundle({ 'text/html': html, 'text/markdown': markdown, 'text/plain': markdown });
}

/** Le PSNR en fonction de σ, une ligne par méthode. */
export function sweepFigure(sweep: DenoisingSweep, title = 'PSNR selon l’écart-type du bruit'): Figure {
  return lineChart(
    sweep.rows.map((row) => ({ name: row.name, x: sweep.sigmas, y: row.psnr })),
    { title, xTitle: 'σ', yTitle: 'PSNR (dB)' },
  );
}

/**
 * Où `candidate` gagne et où elle perd face à la meilleure de `rivals` à chaque σ, avec l'écart :
 * « … gagne pour σ = 0,3 (+1,2 dB sur variation totale) … et perd pour σ = 0,1 (−0,6 dB face à … ). »
 */
export function sweepVerdict(sweep: DenoisingSweep, candidate: string, rivals: string[]): string {
  const row = (name: string) => {
    const found = sweep.rows.find((r) => r.name === name);
    if (!found) throw new Error(`sweepVerdict : pas de ligne « ${name} » ; lignes : ${sweep.rows.map((r) => `« ${r.name} »`).join(', ')}`);
    return found;
  };
  const mine = row(candidate);
  const others = rivals.map(row);
  const wins: string[] = [];
  const losses: string[] = [];
  sweep.sigmas.forEach((sigma, i) => {
    const best = others.reduce((a, b) => (b.psnr[i] > a.psnr[i] ? b : a));
    const margin = mine.psnr[i] - best.psnr[i];
    const sign = margin >= 0 ? '+' : '−';
    const text = `${sigmaText(sigma)} (${sign}${formatMetric('psnr', Math.abs(margin))} ${margin >= 0 ? 'sur' : 'face à'} ${best.name})`;
    (margin > 0 ? wins : losses).push(text);
  });
  const against = 'le meilleur de ses concurrents';
  const subject = candidate.charAt(0).toUpperCase() + candidate.slice(1);
  if (losses.length === 0) return `${subject} bat ${against} à chaque niveau de bruit : ${wins.join(', ')}.`;
  if (wins.length === 0) return `${subject} fait moins bien que ${against} à chaque niveau de bruit : ${losses.join(', ')}.`;
  return `${subject} bat ${against} pour ${wins.join(', ')}, mais perd pour ${losses.join(', ')}.`;
}
