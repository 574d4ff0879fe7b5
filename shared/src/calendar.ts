/*
 * The Asia/Shanghai calendar (China Standard Time, UTC+8, no daylight saving) that
 * deadlines, quotas, statistics, points caps and campaigns all count days and months in.
 * Days are "YYYY-MM-DD", months "YYYY-MM".
 */

export const CST_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;

const shanghaiIso = (at: Date) => new Date(at.getTime() + CST_OFFSET_MS).toISOString();

/** The Asia/Shanghai calendar day of an instant, "YYYY-MM-DD". */
export const shanghaiDay = (at: Date): string => shanghaiIso(at).slice(0, 10);
/** The Asia/Shanghai calendar month of an instant, "YYYY-MM". */
export const shanghaiMonth = (at: Date): string => shanghaiIso(at).slice(0, 7);
/** The Asia/Shanghai wall-clock time of an instant, "YYYY-MM-DD HH:mm". */
export const shanghaiMinute = (at: Date): string => shanghaiIso(at).slice(0, 16).replace('T', ' ');

/** Whole seconds from an instant to the next Asia/Shanghai midnight. */
export function secondsUntilShanghaiMidnight(at: Date): number {
  const shifted = at.getTime() + CST_OFFSET_MS;
  const nextMidnight = Math.floor(shifted / DAY_MS + 1) * DAY_MS;
  return Math.ceil((nextMidnight - shifted) / 1000);
}

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

export const monthOf = (day: string) => day.slice(0, 7);
export const firstDayOfMonth = (month: string) => `${month}-01`;
export function lastDayOfMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y!, m!, 0)).toISOString().slice(0, 10);
}
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y!, m! - 1 + n, 1));
  return d.toISOString().slice(0, 7);
}

/** The Monday starting the ISO week of a day. */
export function weekStart(day: string): string {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return addDays(day, -((weekday + 6) % 7));
}
