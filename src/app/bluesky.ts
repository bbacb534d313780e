/**
 * The Bluesky account of `EARSHOT_BLUESKY_*`: its brand and account rows, the cursor kept in the store, and the filter
 * that keeps only the brand's posts out of the whole Jetstream firehose. Jetstream carries DIDs, not handles, so the
 * account's DID (learnt at sign-in, kept in the store) is what mentions and replies are matched on. Customers' DIDs
 * are turned into handles in the background (HandleResolver + HandleSync): the connector returned here stops that
 * worker when it is stopped.
 */
import { createBlueskyConnector } from '../connectors/bluesky/connector.js';
import { brandEventFilter } from '../connectors/bluesky/filter.js';
import { HandleSync } from '../connectors/bluesky/handle-sync.js';
import { HandleResolver } from '../connectors/bluesky/handles.js';
import { keyValueCursorStore } from '../connectors/bluesky/jetstream.js';
import { buildBrandIndex, type Bus, type Connector, type ConnectorHealth, type Store } from '../core/index.js';
import { ensureBrand } from './brands.js';
import type { Config } from './config.js';
import type { IngestPipeline } from './pipeline.js';

export async function connectBluesky(deps: {
  config: NonNullable<Config['bluesky']>;
  store: Store;
  pipeline: IngestPipeline;
  onStatus: (h: ConnectorHealth) => void;
  log: (line: string) => void;
  /** Where `conversation.updated` goes once a customer's handle is known, so open desks refresh. */
  bus?: Bus;
  /** AppView for DID → handle lookups (default: EARSHOT_BLUESKY_APPVIEW_URL). */
  appViewUrl?: string;
  /** The connector's name in health and status events (default 'Bluesky'). */
  name?: string;
}): Promise<{ connector: Connector; handles: Set<string>; stop: () => Promise<void> }> {
  const { config: bs, store, pipeline, onStatus, log } = deps;
  const resolver = new HandleResolver({ appViewUrl: deps.appViewUrl ?? bs.appViewUrl, log });
  const handleSync = new HandleSync({
    resolver,
    store,
    beforeUpdate: () => pipeline.flush(),
    publish: deps.bus ? (events) => deps.bus?.publish(events) : undefined,
    log,
  });
  const brand = await ensureBrand(store, bs.brand);
  // upsertBrandAccount overwrites external_id: keep a DID learnt on an earlier run.
  const known = (await store.listBrandAccounts()).find((a) => a.network === 'bluesky' && a.handle.toLowerCase() === bs.handle);
  await store.upsertBrandAccount({ brandId: brand.id, network: 'bluesky', handle: bs.handle, externalId: known?.externalId ?? null });
  let brandIndex = buildBrandIndex(await store.listBrands(), await store.listBrandAccounts());
  const brandFilter = brandEventFilter(() => brandIndex);
  const connector = createBlueskyConnector({
    name: deps.name ?? 'Bluesky',
    jetstreamUrl: bs.jetstreamUrl,
    pdsUrl: bs.pdsUrl,
    identifier: bs.handle,
    appPassword: bs.appPassword,
    // The pipeline is flushed first, so a saved cursor never runs ahead of what is stored.
    cursorStore: keyValueCursorStore(store, `bluesky:jetstream:${bs.handle}`, () => pipeline.flush()),
    // Identity events (did + handle) teach the handle cache before the filter drops them.
    filter: (event) => {
      resolver.learnFromEvent(event);
      return brandFilter(event);
    },
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
  // Stops the handle worker: wired into the connector's stop(), which earshot.ts already calls on close.
  const stop = async () => {
    await resolver.stop();
    await handleSync.stop();
  };
  const withHandles: Connector = {
    ...connector,
    start: (sink) =>
      connector.start(async (raw) => {
        await sink(raw);
        handleSync.noteRaw(raw);
      }),
    stop: async () => {
      try {
        await connector.stop();
      } finally {
        await stop();
      }
    },
  };
  return { connector: withHandles, handles: new Set([bs.handle]), stop };
}
