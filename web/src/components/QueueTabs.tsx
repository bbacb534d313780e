/** The queue tabs with their counts. Arrow keys move between tabs (WAI-ARIA tabs pattern). */
import { useRef, type KeyboardEvent } from 'react';
import { QUEUES, type QueueId } from '../hooks/queues.ts';

export function QueueTabs({ value, counts, onChange }: { value: QueueId; counts: Partial<Record<QueueId, number>>; onChange(q: QueueId): void }) {
  const refs = useRef<Array<HTMLButtonElement | null>>([]);
  const onKey = (e: KeyboardEvent, i: number) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    e.preventDefault();
    const next = (i + (e.key === 'ArrowRight' ? 1 : -1) + QUEUES.length) % QUEUES.length;
    const q = QUEUES[next]!;
    onChange(q.id);
    refs.current[next]?.focus();
  };
  return (
    <div className="tabs" role="tablist" aria-label="Queues">
      {QUEUES.map((q, i) => {
        const selected = q.id === value;
        const n = counts[q.id];
        return (
          <button
            key={q.id}
            ref={(el) => {
              refs.current[i] = el;
            }}
            type="button"
            role="tab"
            aria-selected={selected}
            tabIndex={selected ? 0 : -1}
            id={`queue-tab-${q.id}`}
            aria-controls="conversation-list"
            className={`tab${selected ? ' tab-selected' : ''}`}
            title={q.title}
            data-testid={`queue-tab-${q.id}`}
            onClick={() => onChange(q.id)}
            onKeyDown={(e) => onKey(e, i)}
          >
            {q.label}
            <span className="tab-count" data-testid={`queue-count-${q.id}`}>
              {n === undefined ? '–' : n > 9999 ? '9999+' : n}
            </span>
          </button>
        );
      })}
    </div>
  );
}
