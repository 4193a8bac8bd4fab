import { ImageSet, imageAt } from '../data/images';
import { displayBundle, escapeHtml } from './display';
import { encodeGrayPng } from './png';

/** One row of a grid: a title and the images to show side by side. */
export interface GridRow {
  title: string;
  images: ImageSet;
}

export interface ImageGridOptions {
  /** Which images of each row to show (default: the first ten). */
  indices?: number[];
  /** Pixels per image pixel (default 2). */
  scale?: number;
}

/** A grid of images as a PNG: one row per GridRow, pixel values clipped to [0, 1]. */
export function imageGridPng(rows: GridRow[], options: ImageGridOptions = {}): Buffer {
  if (rows.length === 0) throw new Error('imageGridPng needs at least one row');
  const { height, width } = rows[0].images;
  const indices = options.indices ?? Array.from({ length: Math.min(10, rows[0].images.count) }, (_, i) => i);
  const scale = options.scale ?? 2;
  const gap = 2;
  const cellW = width * scale + gap;
  const cellH = height * scale + gap;
  const outW = indices.length * cellW + gap;
  const outH = rows.length * cellH + gap;
  const out = new Uint8Array(outW * outH).fill(160);
  rows.forEach((row, r) => {
    if (row.images.height !== height || row.images.width !== width) {
      throw new Error(`row "${row.title}" has ${row.images.height}×${row.images.width} images, the first row ${height}×${width}`);
    }
    indices.forEach((index, c) => {
      const image = imageAt(row.images, index);
      for (let y = 0; y < height * scale; y++) {
        for (let x = 0; x < width * scale; x++) {
          const v = image[Math.floor(y / scale) * width + Math.floor(x / scale)];
          out[(gap + r * cellH + y) * outW + gap + c * cellW + x] = Math.round(255 * Math.min(1, Math.max(0, v)));
        }
      }
    });
  });
  return encodeGrayPng(out, outW, outH);
}

/** Shows the grid in the notebook, followed by the titles of its rows. */
export function showImageGrid(rows: GridRow[], options: ImageGridOptions = {}): void {
  const png = imageGridPng(rows, options);
  const titles = rows.map((row, i) => `${i + 1}. ${row.title}`);
  displayBundle({
    'image/png': png.toString('base64'),
    'text/plain': `[image grid, rows from top to bottom: ${titles.join('; ')}]`,
  });
  displayBundle({
    'text/markdown': `*Rangées, de haut en bas :* ${titles.map(escapeHtml).join(' · ')}`,
    'text/plain': `Rows, top to bottom: ${titles.join('; ')}`,
  });
}
