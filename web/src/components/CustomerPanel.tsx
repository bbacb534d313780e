/** Who the customer is across networks, and their other conversations (click to open). */
import type { ConversationDetail } from '../types.ts';
import { atHandle, compactNumber, fullTime, relativeTime } from '../lib/format.ts';
import { IntentChip, NetworkBadge, SentimentChip, StatusChip } from './Chips.tsx';

export function CustomerPanel({ detail, onOpenConversation }: { detail: ConversationDetail; onOpenConversation(id: number): void }) {
  const { customer, conversation } = detail;
  const name = customer.displayName?.trim() || conversation.customer.displayName?.trim() || conversation.customer.handle;
  const others = customer.conversations.filter((c) => c.id !== conversation.id);
  return (
    <aside className="customer" aria-label="Customer" data-testid="customer-panel">
      <h3 className="customer-name">{name}</h3>
      <section>
        <h4>Identities</h4>
        <ul className="identities">
          {customer.identities.map((i) => (
            <li key={i.id} className="identity" data-testid="customer-identity">
              <NetworkBadge network={i.network} />
              <span className="identity-handle">{atHandle(i.handle)}</span>
              {i.verified && <span className="verified" title="Verified" aria-label="verified">✓</span>}
              <span className="muted identity-followers">{i.followers === null ? '' : `${compactNumber(i.followers)} followers`}</span>
            </li>
          ))}
          {customer.identities.length === 0 && <li className="muted">No identities recorded.</li>}
        </ul>
      </section>
      <section>
        <h4>Other conversations {others.length > 0 && <span className="muted">({others.length})</span>}</h4>
        {others.length === 0 ? (
          <p className="muted">None — this is the first.</p>
        ) : (
          <ul className="history">
            {others.map((c) => (
              <li key={c.id}>
                <button type="button" className="history-item" onClick={() => onOpenConversation(c.id)} data-testid="customer-conversation">
                  <span className="history-top">
                    <NetworkBadge network={c.network} />
                    <StatusChip status={c.status} />
                    <time className="muted" dateTime={new Date(c.openedAt).toISOString()} title={fullTime(c.openedAt)}>
                      {relativeTime(c.openedAt)}
                    </time>
                  </span>
                  <span className="history-preview">{c.preview}</span>
                  <span className="history-meta">
                    <IntentChip intent={c.intent} />
                    <SentimentChip sentiment={c.sentiment} />
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
    </aside>
  );
}
