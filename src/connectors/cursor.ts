/**
 * Where a connector keeps its place in a stream between runs (a Jetstream `time_us`, the newest Mastodon notification
 * id, the newest X post id): in practice a row of the store's key/value cursors, saved only after the pipeline has
 * flushed, so a saved cursor never runs ahead of what is stored.
 */
export interface CursorStore<T> {
  load(): Promise<T | null>;
  save(value: T): Promise<void>;
}

export function memoryCursorStore<T>(initial: T | null = null): CursorStore<T> & { value: T | null } {
  const s = {
    value: initial,
    load: async () => s.value,
    save: async (v: T) => {
      s.value = v;
    },
  };
  return s;
}

/** How a cursor is written in the store, and what a stored value must look like to be trusted. */
export interface CursorCodec<T> {
  parse(stored: string): T | null;
  format(value: T): string;
}

/** A positive safe integer (Jetstream's microsecond `time_us`). */
export const integerCursor: CursorCodec<number> = {
  parse: (s) => {
    const n = Number(s);
    return Number.isSafeInteger(n) && n > 0 ? n : null;
  },
  format: (n) => String(n),
};

/** A numeric id kept as a string, since snowflake ids do not fit a double (X post ids, Mastodon notification ids). */
export const numericIdCursor: CursorCodec<string> = {
  parse: (s) => (/^\d{1,40}$/.test(s) ? s : null),
  format: (s) => s,
};

export interface KeyValueCursors {
  getCursor(key: string): Promise<string | null>;
  setCursor(key: string, value: string): Promise<void>;
}

/** A CursorStore on the Store's key/value cursors. `beforeSave` runs before each save: pass the pipeline's flush(). */
export function keyValueCursorStore<T>(kv: KeyValueCursors, key: string, codec: CursorCodec<T>, beforeSave?: () => Promise<void>): CursorStore<T> {
  return {
    async load() {
      const v = await kv.getCursor(key);
      return v === null ? null : codec.parse(v);
    },
    async save(value) {
      await beforeSave?.();
      await kv.setCursor(key, codec.format(value));
    },
  };
}
