/**
 * "Correct labels" in a post's "why?" panel: an agent fixes the intent, sentiment or needs-reply the model gave.
 * Only changed fields are sent; the server stores them for `earshot train --feedback` and answers the post as it is
 * now, which the thread shows at once.
 */
import { useId, useState, type FormEvent } from 'react';
import { api, errorMessage } from '../api.ts';
import type { Intent, PostRecord, Sentiment } from '../types.ts';
import { labelText } from '../lib/format.ts';

// The desk may import only types from src/, so the label lists are repeated here (checked against the types).
const INTENT_OPTIONS = ['complaint', 'question', 'request', 'idea', 'praise', 'sales_pitch', 'spam', 'news', 'chatter'] as const satisfies readonly Intent[];
const SENTIMENT_OPTIONS = ['negative', 'neutral', 'positive'] as const satisfies readonly Sentiment[];

const FIELD_NAMES: Record<string, string> = { intent: 'intent', sentiment: 'sentiment', needs_reply: 'needs a reply' };

/** Who corrected what, e.g. "intent corrected by you (the model said question)". */
export function CorrectionNote({ post, meId }: { post: PostRecord; meId: number | null }) {
  if (!post.corrections?.length) return null;
  return (
    <ul className="corrections" data-testid="post-corrections">
      {post.corrections.map((c) => {
        const by = c.userId !== null && c.userId === meId ? 'you' : (c.userName ?? 'an agent');
        const model = c.field === 'needs_reply' ? `${Math.round(Number(c.modelValue) * 100)}%` : labelText(c.modelValue);
        const value = c.field === 'needs_reply' ? (c.correctedValue === 'true' ? 'yes' : 'no') : labelText(c.correctedValue);
        return (
          <li key={c.field} data-field={c.field}>
            {FIELD_NAMES[c.field] ?? c.field}: {value}, corrected by {by} (the model said {model})
          </li>
        );
      })}
    </ul>
  );
}

export function CorrectLabels({ post, onSaved }: { post: PostRecord; onSaved: (p: PostRecord) => void }) {
  const id = useId();
  const [intent, setIntent] = useState<Intent>(post.intent);
  const [sentiment, setSentiment] = useState<Sentiment>(post.sentiment);
  const [needsReply, setNeedsReply] = useState(post.needsReply >= 0.5);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const changes: { intent?: Intent; sentiment?: Sentiment; needsReply?: boolean } = {};
  if (intent !== post.intent) changes.intent = intent;
  if (sentiment !== post.sentiment) changes.sentiment = sentiment;
  if (needsReply !== post.needsReply >= 0.5) changes.needsReply = needsReply;
  const changed = Object.keys(changes).length > 0;

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!changed || busy) return;
    setBusy(true);
    setError(null);
    try {
      const { post: saved } = await api.correctLabels(post.id, changes);
      onSaved(saved);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="correct-labels" onSubmit={save} data-testid="correct-labels" aria-label="Correct labels">
      <label htmlFor={`${id}-intent`}>Intent</label>
      <select id={`${id}-intent`} value={intent} onChange={(e) => setIntent(e.target.value as Intent)} data-testid="correct-intent">
        {INTENT_OPTIONS.map((i) => (
          <option key={i} value={i}>
            {labelText(i)}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-sentiment`}>Sentiment</label>
      <select id={`${id}-sentiment`} value={sentiment} onChange={(e) => setSentiment(e.target.value as Sentiment)} data-testid="correct-sentiment">
        {SENTIMENT_OPTIONS.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
      <label className="check">
        <input type="checkbox" checked={needsReply} onChange={(e) => setNeedsReply(e.target.checked)} data-testid="correct-needs-reply" /> needs a reply
      </label>
      <button type="submit" className="btn" disabled={!changed || busy} data-testid="correct-save">
        {busy ? 'Saving…' : 'Save'}
      </button>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
