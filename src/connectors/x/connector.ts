/**
 * The X connector: the filtered stream in, POST /2/tweets out, and a health report the desk can show.
 * The same code talks to api.x.com and to the built-in sandbox; only baseUrl and tokens differ.
 */
import type { Connector, ConnectorHealth, ConnectorState, OutboundRequest, RawPayload, SentPost } from '../../core/index.js';
import { HealthTracker, type HealthPatch } from '../health.js';
import { systemClock, type Clock } from './backoff.js';
import { backfill, dataIds, gapText, listeningQuery, maxId, type BackfillEvent, type XCursorStore } from './backfill.js';
import { XApiError, XPublisher, type XAccount } from './publish.js';
import { XStreamClient, type FetchLike, type StreamEvent } from './stream.js';

export const X_API_BASE_URL = 'https://api.x.com';

export interface XConnectorOptions {
  name: string;
  baseUrl: string;
  /** App-only bearer token (filtered stream, search). */
  bearerToken: string;
  /** Brand accounts that may answer, each with its OAuth 2.0 user token. */
  accounts: XAccount[];
  stallTimeoutMs?: number;
  clock?: Clock;
  fetch?: FetchLike;
  /** Fires on every change of state, detail or attempt; the app turns it into a `connector.status` event. */
  onStatus?: (h: ConnectorHealth) => void;
  /**
   * Newest post id handed to the sink, kept between runs. With it, every reconnect (and a start with a stored
   * cursor) backfills the gap from recent search. Without one, the cursor lives in memory only.
   */
  cursorStore?: XCursorStore;
  /** Extra listening query OR-ed with the mentions of `accounts` for the backfill search (e.g. brand keywords). */
  extraQuery?: string;
  /** Save the cursor at most this often (and on stop). */
  cursorSaveMs?: number;
}

export const DEFAULT_CURSOR_SAVE_MS = 5_000;

export function createXConnector(opts: XConnectorOptions): Connector {
  const clock = opts.clock ?? systemClock;
  const publisher = new XPublisher({ baseUrl: opts.baseUrl, fetch: opts.fetch, clock });
  const tracker = new HealthTracker(opts.name, 'x', clock, opts.onStatus);
  let client: XStreamClient | null = null;
  let running: Promise<void> | null = null;
  let stopping = false;

  const set = (state: ConnectorState, patch?: HealthPatch) => tracker.set(state, patch);

  // --- cursor and gap backfill -------------------------------------------------------------------------------
  const query = listeningQuery(
    opts.accounts.map((a) => a.handle),
    opts.extraQuery,
  );
  const saveEveryMs = opts.cursorSaveMs ?? DEFAULT_CURSOR_SAVE_MS;
  let cursor: string | null = null;
  let savedCursor: string | null = null;
  let saveTimer: unknown = null;
  let saving: Promise<void> = Promise.resolve();
  /** Detail shown while connected (backfill progress or a warning); null when all is well. */
  let connectedDetail: string | null = null;
  let backfilling: Promise<void> | null = null;
  /** Lowest cursor of reconnects that happened while a backfill was already running. */
  let pendingSince: string | null = null;
  let cancelWait: (() => void) | null = null;
  let backfillAbort = new AbortController();
  let sink: ((raw: RawPayload) => Promise<void>) | null = null;

  const saveCursor = (): Promise<void> => {
    const store = opts.cursorStore;
    if (!store || cursor === null || cursor === savedCursor) return saving;
    const id = cursor;
    saving = saving
      .then(() => store.save(id))
      .then(
        () => {
          savedCursor = maxId(savedCursor, id);
        },
        () => undefined, // a failed save is retried with the next one
      );
    return saving;
  };
  const scheduleSave = () => {
    if (!opts.cursorStore || saveTimer !== null || stopping) return;
    saveTimer = clock.setTimeout(() => {
      saveTimer = null;
      void saveCursor();
    }, saveEveryMs);
  };

  const showDetail = (detail: string | null) => {
    connectedDetail = detail;
    if (tracker.state === 'connected') set('connected', { detail });
  };

  const onBackfill = (e: BackfillEvent) => {
    switch (e.type) {
      case 'progress':
        showDetail(`backfilling: filling ${e.gapMs === null ? 'the' : `a ${gapText(e.gapMs)}`} gap: ${e.posts} posts`);
        break;
      case 'rate_limited':
        showDetail(`backfilling: recent search rate-limited until ${new Date(e.until).toISOString()}; live stream unaffected`);
        break;
      case 'done':
        showDetail(
          e.truncated
            ? `the stream was down for ${gapText(e.gapMs ?? 0)}s; recent search covers only 7 days, so posts older than that were not recovered (${e.posts} posts filled)`
            : null,
        );
        break;
      case 'failed':
        showDetail(`backfill after reconnect failed (${e.detail}) after ${e.posts} posts; posts from the gap may be missing`);
        break;
    }
  };

  const startBackfill = (since: string) => {
    if (backfilling) {
      pendingSince = pendingSince === null || BigInt(since) < BigInt(pendingSince) ? since : pendingSince;
      return;
    }
    const out = sink;
    if (!out) return;
    const run = async (from: string) => {
      await backfill(
        {
          name: opts.name,
          baseUrl: opts.baseUrl,
          bearerToken: opts.bearerToken,
          query,
          clock,
          fetch: opts.fetch,
          onEvent: onBackfill,
          stopped: () => stopping,
          onWait: (c) => (cancelWait = c),
          signal: backfillAbort.signal,
        },
        from,
        out,
      ).catch((e: unknown) => onBackfill({ type: 'failed', detail: e instanceof Error ? e.message : String(e), posts: 0 }));
    };
    backfilling = (async () => {
      let from: string | null = since;
      while (from !== null && !stopping) {
        await run(from);
        from = pendingSince;
        pendingSince = null;
      }
      backfilling = null;
    })();
  };

  const onEvent = (e: StreamEvent) => {
    switch (e.type) {
      case 'connecting':
        // Keep showing `reconnecting`/`rate_limited`/`auth_failed` while a retry is in flight.
        if (tracker.state === 'stopped') set('starting', { detail: null, attempt: 0, nextRetryAt: null });
        break;
      case 'connected':
        set('connected', { detail: connectedDetail, attempt: 0, nextRetryAt: null });
        // Every successful (re)connect, and a start with a stored cursor: fill the gap since the newest post.
        if (cursor !== null) startBackfill(cursor);
        break;
      case 'receiving':
        set('connected', { detail: connectedDetail, attempt: 0, nextRetryAt: null });
        break;
      case 'retrying': {
        const state: ConnectorState = e.status === 401 || e.status === 403 ? 'auth_failed' : e.kind === 'rate_limit' ? 'rate_limited' : 'reconnecting';
        const detail =
          e.status === 401
            ? `X rejected the app bearer token (${e.detail}). Check EARSHOT_X_BEARER_TOKEN; retrying in ${Math.round(e.delayMs / 1000)} s.`
            : e.status === 403
              ? `X refused the stream (${e.detail}). The app's access level may not include the filtered stream.`
              : `${e.detail}; retry ${e.attempt} in ${e.delayMs} ms`;
        set(state, { detail, attempt: e.attempt, nextRetryAt: e.nextRetryAt });
        break;
      }
      case 'stream_error':
        break;
      case 'stopped':
        set('stopped', { detail: null, nextRetryAt: null, attempt: 0 });
        break;
    }
  };

  return {
    name: opts.name,
    network: 'x',

    async start(outer: (raw: RawPayload) => Promise<void>): Promise<void> {
      if (client) return;
      stopping = false;
      backfillAbort = new AbortController();
      if (opts.cursorStore) {
        try {
          cursor = maxId(cursor, await opts.cursorStore.load());
          savedCursor = cursor;
        } catch (e) {
          connectedDetail = `could not load the stream cursor (${e instanceof Error ? e.message : String(e)}); no backfill at start`;
        }
      }
      client = new XStreamClient({
        name: opts.name,
        baseUrl: opts.baseUrl,
        bearerToken: opts.bearerToken,
        stallTimeoutMs: opts.stallTimeoutMs,
        clock,
        fetch: opts.fetch,
        onEvent,
      });
      const counted = async (raw: RawPayload) => {
        const ids = typeof raw.data === 'string' ? dataIds(raw.data) : [];
        for (let i = 0; i < Math.max(1, ids.length); i++) tracker.countReceived();
        await outer(raw);
        // Only once the sink has taken the posts may the cursor move past them.
        let moved = false;
        for (const id of ids) {
          const m = maxId(cursor, id);
          if (m !== cursor) moved = true;
          cursor = m;
        }
        if (moved) scheduleSave();
      };
      sink = counted;
      // start() returns once the loop runs; the loop itself lives until stop().
      running = client.run(counted);
    },

    async stop(): Promise<void> {
      const c = client;
      client = null;
      stopping = true;
      cancelWait?.();
      backfillAbort.abort();
      if (c) await c.stop();
      await running;
      running = null;
      await backfilling;
      if (saveTimer !== null) clock.clearTimeout(saveTimer);
      saveTimer = null;
      await saveCursor();
      sink = null;
      if (tracker.state !== 'stopped') set('stopped', { detail: null, nextRetryAt: null, attempt: 0 });
    },

    health: () => tracker.snapshot(),

    async publish(req: OutboundRequest): Promise<SentPost> {
      if (req.network !== 'x') throw new XApiError(`connector ${opts.name} only publishes to x, not ${req.network}`, null, false);
      if (req.isPrivate) throw new XApiError('direct messages on X are not supported yet', null, false);
      const handle = req.account.handle.replace(/^@/, '').toLowerCase();
      const account = opts.accounts.find((a) => a.handle.replace(/^@/, '').toLowerCase() === handle);
      if (!account) throw new XApiError(`no X user token configured for @${req.account.handle}`, null, false);
      const sent = await publisher.publish(
        { ...account, externalId: account.externalId ?? req.account.externalId },
        { text: req.text, inReplyToExternalId: req.inReplyToExternalId },
      );
      tracker.countSent();
      return sent;
    },
  };
}
