/** One dot per connector: green connected, amber recovering, red needs a person (auth failed, stopped). */
import type { ConnectorHealth, ConnectorState } from '../types.ts';
import type { HealthState } from '../hooks/useHealth.ts';
import { networkLabel, relativeTime } from '../lib/format.ts';

type Tone = 'ok' | 'warn' | 'bad';

export function toneOf(state: ConnectorState): Tone {
  switch (state) {
    case 'connected':
      return 'ok';
    case 'auth_failed':
    case 'stopped':
      return 'bad';
    default:
      return 'warn'; // starting, reconnecting, rate_limited, paused
  }
}

function describe(c: ConnectorHealth): string {
  const parts = [`${c.name} (${networkLabel(c.network)}): ${c.state.replace(/_/g, ' ')} since ${relativeTime(c.since)}`];
  if (c.detail) parts.push(c.detail);
  if (c.attempt > 0) parts.push(`attempt ${c.attempt}`);
  if (c.nextRetryAt) parts.push(`next retry ${new Date(c.nextRetryAt).toLocaleTimeString()}`);
  parts.push(`received ${c.received}, sent ${c.sent}`);
  return parts.join(' · ');
}

export function HealthDots({ health }: { health: HealthState }) {
  if (!health.reachable) {
    return (
      <span className="health" role="status">
        <span className="dot dot-bad" aria-hidden="true" /> Server unreachable
      </span>
    );
  }
  return (
    <ul className="health" aria-label="Network connections">
      {health.connectors.map((c) => {
        const tone = toneOf(c.state);
        const text = describe(c);
        return (
          <li key={c.name} className="health-item" title={text} data-testid="connector-health" data-state={c.state}>
            <span className={`dot dot-${tone}`} aria-hidden="true" />
            <span className="health-name">{c.name}</span>
            <span className="sr-only">{text}</span>
          </li>
        );
      })}
    </ul>
  );
}
