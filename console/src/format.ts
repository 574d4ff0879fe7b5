import { useEffect, useState } from 'react';
import dayjs from 'dayjs';
import { DEADLINE_RUNNING_STATES, type CaseState } from '@ssp/shared';

/** "2026-11-23 10:00" in the browser's time zone (Beijing at the centre). */
export function formatTime(iso: string | null | undefined): string {
  return iso ? dayjs(iso).format('YYYY-MM-DD HH:mm') : '—';
}

function span(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return `${days} 天 ${hours} 小时`;
  if (hours > 0) return `${hours} 小时 ${mins} 分`;
  return `${mins} 分 ${Math.floor((ms % 60_000) / 1000)} 秒`;
}

/**
 * The handling deadline as a countdown: the deadline itself is computed by the API on
 * the working calendar; this counts the time left to it, or how long it is overdue.
 */
export function deadlineCountdown(deadline: string | null, state: CaseState, now: number): { text: string; overdue: boolean } | null {
  if (!deadline || !DEADLINE_RUNNING_STATES.includes(state)) return null;
  const left = new Date(deadline).getTime() - now;
  return left >= 0 ? { text: `剩余 ${span(left)}`, overdue: false } : { text: `已超期 ${span(-left)}`, overdue: true };
}

/** The current time, ticking every `ms` (countdowns). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

export const SOURCE_NAMES_ZH: Record<string, string> = {
  citizen: '市民上报',
  campaign: '活动上报',
  open311: 'Open311 接入',
  staff: '工作人员录入',
  external: '上级平台',
};

export const STATE_COLORS: Record<CaseState, string> = {
  pending: 'gold',
  withdrawn: 'default',
  rejected: 'default',
  filed: 'blue',
  forwarded: 'purple',
  dispatched: 'geekblue',
  processing: 'cyan',
  postponed: 'orange',
  handled: 'lime',
  closed: 'green',
};
