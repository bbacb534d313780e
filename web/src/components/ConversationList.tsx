/** The queue's conversations, highest priority first, with "load more" paging. */
import type { ConversationSummary } from '../types.ts';
import { useNow } from '../hooks/useNow.ts';
import { ConversationItem } from './ConversationItem.tsx';

interface Props {
  items: ConversationSummary[];
  total: number;
  loading: boolean;
  loadingMore: boolean;
  error: string | null;
  openId: number | null;
  cursorId: number | null;
  onOpen(id: number): void;
  onFocusItem(id: number): void;
  onLoadMore(): void;
  onRetry(): void;
}

export function ConversationList(p: Props & { queueId: string }) {
  const now = useNow();
  return (
    <div className="list" id="conversation-list" role="tabpanel" aria-labelledby={`queue-tab-${p.queueId}`} data-testid="conversation-list" aria-busy={p.loading}>
      {p.error && (
        <div className="list-error" role="alert">
          {p.error}{' '}
          <button type="button" className="btn btn-link" onClick={p.onRetry}>
            Retry
          </button>
        </div>
      )}
      {p.loading && p.items.length === 0 && <p className="list-empty">Loading…</p>}
      {!p.loading && !p.error && p.items.length === 0 && <p className="list-empty">Nothing here. New posts appear as they arrive.</p>}
      <ul className="list-items">
        {p.items.map((c) => (
          <ConversationItem
            key={c.id}
            c={c}
            now={now}
            active={c.id === p.openId}
            cursor={c.id === p.cursorId}
            onOpen={p.onOpen}
            onFocus={p.onFocusItem}
          />
        ))}
      </ul>
      {p.items.length < p.total && (
        <div className="list-more">
          <button type="button" className="btn" onClick={p.onLoadMore} disabled={p.loadingMore} data-testid="load-more">
            {p.loadingMore ? 'Loading…' : `Load more (${p.total - p.items.length} more)`}
          </button>
        </div>
      )}
    </div>
  );
}
