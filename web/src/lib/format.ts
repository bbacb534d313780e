/** Small pure helpers for showing records. */
import type { Network } from '../types.ts';

/** "now", "3m", "2h", "5d", then a short date. `now` is injectable for ticking clocks. */
export function relativeTime(ms: number, now: number = Date.now()): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 45) return 'now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h}h`;
  const d = Math.round(h / 24);
  if (d < 30) return `${d}d`;
  return new Date(ms).toLocaleDateString(undefined, { month: 'short', day: 'numeric', year: d > 300 ? 'numeric' : undefined });
}

export function fullTime(ms: number): string {
  return new Date(ms).toLocaleString();
}

export const NETWORK_LABEL: Record<Network, string> = { x: 'X', bluesky: 'Bluesky', mastodon: 'Mastodon' };

export function networkLabel(n: string): string {
  return (NETWORK_LABEL as Record<string, string>)[n] ?? n;
}

/** Handles are shown with a leading @ (Mastodon handles may already carry one). */
export function atHandle(handle: string): string {
  return handle.startsWith('@') ? handle : `@${handle}`;
}

/**
 * Returns the URL if (and only if) it is an absolute http(s) URL; anything else (javascript:, data:, relative, junk)
 * gives null. Used for every href built from data that came from a network.
 */
export function safeHttpUrl(raw: string | null | undefined): string | null {
  if (!raw) return null;
  try {
    const u = new URL(raw);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

export function compactNumber(n: number): string {
  return new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 }).format(n);
}

/** "sales_pitch" → "sales pitch". */
export function labelText(s: string): string {
  return s.replace(/_/g, ' ');
}
