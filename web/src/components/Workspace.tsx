/**
 * Queue + conversation. Live events refresh the list (debounced 300 ms) and, when they concern it, the open
 * conversation; reply.sent / reply.failed patch the reply's status at once so the agent sees it without waiting.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, errorMessage, type BrandWithAccounts } from '../api.ts';
import type { ReplyRecord, User } from '../types.ts';
import { useDeskEvents } from '../hooks/events.tsx';
import { useConversation } from '../hooks/useConversation.ts';
import { useDebouncedCallback } from '../hooks/useDebouncedCallback.ts';
import { useDebouncedValue } from '../hooks/useDebouncedValue.ts';
import { useHashRoute } from '../hooks/useHashRoute.ts';
import { usePersistentState } from '../hooks/usePersistentState.ts';
import { EMPTY_FILTERS, isQueueId, type Filters, type QueueId } from '../hooks/queues.ts';
import { useQueue } from '../hooks/useQueue.ts';
import { useShortcuts } from '../hooks/useShortcuts.ts';
import { ConversationList } from './ConversationList.tsx';
import { ConversationView } from './ConversationView.tsx';
import { QueueFilters } from './QueueFilters.tsx';
import { QueueTabs } from './QueueTabs.tsx';

const REFRESH_DEBOUNCE_MS = 300;

function isFilters(v: unknown): v is Filters {
  return !!v && typeof v === 'object' && ['intent', 'sentiment', 'network', 'q'].every((k) => typeof (v as Record<string, unknown>)[k] === 'string');
}

export function Workspace({ user }: { user: User }) {
  const [route, navigate] = useHashRoute();
  const openId = route.conversationId;
  const [queue, setQueue] = usePersistentState<QueueId>('earshot.queue', 'new', isQueueId);
  const [filters, setFilters] = usePersistentState<Filters>('earshot.filters', EMPTY_FILTERS, isFilters);
  // The search box types freely; the query follows 300 ms after the last keystroke.
  const debouncedQ = useDebouncedValue(filters.q, REFRESH_DEBOUNCE_MS);
  const effectiveFilters = useMemo(
    () => ({ intent: filters.intent, sentiment: filters.sentiment, network: filters.network, q: debouncedQ }),
    [filters.intent, filters.sentiment, filters.network, debouncedQ],
  );
  const list = useQueue(queue, effectiveFilters);
  const conv = useConversation(openId);
  const [cursorId, setCursorId] = useState<number | null>(openId);
  const [actionError, setActionError] = useState<string | null>(null);
  const [brands, setBrands] = useState<BrandWithAccounts[]>([]);

  useEffect(() => {
    api.brands().then(
      (r) => setBrands(r.items),
      () => setBrands([]), // optional: only used to say which account a reply goes out from
    );
  }, []);

  useEffect(() => {
    if (openId !== null) setCursorId(openId);
    setActionError(null);
  }, [openId]);

  const refreshList = useDebouncedCallback(list.refresh, REFRESH_DEBOUNCE_MS);
  const refreshConv = useDebouncedCallback(conv.refresh, REFRESH_DEBOUNCE_MS);

  useDeskEvents((e) => {
    switch (e.type) {
      case 'connector.status':
      case 'ingest.quarantined':
        return;
      case 'resync':
        refreshList();
        refreshConv();
        return;
      case 'reply.sent':
        if (e.conversationId === openId) conv.patchReply(e.replyId, { status: 'sent', postId: e.postId, sentAt: e.at });
        break;
      case 'reply.failed':
        if (e.conversationId === openId) conv.patchReply(e.replyId, { status: e.retrying ? 'queued' : 'failed', lastError: e.error });
        break;
      default:
        break;
    }
    refreshList();
    if (openId !== null && e.conversationId === openId) refreshConv();
  });

  const open = useCallback((id: number) => navigate(id), [navigate]);

  const changeStatus = useCallback(
    async (status: 'open' | 'resolved' | 'dismissed') => {
      if (openId === null) return;
      setActionError(null);
      try {
        const r = await api.setStatus(openId, status);
        conv.setConversation(r.conversation);
        list.refresh();
      } catch (e) {
        setActionError(errorMessage(e));
      }
    },
    [openId, conv, list],
  );

  const onReplyQueued = useCallback(
    (r: ReplyRecord) => {
      conv.addReply(r);
      refreshList();
    },
    [conv, refreshList],
  );

  // j/k move the cursor in the list, Enter opens it, r focuses the reply box, e resolves, / searches.
  const move = (delta: 1 | -1) => {
    const ids = list.items.map((c) => c.id);
    if (!ids.length) return;
    const at = cursorId === null ? -1 : ids.indexOf(cursorId);
    const next = at === -1 ? (delta === 1 ? 0 : ids.length - 1) : Math.min(ids.length - 1, Math.max(0, at + delta));
    const id = ids[next]!;
    setCursorId(id);
    document.querySelector<HTMLElement>(`[data-conversation-id="${id}"]`)?.focus();
  };
  useShortcuts({
    j: () => move(1),
    k: () => move(-1),
    Enter: () => cursorId !== null && open(cursorId),
    r: () => document.getElementById('reply-text')?.focus(),
    e: () => {
      const s = conv.detail?.conversation.status;
      if (s && s !== 'resolved') void changeStatus('resolved');
    },
    '/': () => document.getElementById('queue-search')?.focus(),
  });

  return (
    <div className="workspace">
      <aside className="sidebar" aria-label="Conversation queue">
        <QueueTabs value={queue} counts={list.counts} onChange={setQueue} />
        <QueueFilters value={filters} onChange={setFilters} />
        <ConversationList
          queueId={queue}
          items={list.items}
          total={list.total}
          loading={list.loading}
          loadingMore={list.loadingMore}
          error={list.error}
          openId={openId}
          cursorId={cursorId}
          onOpen={open}
          onFocusItem={setCursorId}
          onLoadMore={list.loadMore}
          onRetry={list.refresh}
        />
        <p className="shortcuts-hint" aria-hidden="true">
          <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>Enter</kbd> open · <kbd>r</kbd> reply · <kbd>e</kbd> resolve · <kbd>/</kbd> search
        </p>
      </aside>
      <main className="main" aria-label="Conversation">
        {openId === null ? (
          <div className="empty-state">
            <p>Select a conversation from the queue.</p>
            <p className="muted">Highest priority first. Use j / k and Enter to move through it from the keyboard.</p>
          </div>
        ) : (
          <ConversationView
            key={openId}
            user={user}
            state={conv}
            brands={brands}
            actionError={actionError}
            onStatus={(s) => void changeStatus(s)}
            onOpenConversation={open}
            onReplyQueued={onReplyQueued}
          />
        )}
      </main>
    </div>
  );
}
