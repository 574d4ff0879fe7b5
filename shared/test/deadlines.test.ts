import { addWorkingMinutes, computeDeadline, isWorkingDay, workingMinutesBetween, type WorkCalendar } from '../src';

const calendar: WorkCalendar = {
  workingHours: [
    { start: '08:30', end: '12:00' },
    { start: '14:00', end: '17:30' },
  ],
  // National Day week 2026: Oct 1–7 off; Sat Oct 10 is a make-up working day.
  holidays: ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07'],
  extraWorkdays: ['2026-10-10'],
};

/** Beijing local time → Date. */
const bj = (local: string) => new Date(`${local}+08:00`);
const iso = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');

describe('working calendar', () => {
  it('knows weekends, holidays and make-up days', () => {
    expect(isWorkingDay('2026-11-23', calendar)).toBe(true); // Monday
    expect(isWorkingDay('2026-11-22', calendar)).toBe(false); // Sunday
    expect(isWorkingDay('2026-10-05', calendar)).toBe(false); // Monday in the holiday
    expect(isWorkingDay('2026-10-10', calendar)).toBe(true); // Saturday make-up day
  });
});

describe('deadlines', () => {
  it('counts urgent hours on the clock, through the night', () => {
    expect(iso(computeDeadline(bj('2026-11-20T23:00'), { value: 2, unit: 'urgent_hours' }, calendar))).toBe('2026-11-21 01:00');
  });

  it('counts working hours within the day and across lunch', () => {
    expect(iso(computeDeadline(bj('2026-11-23T09:00'), { value: 2, unit: 'work_hours' }, calendar))).toBe('2026-11-23 11:00');
    expect(iso(computeDeadline(bj('2026-11-23T11:00'), { value: 2, unit: 'work_hours' }, calendar))).toBe('2026-11-23 15:00');
  });

  it('carries working hours over the evening', () => {
    // 17:00 Monday: 30 min left today, 3.5 h more from 08:30 Tuesday → 12:00.
    expect(iso(computeDeadline(bj('2026-11-23T17:00'), { value: 4, unit: 'work_hours' }, calendar))).toBe('2026-11-24 12:00');
    // Reported at night: the clock starts at 08:30 the next morning.
    expect(iso(computeDeadline(bj('2026-11-23T22:00'), { value: 4, unit: 'work_hours' }, calendar))).toBe('2026-11-24 14:30');
  });

  it('skips the weekend', () => {
    // Friday 16:30 + 4 h: 1 h on Friday, 3 h on Monday from 08:30 → 11:30.
    expect(iso(computeDeadline(bj('2026-11-27T16:30'), { value: 4, unit: 'work_hours' }, calendar))).toBe('2026-11-30 11:30');
    expect(iso(computeDeadline(bj('2026-11-28T10:00'), { value: 1, unit: 'work_hours' }, calendar))).toBe('2026-11-30 09:30');
  });

  it('skips a holiday and works the make-up Saturday', () => {
    // Wed Sep 30 17:00 + 4 h: 0.5 h on Sep 30; Oct 1–7 off (Oct 3–4 weekend); Oct 8 from 08:30 + 3.5 h → 12:00.
    expect(iso(computeDeadline(bj('2026-09-30T17:00'), { value: 4, unit: 'work_hours' }, calendar))).toBe('2026-10-08 12:00');
    // Fri Oct 9 17:00 + 1 h: 0.5 h Friday, then Saturday Oct 10 is a working day → 09:00.
    expect(iso(computeDeadline(bj('2026-10-09T17:00'), { value: 1, unit: 'work_hours' }, calendar))).toBe('2026-10-10 09:00');
  });

  it('counts working days as whole days of working hours', () => {
    // Monday 10:00 + 2 working days → Wednesday 10:00.
    expect(iso(computeDeadline(bj('2026-11-23T10:00'), { value: 2, unit: 'work_days' }, calendar))).toBe('2026-11-25 10:00');
    // Thursday 10:00 + 20 working days → four weeks later (no holidays in between).
    expect(iso(computeDeadline(bj('2026-11-26T10:00'), { value: 20, unit: 'work_days' }, calendar))).toBe('2026-12-24 10:00');
  });

  it('adds nothing for zero', () => {
    const t = bj('2026-11-23T10:00');
    expect(addWorkingMinutes(t, 0, calendar).getTime()).toBe(t.getTime());
  });
});

describe('working time left', () => {
  it('counts only working hours of working days', () => {
    // Friday 16:30 → Monday 09:30: one hour on Friday, one on Monday.
    expect(workingMinutesBetween(bj('2026-11-27T16:30'), bj('2026-11-30T09:30'), calendar)).toBe(120);
    // Over lunch: nothing counts between 12:00 and 14:00.
    expect(workingMinutesBetween(bj('2026-11-23T11:00'), bj('2026-11-23T15:00'), calendar)).toBe(120);
    // Through the National Day holidays (Thu 8 and Fri 9 October work) to the make-up Saturday.
    expect(workingMinutesBetween(bj('2026-09-30T17:00'), bj('2026-10-10T09:00'), calendar)).toBe(30 + 2 * 7 * 60 + 30);
    expect(workingMinutesBetween(bj('2026-11-23T10:00'), bj('2026-11-23T09:00'), calendar)).toBe(0);
  });

  it('is the inverse of adding working time', () => {
    for (const [start, minutes] of [
      ['2026-11-20T23:00', 90],
      ['2026-11-27T16:30', 7 * 60 * 3],
      ['2026-09-29T10:15', 7 * 60 * 5 + 17],
      ['2026-11-23T12:30', 1],
    ] as const) {
      const from = bj(start);
      expect(workingMinutesBetween(from, addWorkingMinutes(from, minutes, calendar), calendar)).toBe(minutes);
    }
  });
});
