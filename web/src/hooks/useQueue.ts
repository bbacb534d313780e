/**
 * The conversation list of one queue tab with filters, its paging, and the counts of every tab.
 * refresh() re-reads everything already loaded (all pages) so live updates keep the person's place.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, errorMessage, type ConversationQuery } from '../api.ts';
import type { ConversationSummary } from '../types.ts';
import { QUEUES, queueDef, type Filters, type QueueId } from './queues.ts';

export const PAGE_SIZE = 50;

export interface QueueState {
  items: ConversationSummary[];
  total: number;
  counts: Partial<Record<QueueId, number>>;
  loading: boolean;
  loadingMore: boolean;
  error: string | null;
  refresh(): void;
  loadMore(): void;
}

function baseQuery(queue: QueueId, f: Filters): Omit<ConversationQuery, 'limit' | 'offset'> {
  return {
    status: queueDef(queue).status,
    intent: f.intent ? [f.intent] : undefined,
    sentiment: f.sentiment ? [f.sentiment] : undefined,
    network: f.network ? [f.network] : undefined,
    q: f.q,
  };
}

export function useQueue(queue: QueueId, filters: Filters): QueueState {
  const [items, setItems] = useState<ConversationSummary[]>([]);
  const [total, setTotal] = useState(0);
  const [counts, setCounts] = useState<Partial<Record<QueueId, number>>>({});
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Every fetch takes a ticket; answers to superseded fetches are dropped.
  const ticket = useRef(0);
  const loaded = useRef(PAGE_SIZE);

  const fetchList = useCallback(
    async (limit: number, showSpinner: boolean) => {
      const my = ++ticket.current;
      if (showSpinner) setLoading(true);
      try {
        const res = await api.conversations({ ...baseQuery(queue, filters), limit, offset: 0 });
        if (my !== ticket.current) return;
        setItems(res.items);
        setTotal(res.total);
        setError(null);
      } catch (e) {
        if (my === ticket.current) setError(errorMessage(e));
      } finally {
        if (my === ticket.current) setLoading(false);
      }
    },
    [queue, filters],
  );

  const countTicket = useRef(0);
  const fetchCounts = useCallback(async () => {
    const my = ++countTicket.current;
    const results = await Promise.allSettled(
      QUEUES.map((q) => api.conversations({ ...baseQuery(q.id, filters), limit: 1, offset: 0 })),
    );
    if (my !== countTicket.current) return;
    const next: Partial<Record<QueueId, number>> = {};
    results.forEach((r, i) => {
      const id = QUEUES[i]!.id;
      if (r.status === 'fulfilled') next[id] = r.value.total;
    });
    setCounts((prev) => ({ ...prev, ...next }));
  }, [filters]);

  // A new tab or new filters: start again from the first page.
  useEffect(() => {
    loaded.current = PAGE_SIZE;
    setItems([]);
    void fetchList(PAGE_SIZE, true);
  }, [fetchList]);

  useEffect(() => {
    void fetchCounts();
  }, [fetchCounts]);

  const refresh = useCallback(() => {
    void fetchList(loaded.current, false);
    void fetchCounts();
  }, [fetchList, fetchCounts]);

  const loadMore = useCallback(async () => {
    const my = ++ticket.current;
    setLoadingMore(true);
    try {
      const res = await api.conversations({ ...baseQuery(queue, filters), limit: PAGE_SIZE, offset: items.length });
      if (my !== ticket.current) return;
      loaded.current = items.length + PAGE_SIZE;
      // New activity may have shifted rows between pages: keep each conversation once.
      setItems((prev) => {
        const seen = new Set(prev.map((c) => c.id));
        return [...prev, ...res.items.filter((c) => !seen.has(c.id))];
      });
      setTotal(res.total);
    } catch (e) {
      if (my === ticket.current) setError(errorMessage(e));
    } finally {
      setLoadingMore(false);
    }
  }, [queue, filters, items.length]);

  return { items, total, counts, loading, loadingMore, error, refresh, loadMore: () => void loadMore() };
}
