import { apart, median, spreadOf, spreadText } from '../bench/spread';

/** The benchmark's summary of repeated rounds: the median, the range, and whether two settings differ beyond it. */

test('the median of an odd and of an even number of rounds, the range, and a lost round left out', () => {
  expect(median([3, 1, 2])).toBe(2);
  expect(median([4, 1, 3, 2])).toBe(2.5);
  const speeds = spreadOf([11600, 12600, NaN, 12100]);
  expect([speeds.median, speeds.min, speeds.max]).toEqual([12100, 11600, 12600]);
  expect(spreadText(speeds)).toBe('12100 (11600–12600)');
  expect(spreadText(spreadOf([0.984]), 2)).toBe('0.98');
  expect(spreadOf([NaN]).median).toBeNaN();
});

test('two settings are apart only when their ranges do not overlap', () => {
  expect(apart(spreadOf([11600, 12600]), spreadOf([13800, 14100]))).toBe(true);
  expect(apart(spreadOf([11600, 13900]), spreadOf([13800, 14100]))).toBe(false);
});
