/**
 * The X connector: the filtered stream in, POST /2/tweets out, and a health report the desk can show.
 * The same code talks to api.x.com and to the built-in sandbox; only baseUrl and tokens differ.
 */
import type { Connector, ConnectorHealth, ConnectorState, OutboundRequest, RawPayload, SentPost } from '../../core/index.js';
import { HealthTracker, type HealthPatch } from '../health.js';
import { systemClock, type Clock } from './backoff.js';
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
}

export function createXConnector(opts: XConnectorOptions): Connector {
  const clock = opts.clock ?? systemClock;
  const publisher = new XPublisher({ baseUrl: opts.baseUrl, fetch: opts.fetch, clock });
  const tracker = new HealthTracker(opts.name, 'x', clock, opts.onStatus);
  let client: XStreamClient | null = null;
  let running: Promise<void> | null = null;

  const set = (state: ConnectorState, patch?: HealthPatch) => tracker.set(state, patch);

  const onEvent = (e: StreamEvent) => {
    switch (e.type) {
      case 'connecting':
        // Keep showing `reconnecting`/`rate_limited`/`auth_failed` while a retry is in flight.
        if (tracker.state === 'stopped') set('starting', { detail: null, attempt: 0, nextRetryAt: null });
        break;
      case 'connected':
      case 'receiving':
        set('connected', { detail: null, attempt: 0, nextRetryAt: null });
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

    async start(sink: (raw: RawPayload) => Promise<void>): Promise<void> {
      if (client) return;
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
        tracker.countReceived();
        await sink(raw);
      };
      // start() returns once the loop runs; the loop itself lives until stop().
      running = client.run(counted);
    },

    async stop(): Promise<void> {
      const c = client;
      client = null;
      if (c) await c.stop();
      await running;
      running = null;
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
