import { useEffect, useRef } from 'react';
import type { StaffActionName } from '@ssp/shared';

/** One key per frequent case action (letters, case-insensitive), shown in the drawer's footer. */
export const ACTION_KEYS: Partial<Record<StaffActionName, string>> = {
  file: 'F',
  dispatch: 'D',
  reject: 'R',
  merge: 'M',
  forward: 'T',
  accept_task: 'A',
  report_handled: 'H',
  request_postpone: 'W',
  return: 'B',
  approve_postpone: 'Y',
  deny_postpone: 'N',
  verify_pass: 'P',
  verify_fail: 'X',
};

/** Keys that move through the queue from the drawer. */
export const NEXT_KEY = 'J';
export const PREVIOUS_KEY = 'K';

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return (
    el.isContentEditable ||
    ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) ||
    !!el.closest('.ant-modal, .ant-select-dropdown, .ant-picker-dropdown')
  );
}

/**
 * Calls `onKey` with the upper-case letter of a plain key press (no Ctrl, Alt or Meta), unless
 * the user is typing in a field or a dialog is open; `enabled` switches it off.
 */
export function useLetterKeys(enabled: boolean, onKey: (key: string) => void): void {
  const handler = useRef(onKey);
  handler.current = onKey;
  useEffect(() => {
    if (!enabled) return;
    const listener = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.altKey || e.metaKey || e.repeat || e.key.length !== 1 || isTyping(e.target)) return;
      if (document.querySelector('.ant-modal-wrap:not([style*="display: none"])')) return;
      handler.current(e.key.toUpperCase());
    };
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, [enabled]);
}
