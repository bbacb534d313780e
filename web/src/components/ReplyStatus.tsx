/** The outbox status of a reply: queued → sending → sent, or failed (with the error). */
import type { ReplyRecord } from '../types.ts';

const LABEL: Record<ReplyRecord['status'], string> = { queued: 'queued', sending: 'sending…', sent: 'sent', failed: 'failed' };

export function ReplyStatus({ reply }: { reply: ReplyRecord }) {
  const retry = reply.status === 'queued' && reply.attempts > 0 && reply.lastError;
  return (
    <span
      className={`reply-status reply-status-${reply.status}`}
      data-testid="reply-status"
      data-status={reply.status}
      data-reply-id={reply.id}
      role="status"
      title={reply.lastError ?? undefined}
    >
      {LABEL[reply.status]}
      {retry ? ` (retrying after attempt ${reply.attempts})` : ''}
    </span>
  );
}
