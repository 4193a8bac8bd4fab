import frenchPlotly from 'plotly.js-locales/fr';
import { PLOTLY_SEPARATORS } from '../util/french';
import { displayBundle, escapeHtml } from '../util/display';

/**
 * Une figure gardée sous deux formes : une figure plotly.js (interactive là où JavaScript tourne) et un
 * dessin SVG des mêmes données (là où il ne tourne pas : carnets non fiables, visionneuses statiques).
 */
export interface Figure {
  title: string;
  plotly: { data: Record<string, unknown>[]; layout: Record<string, unknown> };
  svg: string;
}

export interface Series {
  name: string;
  x: number[];
  y: number[];
  /** Line colour (default: the next of COLORS). */
  color?: string;
  /** A dashed line (e.g. a validation curve beside its solid training curve). */
  dashed?: boolean;
  /** False to leave it out of the legend (a second line of a model already there, in its colour). */
  inLegend?: boolean;
}

export interface AxisOptions {
  title: string;
  xTitle: string;
  yTitle: string;
  /** Logarithmic y axis. */
  logY?: boolean;
  /** Ticks on whole numbers only on the x axis (epochs). */
  integerX?: boolean;
}

/** plotly's default colours, also used by the SVG drawings. */
export const COLORS = ['#636efa', '#ef553b', '#00cc96', '#ab63fa', '#ffa15a', '#19d3f3', '#ff6692', '#b6e880', '#ff97ff', '#fecb52'];

const WIDTH = 720;
const HEIGHT = 380;
const MARGIN = { left: 70, top: 40, bottom: 50, right: 30 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;
/** plotly's top margin (room for the title) and plot area height in a figure with the legend below. */
const PLOTLY_TOP = 60;
const PLOTLY_PLOT_H = 260;
/** Height of one row of the legend, drawn below the chart so that the plot keeps the whole width. */
const LEGEND_ROW = 18;

/** About `count` ticks on round values, `minStep` apart at least (1 for whole numbers). */
function niceTicks(min: number, max: number, count = 5, minStep = 0): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(minStep, [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) as number);
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** A tick label, French style (decimal comma). */
function formatTick(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e5) return Math.round(value).toLocaleString('fr-FR');
  return (abs < 1e-3 ? value.toExponential(0) : String(Number(value.toPrecision(4)))).replace('.', ',');
}

/**
 * What every plotly layout shares: size, title, French number separators. The title starts at the
 * left and the toolbar stands upright at the right edge, so that neither covers the other.
 */
function plotlyLayout(title: string, height = HEIGHT): Record<string, unknown> {
  return {
    title: { text: title, x: 0, xref: 'paper', xanchor: 'left' },
    width: WIDTH,
    height,
    separators: PLOTLY_SEPARATORS,
    modebar: { orientation: 'v' },
  };
}

/**
 * plotly's y axis. On a log scale, plotly labels only the powers of ten when the range spans more than
 * a decade (a loss from 0,25 to 0,01 showed no label above 0,1): the ticks are then the SVG drawing's,
 * labelled the French way.
 */
function plotlyYAxis(title: string, logScale?: Scale): Record<string, unknown> {
  const axis = { title: { text: title }, exponentformat: 'none' };
  if (logScale === undefined) return { ...axis, type: 'linear' };
  return { ...axis, type: 'log', tickmode: 'array', tickvals: logScale.ticks, ticktext: logScale.ticks.map(formatTick) };
}

interface Scale {
  toPixel: (value: number) => number;
  ticks: number[];
}

function linearScale(min: number, max: number, pixels: number, flip: boolean, minStep = 0): Scale {
  const ticks = niceTicks(min, max, 5, minStep);
  const lo = Math.min(min, ticks[0]);
  const hi = max > lo ? max : lo + 1;
  return {
    toPixel: (v) => {
      const f = (v - lo) / (hi - lo);
      return flip ? pixels * (1 - f) : pixels * f;
    },
    ticks,
  };
}

function logScale(min: number, max: number, pixels: number): Scale {
  const lo = Math.log10(min);
  const hi = Math.max(Math.log10(max), lo + 1e-9);
  /** The values m·10^e within [min, max], for the mantissas m given. */
  const within = (mantissas: number[]) => {
    const ticks: number[] = [];
    for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
      for (const m of mantissas) {
        const t = Number((m * 10 ** e).toPrecision(12));
        if (t >= min * 0.999 && t <= max * 1.001) ticks.push(t);
      }
    }
    return ticks;
  };
  const coarse = within([1, 2, 5]);
  // A range within one decade gets one tick or two from 1, 2 and 5: then every digit is a tick.
  const ticks = coarse.length >= 3 ? coarse : within([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  return { toPixel: (v) => pixels * (1 - (Math.log10(v) - lo) / (hi - lo)), ticks };
}

/** How the legend's entries are laid out below the plot: as many columns as the longest name allows. */
function legendLayout(names: string[]): { columns: number; columnWidth: number; rows: number } {
  const longest = names.reduce((n, name) => Math.max(n, name.length), 0);
  const columns = Math.max(1, Math.min(names.length, Math.floor(PLOT_W / (36 + 6.8 * longest))));
  return { columns, columnWidth: PLOT_W / columns, rows: Math.ceil(names.length / columns) };
}

/** The SVG drawing: title, plot area, axis titles, then the legend's rows below. */
function svgFrame(title: string, xTitle: string, yTitle: string, body: string[], legendNames: string[]): string {
  const height = HEIGHT + (legendNames.length > 0 ? legendLayout(legendNames).rows * LEGEND_ROW + 8 : 0);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ` +
    `font-family="sans-serif" font-size="12"><rect width="100%" height="100%" fill="white"/>` +
    `<text x="${MARGIN.left}" y="24" font-size="15">${escapeHtml(title)}</text>` +
    `<text x="${MARGIN.left + PLOT_W / 2}" y="${HEIGHT - 10}" text-anchor="middle">${escapeHtml(xTitle)}</text>` +
    `<text transform="translate(16 ${MARGIN.top + PLOT_H / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(yTitle)}</text>` +
    `<g transform="translate(${MARGIN.left} ${MARGIN.top})">${body.join('')}` +
    `<rect width="${PLOT_W}" height="${PLOT_H}" fill="none" stroke="#444"/></g></svg>`
  );
}

function yAxis(scale: Scale): string {
  return scale.ticks
    .map((t) => {
      const y = scale.toPixel(t).toFixed(1);
      return (
        `<line x1="0" x2="${PLOT_W}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>` +
        `<text x="-6" y="${y}" text-anchor="end" dominant-baseline="middle">${formatTick(t)}</text>`
      );
    })
    .join('');
}

function legend(names: string[], colors = names.map((_, i) => COLORS[i % COLORS.length]), dashed: boolean[] = []): string {
  const { columns, columnWidth } = legendLayout(names);
  return names
    .map((name, i) => {
      const x = (i % columns) * columnWidth;
      const y = PLOT_H + MARGIN.bottom + 6 + LEGEND_ROW * Math.floor(i / columns);
      const mark = dashed[i]
        ? `<line x1="${x}" x2="${x + 16}" y1="${y}" y2="${y}" stroke="${colors[i]}" stroke-width="2" stroke-dasharray="4 3"/>`
        : `<rect x="${x + 2}" y="${y - 6}" width="12" height="12" fill="${colors[i]}"/>`;
      return `${mark}<text x="${x + 20}" y="${y}" dominant-baseline="middle">${escapeHtml(name)}</text>`;
    })
    .join('');
}

/** plotly's legend laid out as the SVG's: below the chart, in the same columns, the figure made taller to hold it. */
function plotlyLegendBelow(names: string[]): Record<string, unknown> {
  const { columnWidth, rows } = legendLayout(names);
  // plotly's plot area stays PLOT_AREA_H high; the legend starts below the x axis's title.
  const bottom = 60 + rows * 22;
  return {
    height: PLOTLY_TOP + PLOTLY_PLOT_H + bottom,
    margin: { t: PLOTLY_TOP, b: bottom, l: MARGIN.left, r: MARGIN.right },
    legend: {
      orientation: 'h',
      entrywidth: Math.floor(columnWidth) - 2,
      entrywidthmode: 'pixels',
      x: 0,
      xanchor: 'left',
      y: -56 / PLOTLY_PLOT_H,
      yanchor: 'top',
    },
  };
}

/** [min, max] without spreading large arrays into Math.min / Math.max. */
function extent(values: ArrayLike<number>): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < min) min = values[i];
    if (values[i] > max) max = values[i];
  }
  return [min, max];
}

function finiteValues(values: number[], positive: boolean): number[] {
  return values.filter((v) => Number.isFinite(v) && (!positive || v > 0));
}

/** A chart with nothing to draw yet (a training not run): its frame and a sentence saying so. */
export function emptyChart(options: AxisOptions, note: string): Figure {
  const body = [`<text x="${PLOT_W / 2}" y="${PLOT_H / 2}" text-anchor="middle" fill="#666">${escapeHtml(note)}</text>`];
  return {
    title: options.title,
    plotly: {
      data: [],
      layout: {
        ...plotlyLayout(options.title),
        xaxis: { title: { text: options.xTitle } },
        yaxis: { title: { text: options.yTitle } },
        annotations: [{ text: note, xref: 'paper', yref: 'paper', x: 0.5, y: 0.5, showarrow: false }],
      },
    },
    svg: svgFrame(options.title, options.xTitle, options.yTitle, body, []),
  };
}

/** One line per series (e.g. a loss per epoch for each model). */
export function lineChart(series: Series[], options: AxisOptions): Figure {
  const xs = series.flatMap((s) => s.x);
  const ys = finiteValues(
    series.flatMap((s) => s.y),
    options.logY === true,
  );
  if (ys.length === 0) throw new Error(`figure « ${options.title} » : aucune valeur finie à tracer`);
  const xScale = linearScale(...extent(xs), PLOT_W, false, options.integerX ? 1 : 0);
  const yScale = options.logY ? logScale(...extent(ys), PLOT_H) : linearScale(...extent(ys), PLOT_H, true);
  const body = [yAxis(yScale)];
  for (const t of xScale.ticks) {
    body.push(`<text x="${xScale.toPixel(t).toFixed(1)}" y="${PLOT_H + 16}" text-anchor="middle">${formatTick(t)}</text>`);
  }
  const colors = series.map((s, i) => s.color ?? COLORS[i % COLORS.length]);
  series.forEach((s, i) => {
    const points = s.x.map((x, j) => [x, s.y[j]]).filter(([, y]) => Number.isFinite(y) && (!options.logY || y > 0));
    const path = points.map(([x, y]) => `${xScale.toPixel(x).toFixed(1)},${yScale.toPixel(y).toFixed(1)}`).join(' ');
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    body.push(`<polyline points="${path}" fill="none" stroke="${colors[i]}" stroke-width="2"${dash}/>`);
    for (const [x, y] of points) {
      body.push(`<circle cx="${xScale.toPixel(x).toFixed(1)}" cy="${yScale.toPixel(y).toFixed(1)}" r="3" fill="${colors[i]}"/>`);
    }
  });
  const inLegend = series.map((s, i) => ({ ...s, color: colors[i] })).filter((s) => s.inLegend !== false);
  const names = inLegend.map((s) => s.name);
  body.push(
    legend(
      names,
      inLegend.map((s) => s.color),
      inLegend.map((s) => s.dashed === true),
    ),
  );
  return {
    title: options.title,
    plotly: {
      data: series.map((s, i) => ({
        type: 'scatter',
        mode: 'lines+markers',
        name: s.name,
        showlegend: s.inLegend !== false,
        x: s.x,
        y: s.y,
        line: { color: colors[i], dash: s.dashed ? 'dash' : 'solid' },
      })),
      layout: {
        ...plotlyLayout(options.title),
        ...plotlyLegendBelow(names),
        xaxis: { title: { text: options.xTitle }, ...(options.integerX ? { tickmode: 'array', tickvals: xScale.ticks } : {}) },
        yaxis: plotlyYAxis(options.yTitle, options.logY === true ? yScale : undefined),
      },
    },
    svg: svgFrame(options.title, options.xTitle, options.yTitle, body, names),
  };
}

export interface BarSeries {
  name: string;
  values: number[];
}

export interface BarChartOptions {
  title: string;
  yTitle: string;
  logY?: boolean;
  /** How a bar's value is written above it (default: up to 4 significant digits). */
  format?: (value: number) => string;
}

/** Grouped bars: one group per category, one bar per series. */
export function barChart(categories: string[], series: BarSeries[], options: BarChartOptions): Figure {
  const format = options.format ?? ((v: number) => formatTick(v));
  const values = finiteValues(
    series.flatMap((s) => s.values),
    options.logY === true,
  );
  if (values.length === 0) throw new Error(`figure « ${options.title} » : aucune valeur finie à tracer`);
  const [low, high] = extent(values);
  const max = high * 1.12;
  const min = options.logY ? low / 2 : Math.min(0, low);
  const yScale = options.logY ? logScale(min, max, PLOT_H) : linearScale(min, max, PLOT_H, true);
  const base = options.logY ? PLOT_H : yScale.toPixel(0);
  const groupW = PLOT_W / categories.length;
  const barW = (groupW * 0.8) / series.length;
  const body = [yAxis(yScale)];
  categories.forEach((category, c) => {
    body.push(`<text x="${(c + 0.5) * groupW}" y="${PLOT_H + 16}" text-anchor="middle" font-size="11">${escapeHtml(category)}</text>`);
    series.forEach((s, i) => {
      const v = s.values[c];
      if (!Number.isFinite(v) || (options.logY && v <= 0)) return;
      const x = c * groupW + groupW * 0.1 + i * barW;
      const top = yScale.toPixel(v);
      body.push(
        `<rect x="${x.toFixed(1)}" y="${Math.min(top, base).toFixed(1)}" width="${(barW - 2).toFixed(1)}" ` +
          `height="${Math.abs(base - top).toFixed(1)}" fill="${COLORS[i % COLORS.length]}"/>` +
          `<text x="${(x + barW / 2).toFixed(1)}" y="${(Math.min(top, base) - 4).toFixed(1)}" text-anchor="middle" font-size="10">${escapeHtml(format(v))}</text>`,
      );
    });
  });
  const names = series.map((s) => s.name);
  body.push(legend(names));
  return {
    title: options.title,
    plotly: {
      data: series.map((s, i) => ({
        type: 'bar',
        name: s.name,
        x: categories,
        y: s.values,
        text: s.values.map(format),
        textposition: 'outside',
        marker: { color: COLORS[i % COLORS.length] },
      })),
      layout: {
        ...plotlyLayout(options.title),
        barmode: 'group',
        yaxis: plotlyYAxis(options.yTitle, options.logY === true ? yScale : undefined),
      },
    },
    svg: svgFrame(options.title, '', options.yTitle, body, names),
  };
}

export interface ScatterOptions extends AxisOptions {
  /** Name of each class, by label (default: the label itself). */
  classNames?: string[];
}

/** Des points colorés par classe (par exemple l'espace des codes en 2 D, coloré par chiffre). */
export function scatterChart(x: ArrayLike<number>, y: ArrayLike<number>, labels: ArrayLike<number>, options: ScatterOptions): Figure {
  const classes = [...new Set(Array.from(labels))].sort((a, b) => a - b);
  const name = (label: number) => options.classNames?.[label] ?? String(label);
  const xs = Array.from(x);
  const ys = Array.from(y);
  const xScale = linearScale(...extent(xs), PLOT_W, false);
  const yScale = linearScale(...extent(ys), PLOT_H, true);
  const body = [yAxis(yScale)];
  for (const t of xScale.ticks) {
    body.push(`<text x="${xScale.toPixel(t).toFixed(1)}" y="${PLOT_H + 16}" text-anchor="middle">${formatTick(t)}</text>`);
  }
  for (let i = 0; i < xs.length; i++) {
    const color = COLORS[classes.indexOf(labels[i]) % COLORS.length];
    body.push(
      `<circle cx="${xScale.toPixel(xs[i]).toFixed(1)}" cy="${yScale.toPixel(ys[i]).toFixed(1)}" r="2" fill="${color}" fill-opacity="0.6"/>`,
    );
  }
  const names = classes.map(name);
  body.push(legend(names));
  return {
    title: options.title,
    plotly: {
      data: classes.map((c, i) => {
        const members = xs.map((_, j) => j).filter((j) => labels[j] === c);
        return {
          type: 'scattergl',
          mode: 'markers',
          name: name(c),
          x: members.map((j) => xs[j]),
          y: members.map((j) => ys[j]),
          marker: { size: 4, opacity: 0.6, color: COLORS[i % COLORS.length] },
        };
      }),
      layout: {
        ...plotlyLayout(options.title, HEIGHT + 100),
        xaxis: { title: { text: options.xTitle } },
        yaxis: { title: { text: options.yTitle } },
      },
    },
    svg: svgFrame(options.title, options.xTitle, options.yTitle, body, names),
  };
}

export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

/**
 * plotly's options for every figure: its toolbar and messages in French. plotly.js ships only English;
 * the French words (plotly.js-locales) travel with each figure, as plotly allows, so that JupyterLab's
 * renderer and the hand-in's page need nothing registered (the « Click to enter … title » entries are
 * left out: the figures are not editable).
 */
export const PLOTLY_CONFIG = {
  responsive: true,
  displaylogo: false,
  locale: 'fr',
  locales: {
    fr: {
      format: frenchPlotly.format,
      dictionary: Object.fromEntries(Object.entries(frenchPlotly.dictionary).filter(([english]) => !english.startsWith('Click to enter'))),
    },
  },
};

/**
 * The HTML form of a figure: a static SVG image inside a container that carries the plotly
 * figure; an exported page that loads plotly.js replaces the image with the interactive chart.
 */
export function figureHtml(figure: Figure): string {
  const data = escapeHtml(JSON.stringify({ ...figure.plotly, config: PLOTLY_CONFIG })).replace(/'/g, '&#39;');
  const image = `data:image/svg+xml;base64,${Buffer.from(figure.svg).toString('base64')}`;
  return `<div class="tp5-figure" data-plotly='${data}'><img src="${image}" alt="${escapeHtml(figure.title)}"/></div>`;
}

/** Affiche une figure : interactive dans JupyterLab, image fixe partout où JavaScript ne tourne pas. */
export function showFigure(figure: Figure): void {
  displayBundle({
    [PLOTLY_MIME]: { ...figure.plotly, config: PLOTLY_CONFIG },
    'text/html': figureHtml(figure),
    'image/svg+xml': figure.svg,
    'text/plain': `[figure : ${figure.title}]`,
  });
}
