/** Desk keyboard shortcuts, ignored while the person types in a field. */
import { useEffect, useRef } from 'react';

export type ShortcutMap = Partial<Record<'j' | 'k' | 'Enter' | 'r' | 'e' | '/', () => void>>;

export function isTypingTarget(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  if (t.isContentEditable) return true;
  const tag = t.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT';
}

export function useShortcuts(map: ShortcutMap): void {
  const ref = useRef(map);
  useEffect(() => {
    ref.current = map;
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
      if (isTypingTarget(e.target)) return;
      // Enter on a focused button or link already activates it.
      if (e.key === 'Enter' && e.target instanceof HTMLElement && e.target.closest('button, a, summary')) return;
      const key = e.key as keyof ShortcutMap;
      const fn = ref.current[key];
      if (!fn) return;
      e.preventDefault();
      fn();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
