import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../services/ui';

export interface AsyncState<T> {
  data: T | null;
  error: string;
  loading: boolean;
  reload: () => Promise<void>;
  setData: (d: T | null) => void;
}

/** Loads once (and on reload); keeps the last good data while reloading. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[] = [], options: { skip?: boolean } = {}): AsyncState<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(!options.skip);
  const seq = useRef(0);
  const reload = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    setError('');
    try {
      const d = await load();
      if (mine === seq.current) setData(d);
    } catch (e) {
      if (mine === seq.current) setError(errorMessage(e, '加载失败'));
    } finally {
      if (mine === seq.current) setLoading(false);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  useEffect(() => {
    if (!options.skip) void reload();
  }, [reload, options.skip]);
  return { data, error, loading, reload, setData };
}
