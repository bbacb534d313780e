/**
 * The Mastodon connector: the streaming API in (the brand account's notifications and configured hashtags, raw, to
 * the pipeline; the gap after every reconnect filled from REST), `POST /api/v1/statuses` out, and a health report
 * the desk can show. The same code talks to a real instance and to the fake server in tests; only URLs and the
 * token differ.
 */
import type { Connector, ConnectorHealth, ConnectorState, NormalizedPost, OutboundRequest, RawPayload, SentPost } from '../../core/index.js';
import { HealthTracker, type HealthPatch } from '../health.js';
import { systemClock, type Clock } from '../x/backoff.js';
import { statusToPost } from './normalize.js';
import { MastodonApiError, MastodonRest, TOKEN_VARIABLE, type FetchLike } from './rest.js';
import { MastodonStreamClient, type CursorStore, type StreamEvent } from './stream.js';

export interface MastodonConnectorOptions {
  name: string;
  /** The instance of the brand account, e.g. https://mastodon.social. */
  instanceUrl: string;
  /** The streaming server, when not the instance itself (see `urls.streaming` of `/api/v2/instance`). */
  streamingUrl?: string;
  /** Token with scopes read:notifications read:statuses write:statuses. */
  accessToken: string;
  /** Hashtags (without #) to listen to besides the account's notifications. */
  hashtags?: readonly string[];
  /** Where the newest notification id seen is kept between runs; in memory when absent. */
  cursorStore?: CursorStore;
  /** Nothing (message or ping) for this long = dead connection, default 60 s. */
  heartbeatTimeoutMs?: number;
  requestTimeoutMs?: number;
  clock?: Clock;
  fetch?: FetchLike;
  onStatus?: (h: ConnectorHealth) => void;
  /** Cursor load/save failures (listening goes on). */
  log?: (msg: string) => void;
}

export interface MastodonConnector extends Connector {
  /** Newest notification id handed to the sink (diagnostics). */
  cursor(): string | null;
  /** The account behind the token: store it as the brand account (handle = acct, external id = id). */
  account(): Promise<{ acct: string; id: string }>;
}

/** The reply text with the customer's `@acct` at the start, unless the text already mentions them. */
export function withMention(text: string, acct: string | null): string {
  if (!acct) return text;
  const escaped = acct.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (new RegExp(`(^|[^\\w@])@${escaped}(?![\\w@.-])`, 'i').test(text)) return text;
  const local = acct.split('@')[0] ?? acct;
  // A local account may be written with the instance part by the agent: @alice@instance counts as @alice.
  if (!acct.includes('@') && new RegExp(`(^|[^\\w@])@${local.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}@`, 'i').test(text)) return text;
  return `@${acct} ${text}`;
}

export function createMastodonConnector(opts: MastodonConnectorOptions): MastodonConnector {
  const clock = opts.clock ?? systemClock;
  const rest = new MastodonRest({ instanceUrl: opts.instanceUrl, accessToken: opts.accessToken, fetch: opts.fetch, clock, requestTimeoutMs: opts.requestTimeoutMs });
  const tracker = new HealthTracker(opts.name, 'mastodon', clock, opts.onStatus);
  let client: MastodonStreamClient | null = null;
  let running: Promise<void> | null = null;
  let lastCursor: string | null = null;
  let me: Promise<{ acct: string; id: string }> | null = null;
  const host = (() => {
    try {
      return new URL(opts.instanceUrl).host.toLowerCase();
    } catch {
      return '';
    }
  })();

  /** The account behind the token, asked once (a failure is not cached). */
  const account = () => {
    me ??= rest.verifyCredentials().then(
      (a) => ({ acct: a.acct, id: a.id }),
      (e: unknown) => {
        me = null;
        throw e;
      },
    );
    return me;
  };

  /** Does the token speak for this brand account (`acct`, `acct@instance` or the account id)? */
  const speaksFor = async (a: OutboundRequest['account']): Promise<boolean> => {
    const mine = await account();
    const want = a.handle.replace(/^@/, '').toLowerCase();
    const acct = mine.acct.toLowerCase();
    return want === acct || want === `${acct}@${host}` || a.externalId === mine.id;
  };

  const set = (state: ConnectorState, patch?: HealthPatch) => tracker.set(state, patch);

  const onEvent = (e: StreamEvent) => {
    switch (e.type) {
      case 'connecting':
        if (tracker.state === 'stopped') set('starting', { detail: null, attempt: 0, nextRetryAt: null });
        break;
      case 'connected':
        break;
      case 'gap_filled':
        set('connected', { detail: null, attempt: 0, nextRetryAt: null });
        break;
      case 'retrying': {
        const state: ConnectorState = e.status === 401 || e.status === 403 ? 'auth_failed' : e.kind === 'rate_limit' ? 'rate_limited' : 'reconnecting';
        const retry = `retrying in ${Math.round(e.delayMs / 1000)} s`;
        const detail =
          e.status === 401
            ? `${opts.instanceUrl} refused the access token (${e.detail}). Create a new token (Preferences → Development → New application, scopes read:notifications read:statuses write:statuses) and set ${TOKEN_VARIABLE}; ${retry}.`
            : e.status === 403
              ? `${opts.instanceUrl} refused access (${e.detail}). The token in ${TOKEN_VARIABLE} needs the scopes read:notifications read:statuses write:statuses; ${retry}.`
              : state === 'rate_limited'
                ? `rate limited until ${new Date(e.nextRetryAt).toISOString()} (${e.detail})`
                : `${e.detail}; retry ${e.attempt} in ${e.delayMs} ms`;
        set(state, { detail, attempt: e.attempt, nextRetryAt: e.nextRetryAt });
        break;
      }
      case 'cursor_error':
        opts.log?.(`${opts.name}: ${e.detail}`);
        break;
      case 'sse_fallback':
        opts.log?.(`${opts.name}: the WebSocket upgrade was refused (${e.detail}); streaming over Server-Sent Events instead`);
        break;
      case 'stopped':
        set('stopped', { detail: null, nextRetryAt: null, attempt: 0 });
        break;
    }
  };

  return {
    name: opts.name,
    network: 'mastodon',

    async start(sink: (raw: RawPayload) => Promise<void>): Promise<void> {
      if (client) return;
      client = new MastodonStreamClient({
        name: opts.name,
        streamingUrl: opts.streamingUrl ?? opts.instanceUrl,
        accessToken: opts.accessToken,
        hashtags: opts.hashtags,
        rest,
        cursorStore: opts.cursorStore,
        heartbeatTimeoutMs: opts.heartbeatTimeoutMs,
        clock,
        fetch: opts.fetch,
        onEvent,
      });
      const counted = async (raw: RawPayload) => {
        tracker.countReceived();
        await sink(raw);
      };
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

    account,

    async publish(req: OutboundRequest): Promise<SentPost> {
      if (req.network !== 'mastodon') throw new MastodonApiError(`connector ${opts.name} only publishes to mastodon, not ${req.network}`, null, false);
      if (!(await speaksFor(req.account))) {
        const mine = await account();
        throw new MastodonApiError(`connector ${opts.name} posts as @${mine.acct}, not @${req.account.handle.replace(/^@/, '')}`, null, false);
      }
      let acct: string | null = null;
      if (req.inReplyToExternalId !== null) {
        const parent = await rest.getStatus(req.inReplyToExternalId);
        if (parent === null) throw new MastodonApiError(`the status being answered no longer exists or is not visible: ${req.inReplyToExternalId}`, 404, false);
        const account = parent.account as { acct?: unknown } | undefined;
        acct = typeof account?.acct === 'string' ? account.acct : null;
      }
      if (req.isPrivate && acct === null) throw new MastodonApiError('a direct message needs the status it answers (to know whom to address)', null, false);
      const status = await rest.postStatus(
        {
          status: withMention(req.text, acct),
          ...(req.inReplyToExternalId !== null ? { in_reply_to_id: req.inReplyToExternalId } : {}),
          visibility: req.isPrivate ? 'direct' : 'public',
        },
        req.idempotencyKey,
      );
      let post: NormalizedPost;
      try {
        post = { ...statusToPost(status), direction: 'outbound' };
      } catch (e) {
        // Posted, but the answer is not a status we can read: do not let the outbox post it again.
        throw new MastodonApiError(`the status was posted but its answer could not be read: ${e instanceof Error ? e.message : String(e)}`, 200, false);
      }
      tracker.countSent();
      return { externalId: post.externalId, url: post.url, post };
    },
  };
}
