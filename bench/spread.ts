/**
 * Repeated measurements summed up: their median and their range. One run's speed says little on a
 * shared machine (PyTorch's conv speed went from 7,300 to 12,900 images/s between runs of one hour),
 * so the benchmark repeats each measurement in interleaved rounds and reports the median with its spread.
 */

export interface Spread {
  median: number;
  min: number;
  max: number;
  /** Every value, in the order of the rounds. */
  values: number[];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function spreadOf(values: number[]): Spread {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return { median: NaN, min: NaN, max: NaN, values };
  return { median: median(finite), min: Math.min(...finite), max: Math.max(...finite), values };
}

/** « 12345 (11800–12900) », or the median alone for one value. */
export function spreadText(spread: Spread, digits = 0): string {
  const text = (value: number) => value.toFixed(digits);
  return spread.values.length > 1 ? `${text(spread.median)} (${text(spread.min)}–${text(spread.max)})` : text(spread.median);
}

/** Whether two spreads do not overlap: a difference beyond the spread of either. */
export function apart(a: Spread, b: Spread): boolean {
  return a.max < b.min || b.max < a.min;
}
