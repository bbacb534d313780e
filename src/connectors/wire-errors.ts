/** How the connectors put a network's error into words for the desk's health line and the outbox's last error. */

/** `: a – b` from the named string fields of a JSON error body (each network names them differently), else its start. */
export function errorBodyText(body: string, fields: readonly string[]): string {
  try {
    const p = JSON.parse(body) as Record<string, unknown>;
    const parts = fields.map((f) => p[f]).filter((x): x is string => typeof x === 'string');
    return parts.length ? `: ${[...new Set(parts)].join(' – ')}` : '';
  } catch {
    return body ? `: ${body.slice(0, 200)}` : '';
  }
}

/** An error's message with its cause ("fetch failed: connect ECONNREFUSED …"). */
export function describeError(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${e.message}: ${cause.message}` : e.message;
  }
  return String(e);
}
