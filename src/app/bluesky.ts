/**
 * The Bluesky account of `EARSHOT_BLUESKY_*`: its brand and account rows, the cursor kept in the store, and the filter
 * that keeps only the brand's posts out of the whole Jetstream firehose. Jetstream carries DIDs, not handles, so the
 * account's DID (learnt at sign-in, kept in the store) is what mentions and replies are matched on.
 */
import { createBlueskyConnector } from '../connectors/bluesky/connector.js';
import { brandEventFilter } from '../connectors/bluesky/filter.js';
import { keyValueCursorStore } from '../connectors/bluesky/jetstream.js';
import { buildBrandIndex, type Connector, type ConnectorHealth, type Store } from '../core/index.js';
import type { Config } from './config.js';
import type { IngestPipeline } from './pipeline.js';

export async function connectBluesky(deps: {
  config: NonNullable<Config['bluesky']>;
  store: Store;
  pipeline: IngestPipeline;
  onStatus: (h: ConnectorHealth) => void;
  log: (line: string) => void;
}): Promise<{ connector: Connector; handles: Set<string> }> {
  const { config: bs, store, pipeline, onStatus, log } = deps;
  const brand = await store.upsertBrand({ name: bs.brand, keywords: [] });
  // upsertBrandAccount overwrites external_id: keep a DID learnt on an earlier run.
  const known = (await store.listBrandAccounts()).find((a) => a.network === 'bluesky' && a.handle.toLowerCase() === bs.handle);
  await store.upsertBrandAccount({ brandId: brand.id, network: 'bluesky', handle: bs.handle, externalId: known?.externalId ?? null });
  let brandIndex = buildBrandIndex(await store.listBrands(), await store.listBrandAccounts());
  const connector = createBlueskyConnector({
    name: 'Bluesky',
    jetstreamUrl: bs.jetstreamUrl,
    pdsUrl: bs.pdsUrl,
    identifier: bs.handle,
    appPassword: bs.appPassword,
    // The pipeline is flushed first, so a saved cursor never runs ahead of what is stored.
    cursorStore: keyValueCursorStore(store, `bluesky:jetstream:${bs.handle}`, () => pipeline.flush()),
    filter: brandEventFilter(() => brandIndex),
    onStatus,
    log,
  });
  if (!known?.externalId) {
    void connector
      .account()
      .then(async (a) => {
        await store.upsertBrandAccount({ brandId: brand.id, network: 'bluesky', handle: bs.handle, externalId: a.did });
        brandIndex = buildBrandIndex(await store.listBrands(), await store.listBrandAccounts());
      })
      .catch((e: unknown) => log(`bluesky: could not sign in as ${bs.handle}: ${e instanceof Error ? e.message : String(e)}`));
  }
  return { connector, handles: new Set([bs.handle]) };
}
