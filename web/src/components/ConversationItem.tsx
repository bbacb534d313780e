/** One row of the queue. Everything from the network is rendered as plain text. */
import { memo } from 'react';
import type { ConversationSummary } from '../types.ts';
import { atHandle, fullTime, relativeTime } from '../lib/format.ts';
import { IntentChip, NetworkBadge, PriorityBadge, SentimentChip } from './Chips.tsx';

interface Props {
  c: ConversationSummary;
  now: number;
  active: boolean;
  cursor: boolean;
  onOpen(id: number): void;
  onFocus(id: number): void;
}

export const ConversationItem = memo(function ConversationItem({ c, now, active, cursor, onOpen, onFocus }: Props) {
  const name = c.customer.displayName?.trim() || c.customer.handle;
  const at = c.lastPostAt || c.updatedAt;
  return (
    <li>
      <button
        type="button"
        className={`item${active ? ' item-active' : ''}${cursor ? ' item-cursor' : ''} item-${c.status}`}
        data-testid="conversation-item"
        data-conversation-id={c.id}
        aria-current={active ? 'true' : undefined}
        onClick={() => onOpen(c.id)}
        onFocus={() => onFocus(c.id)}
      >
        <span className="item-top">
          <PriorityBadge priority={c.queuePriority} base={c.priority} />
          <span className="item-name">{name}</span>
          <span className="item-handle">{atHandle(c.customer.handle)}</span>
          <NetworkBadge network={c.network} />
          <time className="item-time" dateTime={new Date(at).toISOString()} title={fullTime(at)}>
            {relativeTime(at, now)}
          </time>
        </span>
        <span className="item-preview">{c.preview}</span>
        <span className="item-meta">
          <IntentChip intent={c.intent} />
          <SentimentChip sentiment={c.sentiment} />
          {c.status === 'pending' && <span className="chip chip-status chip-status-pending">pending</span>}
          {c.postCount > 1 && <span className="item-count">{c.postCount} posts</span>}
          {c.assigneeName && <span className="item-assignee">→ {c.assigneeName}</span>}
        </span>
      </button>
    </li>
  );
});
