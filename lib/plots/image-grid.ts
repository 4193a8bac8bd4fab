import { Images, asImageSet, imageAt, selectImages } from '../data/images';
import { displayBundle, escapeHtml } from '../util/display';
import { GridImages, noteShownGrid } from '../util/traces';
import { encodeGrayPng } from './png';

/** Une rangée de grille : un titre et les images à montrer côte à côte (un tenseur [n, M, N, 1] ou un ImageSet). */
export interface GridRow {
  title: string;
  images: Images;
}

/** Les réglages d'une grille d'images. */
export interface ImageGridOptions {
  /** Les numéros des images à montrer dans chaque rangée (par défaut les dix premières). */
  indices?: number[];
  /** Pixels d'écran par pixel d'image (3 par défaut : un chiffre 28×28 fait 84 pixels de large). */
  scale?: number;
}

const GAP = 4;
/**
 * The band above each row, for its title: 20 px letters, so that a ten-image grid printed across an
 * A4 page (scaled to about 0.65 in the hand-in's PDF) keeps them near 10 pt (9.7 pt measured).
 */
const TITLE_HEIGHT = 26;
const TITLE_FONT = 20;

function gridRows(rows: GridRow[]): GridImages[] {
  if (!Array.isArray(rows) || rows.length === 0) throw new Error('showImageGrid : au moins une rangée { title, images } est attendue');
  const sets = rows.map((row, i) => ({
    title: String(row.title ?? `rangée ${i + 1}`),
    images: asImageSet(row.images, `rangée « ${row.title} »`),
  }));
  const { height, width } = sets[0].images;
  for (const row of sets) {
    if (row.images.height !== height || row.images.width !== width) {
      throw new Error(
        `rangée « ${row.title} » : images de ${row.images.height}×${row.images.width}, la première rangée en a de ${height}×${width}`,
      );
    }
  }
  return sets;
}

/**
 * A grid of images as a PNG, one row per GridRow under a blank band for its title, each image
 * scaled up; pixel values clipped to [0, 1].
 */
export function imageGridPng(rows: GridRow[], options: ImageGridOptions = {}): { png: Buffer; width: number; height: number } {
  const sets = gridRows(rows);
  const { height, width } = sets[0].images;
  const indices = options.indices ?? Array.from({ length: Math.min(10, sets[0].images.count) }, (_, i) => i);
  const scale = options.scale ?? 3;
  const cellW = width * scale + GAP;
  const rowH = TITLE_HEIGHT + height * scale + GAP;
  const outW = indices.length * cellW + GAP;
  const outH = sets.length * rowH + GAP;
  const out = new Uint8Array(outW * outH).fill(255);
  sets.forEach((row, r) => {
    indices.forEach((index, c) => {
      if (index >= row.images.count) return;
      const image = imageAt(row.images, index);
      const top = r * rowH + TITLE_HEIGHT;
      for (let y = 0; y < height * scale; y++) {
        for (let x = 0; x < width * scale; x++) {
          const v = image[Math.floor(y / scale) * width + Math.floor(x / scale)];
          out[(top + y) * outW + GAP + c * cellW + x] = Math.round(255 * Math.min(1, Math.max(0, v)));
        }
      }
    });
  });
  return { png: encodeGrayPng(out, outW, outH), width: outW, height: outH };
}

/** The grid as an SVG drawing: the PNG, with each row's title written in the band above it. */
function gridSvg(titles: string[], grid: { png: Buffer; width: number; height: number }): string {
  const rowH = (grid.height - GAP) / titles.length;
  const texts = titles.map((title, r) => `<text x="${GAP}" y="${r * rowH + TITLE_HEIGHT - 6}">${escapeHtml(title)}</text>`);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${grid.width}" height="${grid.height}" viewBox="0 0 ${grid.width} ${grid.height}" ` +
    `font-family="sans-serif" font-size="${TITLE_FONT}"><image width="${grid.width}" height="${grid.height}" ` +
    `href="data:image/png;base64,${grid.png.toString('base64')}"/>${texts.join('')}</svg>`
  );
}

/**
 * Affiche une grille d'images dans le carnet, chaque rangée sous son titre (les dix premières images par défaut).
 */
export function showImageGrid(rows: GridRow[], options: ImageGridOptions = {}): void {
  const sets = gridRows(rows);
  const grid = imageGridPng(sets, options);
  const titles = sets.map((row) => row.title);
  const svg = gridSvg(titles, grid);
  const indices = options.indices ?? Array.from({ length: Math.min(10, sets[0].images.count) }, (_, i) => i);
  noteShownGrid(
    sets.map((row) => ({
      title: row.title,
      images: selectImages(
        row.images,
        indices.filter((i) => i < row.images.count),
      ),
    })),
  );
  displayBundle({
    'text/html':
      `<img class="tp5-grid" src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}" ` +
      `alt="${escapeHtml(`Images, de haut en bas : ${titles.join(' ; ')}`)}"/>`,
    'image/png': grid.png.toString('base64'),
    'text/plain': `[grille d'images, de haut en bas : ${titles.join(' ; ')}]`,
  });
}
