import { CASE_STATES, CITIZEN_STATUSES } from '@ssp/shared';
import { barPercents, monthLabel } from '../src/logic/charts';
import { describeDeadline, formatCount, formatDateTime, formatDistance, formatPercent, formatRelative } from '../src/logic/format';
import { chipForState, citizenChip, MY_REPORT_FILTERS, STAFF_STATE_NAMES_ZH, STATUS_EXPLANATIONS } from '../src/logic/status';

describe('status chips', () => {
  it('maps every citizen status to a chip with a tone and an explanation', () => {
    for (const s of CITIZEN_STATUSES) {
      expect(citizenChip(s).label).toBe(s);
      expect(['waiting', 'active', 'review', 'done', 'void', 'paused']).toContain(citizenChip(s).tone);
      expect(STATUS_EXPLANATIONS[s].length).toBeGreaterThan(4);
    }
    expect(citizenChip('待受理').tone).toBe('waiting');
    expect(citizenChip('已结案').tone).toBe('done');
    expect(citizenChip('已撤回').tone).toBe('void');
  });

  it('shows each case state as the status citizens know', () => {
    expect(chipForState('pending').label).toBe('待受理');
    expect(chipForState('forwarded').label).toBe('处理中');
    expect(chipForState('handled').label).toBe('待核查');
    expect(chipForState('rejected').label).toBe('已作废');
    for (const s of CASE_STATES) expect(STAFF_STATE_NAMES_ZH[s]).toBeTruthy();
  });

  it('offers 全部 and every status as filters', () => {
    expect(MY_REPORT_FILTERS[0]).toEqual({ label: '全部' });
    expect(MY_REPORT_FILTERS.slice(1).map((f) => f.status)).toEqual([...CITIZEN_STATUSES]);
  });
});

describe('formatting', () => {
  const now = new Date('2026-11-23T04:00:00Z'); // 12:00 in Beijing

  it('prints times in Beijing time, with the year only when it differs', () => {
    expect(formatDateTime('2026-11-22T23:05:00Z', now)).toBe('11月23日 07:05');
    expect(formatDateTime('2025-01-02T00:00:00Z', now)).toBe('2025年1月2日 08:00');
  });

  it('says how long ago, and how much time is left or overdue', () => {
    expect(formatRelative('2026-11-23T03:59:30Z', now)).toBe('刚刚');
    expect(formatRelative('2026-11-23T03:15:00Z', now)).toBe('45 分钟前');
    expect(formatRelative('2026-11-21T04:00:00Z', now)).toBe('2 天前');
    expect(describeDeadline('2026-11-23T07:00:00Z', 'dispatched', now)).toEqual({ text: '剩余 3 小时', overdue: false });
    expect(describeDeadline('2026-11-20T04:00:00Z', 'processing', now)).toEqual({ text: '已超期 3 天', overdue: true });
    // Once handled or closed the clock has stopped: no countdown.
    expect(describeDeadline('2026-11-23T07:00:00Z', 'closed', now)).toBeNull();
    expect(describeDeadline('2026-11-20T04:00:00Z', 'handled', now)).toBeNull();
    expect(describeDeadline(null, 'dispatched', now)).toBeNull();
  });

  it('rounds distances, percentages and counts for reading', () => {
    expect(formatDistance(3)).toBe('约 10 米');
    expect(formatDistance(126)).toBe('约 130 米');
    expect(formatDistance(2345)).toBe('约 2.3 公里');
    expect(formatPercent(0.9734)).toBe('97.3%');
    expect(formatPercent(null)).toBe('—');
    expect(formatCount(12345)).toBe('12,345');
    expect(formatCount(298597)).toBe('29.9万');
  });
});

describe('chart scaling', () => {
  it('scales bars to the largest value or a given maximum, keeping small values visible', () => {
    expect(barPercents([10, 5, 0])).toEqual([100, 50, 0]);
    expect(barPercents([97.5, 0.5], 100)).toEqual([97.5, 2]);
    expect(barPercents([0, 0])).toEqual([0, 0]);
    expect(barPercents([NaN, -1, 3])).toEqual([0, 0, 100]);
    expect(monthLabel('2026-03')).toBe('3月');
  });
});
