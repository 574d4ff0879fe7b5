import { countTicks, labelEvery, niceCeiling } from '../src/charts';
import { safeFileName, withBom } from '../src/download';

describe('chart axes', () => {
  it('rounds up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 0.4, 1, 1.5, 3, 7, 11, 40, 260].map(niceCeiling)).toEqual([1, 1, 1, 2, 5, 10, 20, 50, 500]);
  });

  it('has whole-number ticks from 0 past the largest count', () => {
    expect(countTicks([])).toEqual([0, 1]);
    expect(countTicks([0, 0])).toEqual([0, 1]);
    expect(countTicks([3])).toEqual([0, 1, 2, 3]);
    expect(countTicks([7, 2])).toEqual([0, 2, 4, 6, 8]);
    expect(countTicks([38])).toEqual([0, 10, 20, 30, 40]);
    const ticks = countTicks([123]);
    expect(ticks[ticks.length - 1]).toBeGreaterThanOrEqual(123);
    expect(ticks.length).toBeLessThanOrEqual(6);
  });

  it('draws at most twelve labels', () => {
    expect(labelEvery(7)).toBe(1);
    expect(labelEvery(31)).toBe(3);
    expect(Math.ceil(31 / labelEvery(31))).toBeLessThanOrEqual(12);
  });
});

describe('downloads', () => {
  it('puts the byte-order mark first once (Excel reads UTF-8 CSV with it)', () => {
    expect(withBom('日期,收到上报\r\n')).toBe('\ufeff日期,收到上报\r\n');
    expect(withBom('\ufeffa')).toBe('\ufeffa');
  });

  it('makes file names Windows accepts', () => {
    expect(safeFileName('清理 小广告: 2/2?')).toBe('清理_小广告_2_2_');
    expect(safeFileName('')).toBe('export');
  });
});
