/**
 * Public reply with a live counter of the network's length limit. Over the limit the counter turns red and Send is
 * disabled; Ctrl/Cmd+Enter sends. The draft survives switching conversations (sessionStorage, per conversation).
 */
import { useId, useState, type FormEvent, type KeyboardEvent } from 'react';
import { api, errorMessage } from '../api.ts';
import type { Network, ReplyRecord } from '../types.ts';
import { usePersistentState } from '../hooks/usePersistentState.ts';
import { LIMITS, postLength } from '../lib/length.ts';

interface Props {
  conversationId: number;
  network: Network;
  /** The agent's signature, if the server appends one (counted against the limit). */
  signature: string | null;
  replyAs: string;
  onQueued(r: ReplyRecord): void;
}

const isString = (v: unknown): v is string => typeof v === 'string';

export function ReplyBox({ conversationId, network, signature, replyAs, onQueued }: Props) {
  const [text, setText] = usePersistentState(`earshot.draft.${conversationId}`, '', isString);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const counterId = useId();
  const limit = LIMITS[network];
  const sig = signature?.trim() ? ` ${signature.trim()}` : '';
  const used = text.trim() ? postLength(network, text.trim() + sig) : 0;
  const over = used > limit.max;
  const canSend = !sending && text.trim() !== '' && !over;

  async function send(e?: FormEvent) {
    e?.preventDefault();
    if (!canSend) return;
    setSending(true);
    setError(null);
    try {
      const { reply } = await api.reply(conversationId, text.trim());
      setText('');
      onQueued(reply);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setSending(false);
    }
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void send();
    } else if (e.key === 'Escape') {
      e.currentTarget.blur();
    }
  }

  return (
    <form className="reply" onSubmit={(e) => void send(e)} aria-label="Reply">
      <label htmlFor="reply-text" className="reply-label">
        Reply publicly <strong>{replyAs}</strong>
        {sig && <span className="muted"> · signed “{sig.trim()}”</span>}
      </label>
      <textarea
        id="reply-text"
        data-testid="reply-text"
        rows={3}
        value={text}
        placeholder="Write a reply…  (r to focus, Ctrl+Enter to send)"
        aria-describedby={counterId}
        aria-invalid={over}
        onChange={(e) => {
          setText(e.target.value);
          if (error) setError(null);
        }}
        onKeyDown={onKeyDown}
      />
      <div className="reply-bar">
        <span id={counterId} className={`counter${over ? ' counter-over' : used > limit.max * 0.9 ? ' counter-near' : ''}`} data-testid="reply-counter" aria-live="polite">
          {used} / {limit.max}
          <span className="sr-only"> {limit.unit}{over ? ', over the limit' : ''}</span>
        </span>
        {error && (
          <span className="form-error" role="alert" data-testid="reply-error">
            {error}
          </span>
        )}
        <span className="spacer" />
        <button type="submit" className="btn btn-primary" disabled={!canSend} data-testid="reply-send" title="Send (Ctrl+Enter)">
          {sending ? 'Sending…' : 'Send'}
        </button>
      </div>
    </form>
  );
}
