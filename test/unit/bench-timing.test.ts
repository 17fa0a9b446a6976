// The statistics the benchmark table is built from, and how a row's ratio and verdict are decided.

import { judge } from '../../bench/report';
import { median, percentile } from '../../bench/timing';

describe('median', () => {
  it('is the middle sample of an odd count, whatever the order', () => {
    expect(median([9, 1, 5])).toBe(5);
  });

  it('is the mean of the two middle samples of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('refuses an empty sample set rather than report NaN', () => {
    expect(() => median([])).toThrow(RangeError);
  });
});

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose

  it('p99 of 1..100 is 99 and p100 is the maximum', () => {
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
  });

  it('p0 is the minimum', () => {
    expect(percentile(hundred, 0)).toBe(1);
  });

  it('p99 of fewer than 100 samples is the largest one', () => {
    expect(percentile([3, 7, 5], 99)).toBe(7);
  });

  it('does not reorder the caller’s samples', () => {
    const samples = [3, 1, 2];
    percentile(samples, 50);
    expect(samples).toEqual([3, 1, 2]);
  });

  it('refuses a percentile outside 0..100', () => {
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], -1)).toThrow(RangeError);
  });
});

describe('a benchmark row', () => {
  it('passes when under the budget and at least the required times faster than its comparison', () => {
    const row = judge({ group: 'g', name: 'n', value: 4, unit: 'µs/op', comparison: { name: 'rival', value: 40 }, budget: { max: 5, minRatio: 8, text: '' } });
    expect(row.ratio).toBe(10);
    expect(row.verdict).toBe('pass');
  });

  it('falls short when under the budget but not enough faster than its comparison', () => {
    const row = judge({ group: 'g', name: 'n', value: 4, unit: 'µs/op', comparison: { name: 'rival', value: 20 }, budget: { max: 5, minRatio: 8, text: '' } });
    expect(row.verdict).toBe('falls short');
  });

  it('falls short when over its maximum', () => {
    expect(judge({ group: 'g', name: 'n', value: 61, unit: 'KB', budget: { max: 60, text: '' } }).verdict).toBe('falls short');
  });

  it('reads a higher figure as better when more is better (requests per second)', () => {
    const row = judge({ group: 'g', name: 'n', value: 500, unit: 'req/s', higherIsBetter: true, comparison: { name: 'bare', value: 2000 } });
    expect(row.ratio).toBe(0.25);
    expect(row.verdict).toBe('info');
  });

  it('has no ratio when the comparison is context, not a rival', () => {
    expect(judge({ group: 'g', name: 'n', value: 50, unit: 'µs', comparison: { name: 'p99', value: 90, ratio: false } }).ratio).toBeUndefined();
  });
});
