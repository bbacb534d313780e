/** One conversation's detail, with replies sent from this desk shown at once (before the server's next read). */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, errorMessage } from '../api.ts';
import type { ConversationDetail, ConversationSummary, ReplyRecord } from '../types.ts';

export interface ConversationState {
  detail: ConversationDetail | null;
  loading: boolean;
  error: string | null;
  notFound: boolean;
  refresh(): void;
  /** A reply the server just accepted (202): shown as queued until the next read. */
  addReply(r: ReplyRecord): void;
  /** A reply's status learned from an event before the next read. */
  patchReply(id: number, patch: Partial<ReplyRecord>): void;
  setConversation(c: ConversationSummary): void;
}

export function useConversation(id: number | null): ConversationState {
  const [detail, setDetail] = useState<ConversationDetail | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notFound, setNotFound] = useState(false);
  const ticket = useRef(0);

  const load = useCallback(
    async (showSpinner: boolean) => {
      const my = ++ticket.current;
      if (id === null) {
        setDetail(null);
        setError(null);
        setNotFound(false);
        setLoading(false);
        return;
      }
      if (showSpinner) setLoading(true);
      try {
        const d = await api.conversation(id);
        if (my !== ticket.current) return;
        setDetail((prev) => mergeOptimistic(prev, d));
        setError(null);
        setNotFound(false);
      } catch (e) {
        if (my !== ticket.current) return;
        if (e instanceof ApiError && e.status === 404) {
          setNotFound(true);
          setDetail(null);
        }
        setError(errorMessage(e));
      } finally {
        if (my === ticket.current) setLoading(false);
      }
    },
    [id],
  );

  useEffect(() => {
    setDetail(null);
    void load(true);
  }, [load]);

  const refresh = useCallback(() => void load(false), [load]);

  const addReply = useCallback((r: ReplyRecord) => {
    setDetail((d) => {
      if (!d || d.conversation.id !== r.conversationId) return d;
      if (d.replies.some((x) => x.id === r.id)) return d;
      return { ...d, replies: [...d.replies, r] };
    });
  }, []);

  const patchReply = useCallback((rid: number, patch: Partial<ReplyRecord>) => {
    setDetail((d) => (d ? { ...d, replies: d.replies.map((r) => (r.id === rid ? { ...r, ...patch } : r)) } : d));
  }, []);

  const setConversation = useCallback((c: ConversationSummary) => {
    setDetail((d) => (d && d.conversation.id === c.id ? { ...d, conversation: { ...d.conversation, ...c } } : d));
  }, []);

  return { detail, loading, error, notFound, refresh, addReply, patchReply, setConversation };
}

/**
 * A read that raced a just-sent reply may not list it yet: keep replies we already show that the server's answer
 * lacks, for the same conversation, so a reply never blinks out of the thread.
 */
function mergeOptimistic(prev: ConversationDetail | null, next: ConversationDetail): ConversationDetail {
  if (!prev || prev.conversation.id !== next.conversation.id) return next;
  const ids = new Set(next.replies.map((r) => r.id));
  const missing = prev.replies.filter((r) => !ids.has(r.id) && r.status !== 'sent');
  return missing.length ? { ...next, replies: [...next.replies, ...missing] } : next;
}
