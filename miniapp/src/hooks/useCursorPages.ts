import { useCallback, useEffect, useRef, useState } from 'react';
import Taro, { usePullDownRefresh, useReachBottom } from '@tarojs/taro';
import { errorMessage } from '../services/ui';

export interface CursorPage<T> {
  items: T[];
  nextCursor: string | null;
}

export interface CursorPagesOptions<T> {
  /** Start again from the first page whenever this changes (a filter, a tab). */
  key?: unknown;
  /** Nothing is loaded while false (e.g. before the staff profile is known). */
  enabled?: boolean;
  /** Runs before each load; false skips it (e.g. the citizen is sent to log in). */
  guard?: () => Promise<boolean>;
  /** Orders the whole list after each page (e.g. overdue cases first). */
  arrange?: (items: T[]) => T[];
}

/**
 * A cursor-paginated list as every list page uses it: the first page on open and
 * on pull-down, the next page when the reader reaches the bottom.
 */
export function useCursorPages<T>(fetchPage: (cursor: string | null) => Promise<CursorPage<T>>, options: CursorPagesOptions<T> = {}) {
  const { key, enabled = true } = options;
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(enabled);
  const [error, setError] = useState('');
  // The latest callbacks and cursor, so `load` itself never changes identity.
  const latest = useRef({ fetchPage, options, cursor, loading });
  latest.current = { fetchPage, options, cursor, loading };

  const load = useCallback(async (reset: boolean) => {
    const { guard, arrange } = latest.current.options;
    if (guard && !(await guard())) return;
    setLoading(true);
    setError('');
    try {
      const page = await latest.current.fetchPage(reset ? null : latest.current.cursor);
      setItems((prev) => {
        const all = reset ? page.items : [...prev, ...page.items];
        return arrange ? arrange(all) : all;
      });
      setCursor(page.nextCursor);
    } catch (e) {
      setError(errorMessage(e, '加载失败'));
    } finally {
      setLoading(false);
      Taro.stopPullDownRefresh();
    }
  }, []);

  useEffect(() => {
    if (!enabled) return;
    setItems([]);
    void load(true);
  }, [key, enabled, load]);
  usePullDownRefresh(() => void load(true));
  useReachBottom(() => {
    if (latest.current.cursor && !latest.current.loading) void load(false);
  });

  return { items, loading, error, hasMore: cursor !== null, reload: () => load(true) };
}
