/** One stored post: inbound on the left, the brand's on the right. Text is a React text child, never HTML. */
import { useEffect, useId, useState } from 'react';
import type { PostRecord, ReplyRecord } from '../types.ts';
import { atHandle, fullTime, networkLabel, relativeTime, safeHttpUrl } from '../lib/format.ts';
import { IntentChip, PriorityBadge, SentimentChip } from './Chips.tsx';
import { ReplyStatus } from './ReplyStatus.tsx';
import { CorrectionNote, CorrectLabels } from './CorrectLabels.tsx';

export function ThreadPost({ post: given, reply, now, me }: { post: PostRecord; reply?: ReplyRecord; now: number; me?: { id: number; canWrite: boolean } }) {
  const [why, setWhy] = useState(false);
  const [correcting, setCorrecting] = useState(false);
  // The post as the server answered a correction, until the next read of the thread brings the same.
  const [saved, setSaved] = useState<PostRecord | null>(null);
  useEffect(() => setSaved(null), [given]);
  const post = saved ?? given;
  const reasonsId = useId();
  const outbound = post.direction === 'outbound';
  const href = safeHttpUrl(post.url);
  const author = post.author.displayName?.trim() || post.author.handle;
  const sender = post.sentBy ?? reply?.createdByName ?? null;
  const time = (
    <time dateTime={new Date(post.createdAt).toISOString()} title={fullTime(post.createdAt)}>
      {relativeTime(post.createdAt, now)}
    </time>
  );

  return (
    <li className={`post ${outbound ? 'post-out' : 'post-in'}`} data-testid="thread-post" data-direction={post.direction} data-post-id={post.id}>
      <div className="post-head">
        <span className="post-author">{author}</span>
        <span className="muted">{atHandle(post.author.handle)}</span>
        {post.author.verified && <span className="verified" title="Verified" aria-label="verified">✓</span>}
        {outbound && sender && <span className="post-sender">sent by {sender}</span>}
        {post.isPrivate && <span className="chip chip-private">private</span>}
        <span className="spacer" />
        {href ? (
          <a href={href} target="_blank" rel="noopener noreferrer nofollow" className="post-time" title={`Open on ${networkLabel(post.network)} · ${fullTime(post.createdAt)}`}>
            {time}
          </a>
        ) : (
          <span className="post-time">{time}</span>
        )}
      </div>
      <p className="post-text">{post.text}</p>
      <div className="post-foot">
        {!outbound && (
          <>
            <IntentChip intent={post.intent} />
            <SentimentChip sentiment={post.sentiment} />
            <PriorityBadge priority={post.priority} />
            {post.language && post.language !== 'und' && <span className="muted lang">{post.language}</span>}
            <button
              type="button"
              className="btn btn-link why"
              aria-expanded={why}
              aria-controls={reasonsId}
              onClick={() => setWhy((v) => !v)}
              data-testid="why-toggle"
            >
              why?
            </button>
          </>
        )}
        {reply && <ReplyStatus reply={reply} />}
      </div>
      {why && (
        <div id={reasonsId} className="reasons" data-testid="post-reasons">
          {post.reasons.length ? (
            <ul>
              {post.reasons.map((r, i) => (
                <li key={i}>{r}</li>
              ))}
            </ul>
          ) : (
            <p className="muted">No reasons recorded.</p>
          )}
          <p className="muted">
            intent {post.intent} ({Math.round(post.intentScore * 100)}%), sentiment {post.sentiment} ({post.sentimentScore.toFixed(2)}), priority{' '}
            {post.priority}
          </p>
          <CorrectionNote post={post} meId={me?.id ?? null} />
          {me?.canWrite && (
            <>
              <button type="button" className="btn btn-link" aria-expanded={correcting} onClick={() => setCorrecting((v) => !v)} data-testid="correct-labels-toggle">
                Correct labels
              </button>
              {correcting && (
                <CorrectLabels
                  key={`${post.intent}/${post.sentiment}/${post.needsReply}`}
                  post={post}
                  onSaved={(p) => {
                    setSaved(p);
                    setCorrecting(false);
                  }}
                />
              )}
            </>
          )}
        </div>
      )}
    </li>
  );
}
