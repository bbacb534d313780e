/**
 * The Bluesky connector: Jetstream in (every `app.bsky.feed.post` commit, raw, to the pipeline, which filters for
 * the brand), `com.atproto.repo.createRecord` out, and a health report the desk can show. The same code talks to
 * the public Jetstream/PDS and to the fake server in tests; only URLs and credentials differ.
 */
import type { Connector, ConnectorHealth, ConnectorState, OutboundRequest, RawPayload, SentPost } from '../../core/index.js';
import { HealthTracker, type HealthPatch } from '../health.js';
import { systemClock, type Clock } from '../x/backoff.js';
import { JetstreamClient, type CursorStore, type JetstreamEvent } from './jetstream.js';
import { BlueskyApiError, BlueskyPublisher, type FetchLike } from './publish.js';

export const BLUESKY_JETSTREAM_URL = 'wss://jetstream2.us-east.bsky.network';
export { BLUESKY_PDS_URL } from './publish.js';

export interface BlueskyConnectorOptions {
  name: string;
  /** Jetstream instance, e.g. wss://jetstream2.us-east.bsky.network. */
  jetstreamUrl: string;
  /** The brand account's PDS, e.g. https://bsky.social. */
  pdsUrl: string;
  /** Handle (or DID / email) of the brand account that answers. */
  identifier: string;
  appPassword: string;
  /** Where the last processed `time_us` is kept between runs; in memory when absent. */
  cursorStore?: CursorStore;
  /** Rewind on (re)connect, default 5 s. */
  rewindMs?: number;
  /** No message for this long = dead connection, default 30 s. */
  stallTimeoutMs?: number;
  /** Save the cursor at most this often, default 5 s (and on every disconnect and on stop). */
  cursorSaveIntervalMs?: number;
  requestTimeoutMs?: number;
  /**
   * Which Jetstream events reach the pipeline (see `brandEventFilter`); all of them when absent. Messages that are
   * not JSON always do.
   */
  filter?: (event: unknown) => boolean;
  clock?: Clock;
  fetch?: FetchLike;
  /** Fires on every change of state, detail or attempt; the app turns it into a `connector.status` event. */
  onStatus?: (h: ConnectorHealth) => void;
  /** Cursor load/save failures (listening goes on). */
  log?: (msg: string) => void;
}

export interface BlueskyConnector extends Connector {
  /** Last processed Jetstream `time_us` (diagnostics). */
  cursor(): number | null;
  /**
   * Signs in (once; the session is cached) and returns the account's handle and DID. The brand account must be
   * stored with the DID as external id: Jetstream carries DIDs only, so mentions and replies match on it.
   */
  account(): Promise<{ handle: string; did: string }>;
}

export function createBlueskyConnector(opts: BlueskyConnectorOptions): BlueskyConnector {
  const clock = opts.clock ?? systemClock;
  const publisher = new BlueskyPublisher({
    pdsUrl: opts.pdsUrl,
    identifier: opts.identifier,
    appPassword: opts.appPassword,
    fetch: opts.fetch,
    clock,
    requestTimeoutMs: opts.requestTimeoutMs,
  });
  const tracker = new HealthTracker(opts.name, 'bluesky', clock, opts.onStatus);
  let client: JetstreamClient | null = null;
  let running: Promise<void> | null = null;
  let lastCursor: number | null = null;

  const set = (state: ConnectorState, patch?: HealthPatch) => tracker.set(state, patch);

  const onEvent = (e: JetstreamEvent) => {
    switch (e.type) {
      case 'connecting':
        if (tracker.state === 'stopped') set('starting', { detail: null, attempt: 0, nextRetryAt: null });
        break;
      case 'connected':
      case 'receiving':
        set('connected', { detail: null, attempt: 0, nextRetryAt: null });
        break;
      case 'retrying': {
        const state: ConnectorState = e.status === 401 || e.status === 403 ? 'auth_failed' : e.kind === 'rate_limit' ? 'rate_limited' : 'reconnecting';
        const detail =
          state === 'auth_failed'
            ? `Jetstream at ${opts.jetstreamUrl} refused the connection (${e.detail}). Jetstream needs no credentials: check EARSHOT_BLUESKY_JETSTREAM_URL; retrying in ${Math.round(e.delayMs / 1000)} s.`
            : `${e.detail}; retry ${e.attempt} in ${e.delayMs} ms`;
        set(state, { detail, attempt: e.attempt, nextRetryAt: e.nextRetryAt });
        break;
      }
      case 'cursor_error':
        opts.log?.(`${opts.name}: ${e.detail}`);
        break;
      case 'stopped':
        set('stopped', { detail: null, nextRetryAt: null, attempt: 0 });
        break;
    }
  };

  return {
    name: opts.name,
    network: 'bluesky',

    async start(sink: (raw: RawPayload) => Promise<void>): Promise<void> {
      if (client) return;
      client = new JetstreamClient({
        name: opts.name,
        baseUrl: opts.jetstreamUrl,
        cursorStore: opts.cursorStore,
        rewindMs: opts.rewindMs,
        stallTimeoutMs: opts.stallTimeoutMs,
        cursorSaveIntervalMs: opts.cursorSaveIntervalMs,
        filter: opts.filter,
        clock,
        onEvent,
      });
      const counted = async (raw: RawPayload) => {
        tracker.countReceived();
        await sink(raw);
      };
      // start() returns once the loop runs; the loop itself lives until stop().
      running = client.run(counted);
    },

    async stop(): Promise<void> {
      const c = client;
      client = null;
      if (c) {
        await c.stop();
        lastCursor = c.cursor;
      }
      await running;
      running = null;
      if (tracker.state !== 'stopped') set('stopped', { detail: null, nextRetryAt: null, attempt: 0 });
    },

    health: () => tracker.snapshot(),

    cursor: () => client?.cursor ?? lastCursor,

    async account() {
      const s = await publisher.currentSession();
      return { handle: s.handle, did: s.did };
    },

    async publish(req: OutboundRequest): Promise<SentPost> {
      if (req.network !== 'bluesky') throw new BlueskyApiError(`connector ${opts.name} only publishes to bluesky, not ${req.network}`, null, false);
      if (req.isPrivate) throw new BlueskyApiError('direct messages on Bluesky are not supported yet', null, false);
      const speaks = (await publisher.speaksFor(req.account.handle)) || (req.account.externalId !== null && (await publisher.speaksFor(req.account.externalId)));
      if (!speaks) throw new BlueskyApiError(`connector ${opts.name} signs in as ${opts.identifier}, not @${req.account.handle}`, null, false);
      const sent = await publisher.publish({ text: req.text, inReplyToExternalId: req.inReplyToExternalId, idempotencyKey: req.idempotencyKey });
      tracker.countSent();
      return sent;
    },
  };
}
