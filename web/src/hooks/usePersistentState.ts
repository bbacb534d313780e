import { useEffect, useState } from 'react';

/** useState kept in sessionStorage, so a reload keeps the tab and filters. `valid` guards against stale shapes. */
export function usePersistentState<T>(key: string, initial: T, valid: (v: unknown) => v is T): [T, (v: T) => void] {
  const [value, setValue] = useState<T>(() => {
    try {
      const raw = sessionStorage.getItem(key);
      if (raw !== null) {
        const parsed: unknown = JSON.parse(raw);
        if (valid(parsed)) return parsed;
      }
    } catch {
      // storage disabled or corrupt: use the default
    }
    return initial;
  });
  useEffect(() => {
    try {
      sessionStorage.setItem(key, JSON.stringify(value));
    } catch {
      // ignore (private mode, quota)
    }
  }, [key, value]);
  return [value, setValue];
}
