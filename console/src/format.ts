import { useEffect, useState } from 'react';
import dayjs from 'dayjs';
import { DEADLINE_RUNNING_STATES, workingMinutesBetween, workingMinutesPerDay, type CaseState, type WorkCalendar } from '@ssp/shared';

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

/** Working time left, "2 个工作日 3 小时" / "3 工作小时 20 分" / "12 分 30 秒". */
function workingSpan(minutes: number, calendar: WorkCalendar): string {
  const perDay = workingMinutesPerDay(calendar);
  const days = Math.floor(minutes / perDay);
  const rest = minutes - days * perDay;
  const hours = Math.floor(rest / 60);
  if (days > 0) return `${days} 个工作日 ${hours} 小时`;
  if (hours > 0) return `${hours} 工作小时 ${Math.floor(rest % 60)} 分`;
  return `${Math.floor(rest)} 分 ${Math.floor((rest % 1) * 60)} 秒`;
}

/**
 * The handling deadline as a countdown. The API computes the deadline on the working
 * calendar; the time left to it is counted the same way (working hours of working days),
 * except for urgent limits, which run on the clock, and without the calendar. Overdue time
 * is clock time.
 */
export function deadlineCountdown(
  deadline: string | null,
  state: CaseState,
  now: number,
  options: { calendar?: WorkCalendar | null; urgent?: boolean } = {},
): { text: string; overdue: boolean; working: boolean } | null {
  if (!deadline || !DEADLINE_RUNNING_STATES.includes(state)) return null;
  const due = new Date(deadline);
  const left = due.getTime() - now;
  if (left < 0) return { text: `已超期 ${span(-left)}`, overdue: true, working: false };
  if (options.calendar && !options.urgent) {
    return {
      text: `剩余 ${workingSpan(workingMinutesBetween(new Date(now), due, options.calendar), options.calendar)}`,
      overdue: false,
      working: true,
    };
  }
  return { text: `剩余 ${span(left)}`, overdue: false, working: false };
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
