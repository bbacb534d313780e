/**
 * One EventSource per signed-in desk, shared through context. Components subscribe with useDeskEvents(handler).
 * After the stream drops and comes back, subscribers get a synthetic `resync` signal: events may have been missed
 * while it was down, so everything visible should be fetched again.
 */
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { EarshotEvent, EventType } from '../types.ts';

export type DeskSignal = EarshotEvent | { type: 'resync' };
type Handler = (s: DeskSignal) => void;

const EVENT_TYPES: readonly EventType[] = [
  'conversation.created',
  'conversation.updated',
  'post.stored',
  'reply.queued',
  'reply.sent',
  'reply.failed',
  'connector.status',
  'ingest.quarantined',
];

interface EventsApi {
  subscribe(fn: Handler): () => void;
  /** True while the stream is open. */
  live: boolean;
}

const EventsContext = createContext<EventsApi | null>(null);

/** Retry delay when the browser gave up on the stream (e.g. the server answered 401 or 5xx instead of a stream). */
const RECONNECT_MS = 5000;

export function EventsProvider({ children, url = '/api/events' }: { children: ReactNode; url?: string }) {
  const listeners = useRef(new Set<Handler>());
  const [live, setLive] = useState(false);
  const [api] = useState<Omit<EventsApi, 'live'>>(() => ({
    subscribe(fn: Handler) {
      listeners.current.add(fn);
      return () => {
        listeners.current.delete(fn);
      };
    },
  }));

  useEffect(() => {
    let es: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let hadError = false;
    let stopped = false;
    const emit = (s: DeskSignal) => listeners.current.forEach((fn) => fn(s));

    const onMessage = (msg: MessageEvent) => {
      if (typeof msg.data !== 'string') return;
      try {
        const parsed = JSON.parse(msg.data) as unknown;
        if (parsed && typeof parsed === 'object' && typeof (parsed as { type?: unknown }).type === 'string') {
          emit(parsed as EarshotEvent);
        }
      } catch {
        // Keep-alive comments never reach here; a malformed message is ignored.
      }
    };

    const connect = () => {
      if (stopped) return;
      es = new EventSource(url, { withCredentials: true });
      for (const t of EVENT_TYPES) es.addEventListener(t, onMessage);
      // The server drops events for a desk that cannot keep up and then says `resync`: refetch what is visible.
      es.addEventListener('resync', () => emit({ type: 'resync' }));
      es.onmessage = onMessage;
      es.onopen = () => {
        setLive(true);
        if (hadError) emit({ type: 'resync' });
        hadError = false;
      };
      es.onerror = () => {
        setLive(false);
        hadError = true;
        // CONNECTING: the browser retries by itself. CLOSED: it gave up, so we retry.
        if (es && es.readyState === EventSource.CLOSED) {
          es.close();
          clearTimeout(retry);
          retry = setTimeout(connect, RECONNECT_MS);
        }
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      es?.close();
    };
  }, [url]);

  return <EventsContext.Provider value={{ ...api, live }}>{children}</EventsContext.Provider>;
}

/** Whether the live stream is up (for the top bar). */
export function useEventsLive(): boolean {
  return useContext(EventsContext)?.live ?? false;
}

/** Calls the latest `handler` for every event and resync signal while mounted. */
export function useDeskEvents(handler: Handler): void {
  const ctx = useContext(EventsContext);
  const ref = useRef(handler);
  useEffect(() => {
    ref.current = handler;
  });
  useEffect(() => {
    if (!ctx) return;
    return ctx.subscribe((s) => ref.current(s));
  }, [ctx]);
}
