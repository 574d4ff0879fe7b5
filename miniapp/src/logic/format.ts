import { CST_OFFSET_MS, DEADLINE_RUNNING_STATES, type CaseState } from '@ssp/shared';

/** Dates and numbers as citizens read them. Times are shown in China Standard Time (UTC+8). */

function cstParts(iso: string | Date) {
  const d = new Date(new Date(iso).getTime() + CST_OFFSET_MS);
  return {
    y: d.getUTCFullYear(),
    m: d.getUTCMonth() + 1,
    d: d.getUTCDate(),
    hh: String(d.getUTCHours()).padStart(2, '0'),
    mm: String(d.getUTCMinutes()).padStart(2, '0'),
  };
}

/** 2026-11-22 14:05 → "11月22日 14:05" (with the year when it is not this year). */
export function formatDateTime(iso: string | Date, now: Date = new Date()): string {
  const p = cstParts(iso);
  const year = cstParts(now).y === p.y ? '' : `${p.y}年`;
  return `${year}${p.m}月${p.d}日 ${p.hh}:${p.mm}`;
}

export function formatDate(iso: string | Date): string {
  const p = cstParts(iso);
  return `${p.y}-${String(p.m).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
}

/** "刚刚", "5 分钟前", "3 小时前", "2 天前", then the date. */
export function formatRelative(iso: string | Date, now: Date = new Date()): string {
  const diff = now.getTime() - new Date(iso).getTime();
  if (diff < 60_000) return '刚刚';
  if (diff < 3600_000) return `${Math.floor(diff / 60_000)} 分钟前`;
  if (diff < 86_400_000) return `${Math.floor(diff / 3600_000)} 小时前`;
  if (diff < 7 * 86_400_000) return `${Math.floor(diff / 86_400_000)} 天前`;
  return formatDateTime(iso, now);
}

function span(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} 分钟`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} 小时`;
  return `${Math.round(hours / 24)} 天`;
}

/** A running deadline as "剩余 3 小时" / "已超期 2 天"; none once handled, closed or rejected. */
export function describeDeadline(deadline: string | null, state: CaseState, now: Date = new Date()): { text: string; overdue: boolean } | null {
  if (!deadline || !DEADLINE_RUNNING_STATES.includes(state)) return null;
  const left = new Date(deadline).getTime() - now.getTime();
  return left >= 0 ? { text: `剩余 ${span(left)}`, overdue: false } : { text: `已超期 ${span(-left)}`, overdue: true };
}

export function formatDistance(m: number): string {
  return m < 1000 ? `约 ${Math.max(10, Math.round(m / 10) * 10)} 米` : `约 ${(m / 1000).toFixed(1)} 公里`;
}

/** 0.9734 → "97.3%"; null → "—". */
export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  return `${(ratio * 100).toFixed(digits)}%`;
}

/** 12345 → "12,345"; 123456 → "12.3万". */
export function formatCount(n: number): string {
  if (Math.abs(n) >= 100_000) return `${(n / 10_000).toFixed(1)}万`;
  // Grouped by hand: some mini-program JS engines ship without locale data.
  const [int, frac] = String(n).split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac ? `${grouped}.${frac}` : grouped;
}
