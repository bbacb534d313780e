/** A reply in the outbox that is not (yet) a stored post: shown on the brand's side with its status. */
import type { ReplyRecord } from '../types.ts';
import { fullTime, relativeTime } from '../lib/format.ts';
import { ReplyStatus } from './ReplyStatus.tsx';

export function PendingReply({ reply, now }: { reply: ReplyRecord; now: number }) {
  return (
    <li className={`post post-out post-pending post-pending-${reply.status}`} data-testid="thread-post" data-direction="outbound" data-reply-id={reply.id}>
      <div className="post-head">
        <span className="post-author">{reply.createdByName ?? 'You'}</span>
        <span className="spacer" />
        <time className="post-time" dateTime={new Date(reply.createdAt).toISOString()} title={fullTime(reply.createdAt)}>
          {relativeTime(reply.createdAt, now)}
        </time>
      </div>
      <p className="post-text">{reply.text}</p>
      <div className="post-foot">
        <ReplyStatus reply={reply} />
        {reply.status === 'failed' && reply.lastError && <span className="reply-error">{reply.lastError}</span>}
      </div>
    </li>
  );
}
