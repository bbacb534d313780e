import { useCallback, useEffect, useRef } from 'react';

/**
 * A stable function that calls the latest `fn` once, `ms` after the last of a burst of calls. Under a steady stream
 * of calls (a busy event stream) it still fires at least every `maxWaitMs`, so the screen never freezes stale.
 */
export function useDebouncedCallback(fn: () => void, ms: number, maxWaitMs = ms * 5): () => void {
  const fnRef = useRef(fn);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const burstStart = useRef<number | null>(null);
  useEffect(() => {
    fnRef.current = fn;
  });
  useEffect(() => () => clearTimeout(timer.current), []);
  return useCallback(() => {
    const now = Date.now();
    burstStart.current ??= now;
    clearTimeout(timer.current);
    const wait = Math.max(0, Math.min(ms, burstStart.current + maxWaitMs - now));
    timer.current = setTimeout(() => {
      burstStart.current = null;
      fnRef.current();
    }, wait);
  }, [ms, maxWaitMs]);
}
