/**
 * The ingest pipeline: raw payload → normalized posts → first triage → batched store write (dedupe, threading,
 * full-text index in one transaction) → events on the bus.
 *
 * Normalizing and classifying happen in push(), synchronously, because they are cheap and pure; store writes are
 * grouped into batches (group commit). A bounded buffer gives backpressure: when it is full, push() returns a
 * promise that resolves only once a write has made room, so a fast file or a crisis burst cannot grow memory.
 * A payload that cannot become a post is quarantined with its reason; nothing here can stop ingestion.
 */
import { normalizeRaw, type RejectedRecord } from '../connectors/formats.js';
import type { Bus, Classifier, EarshotEvent, QuarantineInput, RawPayload, Store, TriagedPost } from '../core/index.js';
import { MalformedPayloadError } from '../core/errors.js';

export interface PipelineOptions {
  store: Store;
  classifier: Classifier;
  bus?: Bus | null;
  /** Posts per store transaction. */
  batchSize?: number;
  /** Posts held in memory before push() makes its caller wait. */
  maxBuffered?: number;
  /** How long a partly filled batch may wait for company: the latency cost of batching at low rates. */
  flushDelayMs?: number;
  /** Store failures that are not about one post (disk full, database locked for too long). */
  onError?: (err: unknown) => void;
}

export interface PipelineStats {
  /** Payloads and rejected records seen. */
  read: number;
  /** Posts the payloads held. */
  posts: number;
  stored: number;
  duplicates: number;
  /** Payloads that carry no post (keep-alives, likes, deletes, lookups of users only). */
  ignored: number;
  quarantined: number;
  quarantinedByReason: Record<string, number>;
  conversationsCreated: number;
}

const SAMPLE_CHARS = 2000;
const READY = Promise.resolve();

/**
 * Groups reasons for the summary: "invalid JSON: Unexpected token…" counts as "invalid JSON", and ids are masked so
 * that "X tweet 1293… without author_id" is one reason however many tweets it hit.
 */
export function reasonKind(reason: string): string {
  const head = (reason.split(/:\s/)[0] ?? reason).replace(/\d{4,}/g, '<id>');
  return head.length > 80 ? `${head.slice(0, 77)}…` : head;
}

function sampleOf(data: RawPayload['data']): string {
  if (typeof data === 'string') return data.slice(0, SAMPLE_CHARS);
  try {
    return JSON.stringify(data).slice(0, SAMPLE_CHARS);
  } catch {
    return '[unserializable]';
  }
}

export class IngestPipeline {
  readonly stats: PipelineStats = {
    read: 0,
    posts: 0,
    stored: 0,
    duplicates: 0,
    ignored: 0,
    quarantined: 0,
    quarantinedByReason: {},
    conversationsCreated: 0,
  };
  private readonly store: Store;
  private readonly classifier: Classifier;
  private readonly bus: Bus | null;
  private readonly batchSize: number;
  private readonly maxBuffered: number;
  private readonly flushDelayMs: number;
  private readonly onError: (err: unknown) => void;

  private posts: TriagedPost[] = [];
  private rejects: QuarantineInput[] = [];
  private writing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private waiters: Array<() => void> = [];
  private closed = false;

  constructor(opts: PipelineOptions) {
    this.store = opts.store;
    this.classifier = opts.classifier;
    this.bus = opts.bus ?? null;
    this.batchSize = opts.batchSize ?? 1000;
    this.maxBuffered = Math.max(opts.maxBuffered ?? 10_000, this.batchSize);
    this.flushDelayMs = opts.flushDelayMs ?? 5;
    this.onError = opts.onError ?? (() => {});
  }

  /** Accept one raw payload. Resolves at once while there is room; otherwise once a write has made room. */
  push(raw: RawPayload): Promise<void> {
    if (this.closed) throw new Error('the ingest pipeline is closed');
    this.stats.read++;
    let posts;
    try {
      posts = normalizeRaw(raw).posts;
    } catch (e) {
      const reason = e instanceof MalformedPayloadError ? e.reason : `normalizer failed: ${e instanceof Error ? e.message : String(e)}`;
      this.addReject({ source: raw.source, line: raw.line, reason, sample: sampleOf(raw.data) });
      return this.afterAdd();
    }
    if (posts.length === 0) {
      this.stats.ignored++;
      return READY;
    }
    for (const post of posts) {
      this.posts.push({ post, triage: this.classifier.classify(post) });
    }
    this.stats.posts += posts.length;
    return this.afterAdd();
  }

  /** A record the file reader could not hand on (unreadable line, broken CSV record): quarantine it. */
  reject(r: RejectedRecord): Promise<void> {
    this.stats.read++;
    this.addReject({ source: r.source, line: r.line, reason: r.reason, sample: r.sample });
    return this.afterAdd();
  }

  /** Write everything buffered and wait until it is stored. */
  async flush(): Promise<void> {
    while (this.posts.length > 0 || this.rejects.length > 0 || this.writing !== null) {
      this.kick(true);
      await this.writing;
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  get buffered(): number {
    return this.posts.length + this.rejects.length;
  }

  private addReject(q: QuarantineInput): void {
    this.rejects.push(q);
    this.countReject(q.reason);
  }

  private countReject(reason: string): void {
    this.stats.quarantined++;
    const kind = reasonKind(reason);
    this.stats.quarantinedByReason[kind] = (this.stats.quarantinedByReason[kind] ?? 0) + 1;
  }

  private afterAdd(): Promise<void> {
    const n = this.buffered;
    if (n >= this.batchSize) this.kick(false);
    else if (this.writing === null) this.arm();
    if (n < this.maxBuffered) return READY;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** A partly filled batch is written after flushDelayMs, unless it fills up first. */
  private arm(): void {
    if (this.timer !== null || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.kick(true);
    }, this.flushDelayMs);
  }

  /** `force` writes a partial batch too (timer, flush); otherwise only full batches are written. */
  private kick(force: boolean): void {
    if (this.writing !== null) return;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.buffered === 0) return;
    this.writing = this.drain(force).finally(() => {
      this.writing = null;
      this.release();
      // What arrived during the write waits for company, or for the timer.
      if (this.buffered >= this.batchSize) this.kick(false);
      else if (this.buffered > 0) this.arm();
    });
  }

  private release(): void {
    if (this.buffered >= this.maxBuffered || this.waiters.length === 0) return;
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  private async drain(force: boolean): Promise<void> {
    // Without `force`, stop at a partial batch: a producer that awaits each push() refills only a few posts per
    // write, and writing those at once would turn one transaction of 1,000 posts into hundreds of tiny ones.
    let partialAllowed = force;
    while (this.posts.length >= this.batchSize || this.rejects.length >= this.batchSize || (partialAllowed && this.buffered > 0)) {
      partialAllowed = false;
      const batch = this.posts.splice(0, this.batchSize);
      const rejects = this.rejects.splice(0, this.rejects.length);
      this.release();
      await this.write(batch, rejects);
    }
  }

  private async write(batch: TriagedPost[], rejects: QuarantineInput[]): Promise<void> {
    const events: EarshotEvent[] = [];
    if (batch.length > 0) {
      try {
        this.count(await this.store.ingest(batch), events);
      } catch (err) {
        // One bad post must not cost the batch: retry one by one and quarantine only the posts the store refuses.
        if (batch.length === 1) rejects.push(this.storeReject(batch[0]!, err));
        else {
          for (const item of batch) {
            try {
              this.count(await this.store.ingest([item]), events);
            } catch (e) {
              rejects.push(this.storeReject(item, e));
            }
          }
        }
      }
    }
    if (rejects.length > 0) {
      try {
        await this.store.quarantine(rejects);
        const at = Date.now();
        for (const r of rejects) events.push({ type: 'ingest.quarantined', source: r.source, reason: r.reason, at });
      } catch (err) {
        this.onError(err);
      }
    }
    if (events.length > 0) this.bus?.publish(events);
  }

  private count(o: Awaited<ReturnType<Store['ingest']>>, events: EarshotEvent[]): void {
    this.stats.stored += o.stored;
    this.stats.duplicates += o.duplicates;
    this.stats.conversationsCreated += o.conversationsCreated;
    for (const e of o.events) events.push(e);
  }

  private storeReject(item: TriagedPost, err: unknown): QuarantineInput {
    const reason = `store refused the post: ${err instanceof Error ? err.message : String(err)}`;
    this.countReject(reason);
    this.onError(err);
    return { source: `${item.post.network}:${item.post.externalId}`, line: null, reason, sample: sampleOf(item.post as unknown as Record<string, unknown>) };
  }
}
