/**
 * The Mastodon account of `EARSHOT_MASTODON_*`: the account behind the token is the brand's (notifications are the
 * brand's by definition, so no filter is needed), the newest notification id is kept in the store for the gap fill.
 */
import { createMastodonConnector } from '../connectors/mastodon/connector.js';
import { keyValueCursorStore } from '../connectors/mastodon/stream.js';
import type { Connector, ConnectorHealth, Store } from '../core/index.js';
import { ensureBrand } from './brands.js';
import type { Config } from './config.js';
import type { IngestPipeline } from './pipeline.js';

export async function connectMastodon(deps: {
  config: NonNullable<Config['mastodon']>;
  store: Store;
  pipeline: IngestPipeline;
  onStatus: (h: ConnectorHealth) => void;
  log: (line: string) => void;
}): Promise<{ connector: Connector; handles: Set<string> }> {
  const { config: m, store, pipeline, onStatus, log } = deps;
  const host = new URL(m.instanceUrl).host.toLowerCase();
  const connector = createMastodonConnector({
    name: 'Mastodon',
    instanceUrl: m.instanceUrl,
    streamingUrl: m.streamingUrl ?? undefined,
    accessToken: m.accessToken,
    hashtags: m.hashtags,
    // The pipeline is flushed first, so a saved cursor never runs ahead of what is stored.
    cursorStore: keyValueCursorStore(store, `mastodon:notifications:${host}`, () => pipeline.flush()),
    onStatus,
    log,
  });
  // Mentions name the brand by its local acct ("acme"); replies are routed by it.
  const handles = new Set((await store.listBrandAccounts()).filter((a) => a.network === 'mastodon').map((a) => a.handle.toLowerCase()));
  await connector
    .account()
    .then(async (a) => {
      const brand = await ensureBrand(store, m.brand ?? a.acct);
      await store.upsertBrandAccount({ brandId: brand.id, network: 'mastodon', handle: a.acct.toLowerCase(), externalId: a.id });
      handles.add(a.acct.toLowerCase());
    })
    .catch((e: unknown) => log(`mastodon: could not read the account behind EARSHOT_MASTODON_ACCESS_TOKEN at ${m.instanceUrl}: ${e instanceof Error ? e.message : String(e)}`));
  return { connector, handles };
}
