/** The open conversation: header with actions, the thread, the reply box, and the customer panel. */
import type { BrandWithAccounts } from '../api.ts';
import type { ReplyRecord, User } from '../types.ts';
import type { ConversationState } from '../hooks/useConversation.ts';
import { atHandle, networkLabel } from '../lib/format.ts';
import { IntentChip, NetworkBadge, PriorityBadge, SentimentChip, StatusChip } from './Chips.tsx';
import { CustomerPanel } from './CustomerPanel.tsx';
import { ReplyBox } from './ReplyBox.tsx';
import { Thread } from './Thread.tsx';

interface Props {
  user: User;
  state: ConversationState;
  brands: BrandWithAccounts[];
  actionError: string | null;
  onStatus(s: 'open' | 'resolved' | 'dismissed'): void;
  onOpenConversation(id: number): void;
  onReplyQueued(r: ReplyRecord): void;
}

export function ConversationView({ user, state, brands, actionError, onStatus, onOpenConversation, onReplyQueued }: Props) {
  const { detail, loading, error, notFound } = state;
  if (!detail) {
    return (
      <div className="empty-state" role={error ? 'alert' : 'status'}>
        {notFound ? <p>This conversation does not exist, or was deleted.</p> : error ? <p>{error}</p> : loading ? <p>Loading conversation…</p> : null}
        {error && !notFound && (
          <button type="button" className="btn" onClick={state.refresh}>
            Retry
          </button>
        )}
      </div>
    );
  }
  const c = detail.conversation;
  const name = c.customer.displayName?.trim() || c.customer.handle;
  const closed = c.status === 'resolved' || c.status === 'dismissed';
  const brand = brands.find((b) => b.id === c.brandId);
  const account = brand?.accounts.find((a) => a.network === c.network);
  const canWrite = user.role !== 'viewer';

  return (
    <div className="conversation" data-testid="conversation-view" data-conversation-id={c.id}>
      <header className="conv-header">
        <div className="conv-title">
          <h2>
            {name} <span className="muted">{atHandle(c.customer.handle)}</span>
          </h2>
          <div className="conv-meta">
            <NetworkBadge network={c.network} />
            <StatusChip status={c.status} />
            <IntentChip intent={c.intent} />
            <SentimentChip sentiment={c.sentiment} />
            <PriorityBadge priority={c.queuePriority} base={c.priority} />
            {c.brandName && <span className="muted">for {c.brandName}</span>}
            {c.assigneeName && <span className="muted">· assigned to {c.assigneeName}</span>}
            {c.dismissedReason && <span className="muted">· dismissed: {c.dismissedReason}</span>}
          </div>
        </div>
        {canWrite && (
          <div className="conv-actions">
            {closed ? (
              <button type="button" className="btn" onClick={() => onStatus('open')} data-testid="action-reopen">
                Reopen
              </button>
            ) : (
              <>
                <button type="button" className="btn btn-primary" onClick={() => onStatus('resolved')} data-testid="action-resolve" title="Resolve (e)">
                  Resolve
                </button>
                <button type="button" className="btn" onClick={() => onStatus('dismissed')} data-testid="action-dismiss">
                  Dismiss as noise
                </button>
              </>
            )}
          </div>
        )}
      </header>
      {actionError && (
        <p className="banner banner-error" role="alert">
          {actionError}
        </p>
      )}
      {error && (
        <p className="banner banner-warn" role="status">
          Could not refresh: {error}
        </p>
      )}
      <div className="conv-body">
        <section className="conv-thread" aria-label="Thread">
          <Thread posts={detail.posts} replies={detail.replies} me={{ id: user.id, canWrite }} />
          {canWrite ? (
            <ReplyBox
              conversationId={c.id}
              network={c.network}
              signature={user.signature}
              replyAs={account ? `as ${atHandle(account.handle)} on ${networkLabel(c.network)}` : `on ${networkLabel(c.network)}`}
              onQueued={onReplyQueued}
            />
          ) : (
            <p className="muted reply-readonly">Viewers cannot reply.</p>
          )}
        </section>
        <CustomerPanel detail={detail} onOpenConversation={onOpenConversation} />
      </div>
    </div>
  );
}
