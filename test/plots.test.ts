import zlib from 'node:zlib';
import { barChart, lineChart, lossCurvesFigure, scatterChart } from '../lib';
import { PLOTLY_MIME, figureHtml } from '../lib/plots/charts';
import { encodeGrayPng } from '../lib/plots/png';
import { imageGridPng } from '../lib/plots/image-grid';
import { uniformImages } from './helpers/images';

/** Reads a grey PNG back (header, CRCs and pixels) to check the encoder without a PNG library. */
function decodeGrayPng(png: Buffer): { width: number; height: number; pixels: Uint8Array } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') [width, height] = [body.readUInt32BE(0), body.readUInt32BE(4)];
    if (type === 'IDAT') idat.push(body);
    offset += 12 + length;
  }
  const rows = zlib.inflateSync(Buffer.concat(idat));
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) pixels.set(rows.subarray(y * (width + 1) + 1, (y + 1) * (width + 1)), y * width);
  return { width, height, pixels };
}

test('PNG encoder round trip', () => {
  const pixels = Uint8Array.from({ length: 12 }, (_, i) => i * 20);
  const decoded = decodeGrayPng(encodeGrayPng(pixels, 4, 3));
  expect([decoded.width, decoded.height]).toEqual([4, 3]);
  expect(Array.from(decoded.pixels)).toEqual(Array.from(pixels));
});

test('image grid: one row per set, values clipped to [0, 1], scaled', () => {
  const [white, black] = [uniformImages(3, 1.7), uniformImages(3, -0.3)];
  const grid = imageGridPng(
    [
      { title: 'a', images: white },
      { title: 'b', images: black },
    ],
    { scale: 2 },
  );
  const { width, height, pixels } = decodeGrayPng(grid.png);
  // Each image 56 px plus a 4 px gap; each row under a 26 px band for its title.
  expect([width, height]).toEqual([grid.width, grid.height]);
  expect([width, height]).toEqual([3 * 60 + 4, 2 * 86 + 4]);
  expect(pixels[5 * width + 30]).toBe(255); // the first row's title band is blank (the title is drawn over it)
  expect(pixels[(26 + 10) * width + 4 + 10]).toBe(255); // inside the first row's first image
  expect(pixels[(86 + 26 + 10) * width + 4 + 10]).toBe(0); // inside the second row's first image
  expect(() => imageGridPng([])).toThrow(/au moins une rangée/);
});

test('line chart: plotly traces and an SVG drawing of the same series', () => {
  const figure = lineChart(
    [
      { name: 'modèle A', x: [1, 2, 3], y: [0.05, 0.03, 0.02] },
      { name: 'B', x: [1, 2, 3], y: [0.06, 0.04, 0.035] },
    ],
    { title: 'Perte', xTitle: 'époque', yTitle: 'MSE', logY: true },
  );
  expect(figure.plotly.data).toHaveLength(2);
  expect(figure.plotly.data[0]).toMatchObject({ type: 'scatter', name: 'modèle A', y: [0.05, 0.03, 0.02] });
  expect(figure.plotly.layout).toMatchObject({ yaxis: { type: 'log' } });
  expect(figure.svg.match(/<polyline/g)).toHaveLength(2);
  // The log axis is labelled beyond its powers of ten, French style, in plotly as in the SVG.
  expect(figure.plotly.layout).toMatchObject({
    yaxis: { tickvals: [0.02, 0.03, 0.04, 0.05, 0.06], ticktext: ['0,02', '0,03', '0,04', '0,05', '0,06'] },
  });
  for (const label of ['0,02', '0,06']) expect(figure.svg).toContain(`>${label}</text>`);
  expect(figure.svg).toContain('modèle A');
  const html = figureHtml(figure);
  expect(html).toMatch(/^<div class="tp5-figure" data-plotly='[^']+'><img src="data:image\/svg\+xml;base64,/);
  expect(PLOTLY_MIME).toBe('application/vnd.plotly.v1+json');
});

test('a loss from 0,25 down to 0,01 gets labels above 0,1 on its log axis', () => {
  const figure = lineChart([{ name: 'perte', x: [1, 2, 3, 4], y: [0.25, 0.08, 0.03, 0.012] }], {
    title: 'Perte',
    xTitle: 'époque',
    yTitle: 'MSE',
    logY: true,
  });
  const ticks = (figure.plotly.layout as { yaxis: { tickvals: number[]; ticktext: string[] } }).yaxis;
  expect(ticks.tickvals.filter((value) => value > 0.1)).toEqual([0.2]);
  expect(ticks.ticktext).toEqual(['0,02', '0,05', '0,1', '0,2']);
});

test('bar and scatter charts draw one mark per value', () => {
  const bars = barChart(['a', 'b', 'c'], [{ name: 'params', values: [101200, 218192, 210369] }], { title: 'p', yTitle: 'n' });
  expect(bars.svg.match(/<rect x=/g)).toHaveLength(3 + 1); // three bars and the legend's swatch
  const scatter = scatterChart([0, 1, 2, 3], [1, 0, 1, 0], [0, 1, 0, 1], { title: 's', xTitle: 'x', yTitle: 'y' });
  expect(scatter.plotly.data).toHaveLength(2);
  expect(scatter.svg.match(/<circle/g)).toHaveLength(4);
  expect(() => lineChart([{ name: 'n', x: [1], y: [NaN] }], { title: 'empty', xTitle: '', yTitle: '' })).toThrow(/aucune valeur finie/);
});

test('loss curves: epoch ticks on whole numbers, the legend below the plot, which keeps the figure’s width', () => {
  const run = (label: string) => ({ label, loss: [0.06, 0.04, 0.03], valLoss: [0.05, 0.04, 0.035] });
  const figure = lossCurvesFigure([
    run('Dense n°1 (sans activation, K = 64)'),
    run('Dense n°1 (relu, K = 64)'),
    run('Dense n°2 (relu, K = 64)'),
  ]);
  expect(figure.plotly.layout).toMatchObject({ xaxis: { tickvals: [1, 2, 3] }, legend: { orientation: 'h' } });
  const xTicks = [...figure.svg.matchAll(/<text x="[\d.]+" y="306" text-anchor="middle">([^<]*)<\/text>/g)].map((m) => m[1]);
  expect(xTicks).toEqual(['1', '2', '3']);
  expect(figure.svg).toMatch(/^<svg [^>]*width="720"/);
  const legendRows = [...figure.svg.matchAll(/<text x="[\d.]+" y="([\d.]+)" dominant-baseline="middle">Dense n°/g)].map((m) =>
    Number(m[1]),
  );
  // One entry per model, the line styles said in the title.
  expect(legendRows).toHaveLength(3);
  expect(figure.title).toBe("Courbes d'apprentissage (trait plein : entraînement ; tirets : validation)");
  for (const y of legendRows) expect(y).toBeGreaterThan(306);
});
