/** Hash routes: `#/` is the queue, `#/c/123` opens conversation 123 (linkable, survives reload). */
import { useCallback, useEffect, useState } from 'react';

export interface Route {
  conversationId: number | null;
}

export function parseHash(hash: string): Route {
  const m = /^#\/c\/(\d+)\/?$/.exec(hash);
  const id = m?.[1] ? Number(m[1]) : NaN;
  return { conversationId: Number.isSafeInteger(id) && id > 0 ? id : null };
}

export function useHashRoute(): [Route, (conversationId: number | null) => void] {
  const [route, setRoute] = useState<Route>(() => parseHash(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  const navigate = useCallback((conversationId: number | null) => {
    const next = conversationId === null ? '#/' : `#/c/${conversationId}`;
    if (window.location.hash !== next) window.location.hash = next;
  }, []);
  return [route, navigate];
}
