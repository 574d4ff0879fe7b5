import { TIME_LIMIT_UNIT_NAMES_ZH, type TimeLimit } from './catalogue';
import { CST_OFFSET_MS } from './calendar';

/**
 * Case deadlines on a working-time calendar (domain brief §5).
 * 紧急工作时 counts clock hours; 工作时 counts only working hours of working days;
 * 工作日 counts whole working days, as that many days' worth of working hours.
 * Times are China Standard Time (UTC+8, no daylight saving).
 */

export interface WorkCalendar {
  /** Daily working periods, local time "HH:MM", in order, not overlapping. */
  workingHours: { start: string; end: string }[];
  /** Local dates "YYYY-MM-DD" that are days off although they are weekdays (public holidays). */
  holidays: string[];
  /** Local dates that are working days although they fall on a weekend (调休). */
  extraWorkdays: string[];
}

const MINUTE = 60_000;
const DAY = 86_400_000;

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

function localDate(dayStartUtcMs: number): string {
  return new Date(dayStartUtcMs + CST_OFFSET_MS).toISOString().slice(0, 10);
}

export function isWorkingDay(localDay: string, calendar: WorkCalendar): boolean {
  if (calendar.extraWorkdays.includes(localDay)) return true;
  if (calendar.holidays.includes(localDay)) return false;
  const weekday = new Date(`${localDay}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

export function workingMinutesPerDay(calendar: WorkCalendar): number {
  return calendar.workingHours.reduce((sum, p) => sum + minutesOf(p.end) - minutesOf(p.start), 0);
}

/** Adds a working-time amount of minutes to `start`, skipping evenings, weekends and holidays. */
export function addWorkingMinutes(start: Date, minutes: number, calendar: WorkCalendar): Date {
  if (minutes <= 0) return new Date(start);
  const periods = calendar.workingHours.map((p) => [minutesOf(p.start), minutesOf(p.end)] as const);
  if (!periods.length) throw new Error('calendar has no working hours');
  let remaining = minutes * MINUTE;
  // Midnight (local) of the start's day, expressed in UTC milliseconds.
  let dayStart = Math.floor((start.getTime() + CST_OFFSET_MS) / DAY) * DAY - CST_OFFSET_MS;
  for (let guard = 0; guard < 20 * 366; guard += 1, dayStart += DAY) {
    if (!isWorkingDay(localDate(dayStart), calendar)) continue;
    for (const [from, to] of periods) {
      const periodStart = Math.max(dayStart + from * MINUTE, start.getTime());
      const periodEnd = dayStart + to * MINUTE;
      if (periodEnd <= periodStart) continue;
      const available = periodEnd - periodStart;
      if (remaining <= available) return new Date(periodStart + remaining);
      remaining -= available;
    }
  }
  throw new Error('deadline is more than 20 years away');
}

/**
 * The working time from `from` to `to` in minutes (0 when `to` is not after `from`): what a
 * countdown to a deadline shows on the working calendar. The inverse of addWorkingMinutes.
 */
export function workingMinutesBetween(from: Date, to: Date, calendar: WorkCalendar): number {
  if (to.getTime() <= from.getTime()) return 0;
  const periods = calendar.workingHours.map((p) => [minutesOf(p.start), minutesOf(p.end)] as const);
  let total = 0;
  let dayStart = Math.floor((from.getTime() + CST_OFFSET_MS) / DAY) * DAY - CST_OFFSET_MS;
  for (let guard = 0; guard < 20 * 366 && dayStart < to.getTime(); guard += 1, dayStart += DAY) {
    if (!isWorkingDay(localDate(dayStart), calendar)) continue;
    for (const [start, end] of periods) {
      const a = Math.max(dayStart + start * MINUTE, from.getTime());
      const b = Math.min(dayStart + end * MINUTE, to.getTime());
      if (b > a) total += b - a;
    }
  }
  return total / MINUTE;
}

export function computeDeadline(start: Date, limit: TimeLimit, calendar: WorkCalendar): Date {
  switch (limit.unit) {
    case 'urgent_hours':
      return new Date(start.getTime() + limit.value * 3600_000);
    case 'work_hours':
      return addWorkingMinutes(start, Math.round(limit.value * 60), calendar);
    case 'work_days':
      return addWorkingMinutes(start, Math.round(limit.value * workingMinutesPerDay(calendar)), calendar);
  }
}

export function formatTimeLimit(limit: TimeLimit): string {
  return `${limit.value} ${TIME_LIMIT_UNIT_NAMES_ZH[limit.unit]}`;
}
