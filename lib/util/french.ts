/** Numbers and durations written the French way, as everything a notebook shows. */

/** « 0,0123 »: a fixed number of decimals with a decimal comma. */
export function decimal(value: number, digits: number): string {
  return value.toFixed(digits).replace('.', ',');
}

/** « 218 192 »: an integer with French digit grouping. */
export function integer(value: number): string {
  return Math.round(value).toLocaleString('fr-FR');
}

/** « 12,3 s », « 2 min 05 s ». */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${decimal(seconds, 1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${String(Math.round(seconds - 60 * minutes)).padStart(2, '0')} s`;
}

/** Plotly's number separators for French: decimal comma, thin space between thousands. */
export const PLOTLY_SEPARATORS = ',\u202f';

/** « 0,06 », « 1,2 »: at most `digits` decimals, trailing zeros dropped. */
export function shortDecimal(value: number, digits: number): string {
  return String(Number(value.toFixed(digits))).replace('.', ',');
}
