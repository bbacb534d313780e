/** Intent, sentiment and network selects, and full-text search. */
import { INTENT_OPTIONS, NETWORK_OPTIONS, SENTIMENT_OPTIONS, type Filters } from '../hooks/queues.ts';
import { labelText, networkLabel } from '../lib/format.ts';
import type { Intent, Network, Sentiment } from '../types.ts';

export function QueueFilters({ value, onChange }: { value: Filters; onChange(f: Filters): void }) {
  const set = (patch: Partial<Filters>) => onChange({ ...value, ...patch });
  const active = value.intent || value.sentiment || value.network || value.q;
  return (
    <div className="filters">
      <div className="search">
        <label htmlFor="queue-search" className="sr-only">
          Search posts
        </label>
        <input
          id="queue-search"
          type="search"
          placeholder="Search posts…  ( / )"
          value={value.q}
          data-testid="queue-search"
          onChange={(e) => set({ q: e.target.value })}
          onKeyDown={(e) => {
            if (e.key === 'Escape') (e.target as HTMLInputElement).blur();
          }}
        />
      </div>
      <div className="filter-row">
        <label className="filter">
          <span className="sr-only">Intent</span>
          <select value={value.intent} data-testid="filter-intent" onChange={(e) => set({ intent: e.target.value as Intent | '' })}>
            <option value="">Any intent</option>
            {INTENT_OPTIONS.map((i) => (
              <option key={i} value={i}>
                {labelText(i)}
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          <span className="sr-only">Sentiment</span>
          <select value={value.sentiment} data-testid="filter-sentiment" onChange={(e) => set({ sentiment: e.target.value as Sentiment | '' })}>
            <option value="">Any sentiment</option>
            {SENTIMENT_OPTIONS.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          <span className="sr-only">Network</span>
          <select value={value.network} data-testid="filter-network" onChange={(e) => set({ network: e.target.value as Network | '' })}>
            <option value="">Any network</option>
            {NETWORK_OPTIONS.map((n) => (
              <option key={n} value={n}>
                {networkLabel(n)}
              </option>
            ))}
          </select>
        </label>
        {active && (
          <button type="button" className="btn btn-link" onClick={() => onChange({ intent: '', sentiment: '', network: '', q: '' })}>
            Clear
          </button>
        )}
      </div>
    </div>
  );
}
