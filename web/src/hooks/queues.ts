/** The queue tabs and the filters applied to them. */
import type { ConversationStatus, Intent, Network, Sentiment } from '../types.ts';

export type QueueId = 'new' | 'open' | 'resolved' | 'dismissed' | 'all';

export interface QueueDef {
  id: QueueId;
  label: string;
  /** Statuses listed; undefined = every status. */
  status?: ConversationStatus[];
  title: string;
}

export const QUEUES: readonly QueueDef[] = [
  { id: 'new', label: 'New', status: ['new'], title: 'Nobody has acted on these yet' },
  { id: 'open', label: 'Open', status: ['open', 'pending'], title: 'Being worked, or waiting on the customer' },
  { id: 'resolved', label: 'Resolved', status: ['resolved'], title: 'Done' },
  { id: 'dismissed', label: 'Dismissed', status: ['dismissed'], title: 'Parked as noise (sales pitches, spam, news, chatter)' },
  { id: 'all', label: 'All', status: undefined, title: 'Every conversation' },
];

export function queueDef(id: QueueId): QueueDef {
  return QUEUES.find((q) => q.id === id) ?? QUEUES[0]!;
}

export function isQueueId(v: unknown): v is QueueId {
  return typeof v === 'string' && QUEUES.some((q) => q.id === v);
}

export interface Filters {
  intent: Intent | '';
  sentiment: Sentiment | '';
  network: Network | '';
  q: string;
}

export const EMPTY_FILTERS: Filters = { intent: '', sentiment: '', network: '', q: '' };

export const INTENT_OPTIONS: readonly Intent[] = [
  'complaint',
  'question',
  'request',
  'idea',
  'praise',
  'sales_pitch',
  'spam',
  'news',
  'chatter',
];
export const SENTIMENT_OPTIONS: readonly Sentiment[] = ['negative', 'neutral', 'positive'];
export const NETWORK_OPTIONS: readonly Network[] = ['x', 'bluesky', 'mastodon'];
