/**
 * The thread in order. Outbound posts that came from the desk's outbox carry their reply's status; replies not yet
 * stored as posts (queued, sending, failed, or sent moments ago) follow the posts, in the order they were written.
 */
import { useEffect, useMemo, useRef } from 'react';
import type { PostRecord, ReplyRecord } from '../types.ts';
import { useNow } from '../hooks/useNow.ts';
import { PendingReply } from './PendingReply.tsx';
import { ThreadPost } from './ThreadPost.tsx';

/** `me`: the signed-in user, so a post can offer label corrections (writers only) and say "corrected by you". */
export function Thread({ posts, replies, me }: { posts: PostRecord[]; replies: ReplyRecord[]; me?: { id: number; canWrite: boolean } }) {
  const now = useNow();
  const { byPost, pending } = useMemo(() => {
    const postIds = new Set(posts.map((p) => p.id));
    const byPost = new Map<number, ReplyRecord>();
    const pending: ReplyRecord[] = [];
    for (const r of replies) {
      if (r.postId !== null && postIds.has(r.postId)) byPost.set(r.postId, r);
      else pending.push(r);
    }
    pending.sort((a, b) => a.createdAt - b.createdAt || a.id - b.id);
    return { byPost, pending };
  }, [posts, replies]);

  // Keep the newest message in view when the thread grows.
  const end = useRef<HTMLLIElement>(null);
  const size = posts.length + pending.length;
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [size]);

  return (
    <ol className="thread" data-testid="thread">
      {posts.map((p) => (
        <ThreadPost key={`p${p.id}`} post={p} reply={byPost.get(p.id)} now={now} me={me} />
      ))}
      {pending.map((r) => (
        <PendingReply key={`r${r.id}`} reply={r} now={now} />
      ))}
      <li ref={end} className="thread-end" aria-hidden="true" />
    </ol>
  );
}
