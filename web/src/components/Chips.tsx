/** Small labels: network badge, intent, sentiment, priority, status. */
import type { ConversationStatus, Intent, Network, Sentiment } from '../types.ts';
import { labelText, networkLabel } from '../lib/format.ts';

const NETWORK_SHORT: Record<Network, string> = { x: 'X', bluesky: 'BS', mastodon: 'M' };

export function NetworkBadge({ network }: { network: Network }) {
  return (
    <span className={`net net-${network}`} title={networkLabel(network)} aria-label={networkLabel(network)}>
      {NETWORK_SHORT[network] ?? network}
    </span>
  );
}

export function IntentChip({ intent }: { intent: Intent }) {
  return <span className={`chip chip-intent chip-intent-${intent}`}>{labelText(intent)}</span>;
}

export function SentimentChip({ sentiment }: { sentiment: Sentiment }) {
  return <span className={`chip chip-sent chip-sent-${sentiment}`}>{sentiment}</span>;
}

/** `base` is the conversation's own priority when the shown one includes time waiting: the tooltip says how much. */
export function PriorityBadge({ priority, base }: { priority: number; base?: number }) {
  const tone = priority >= 70 ? 'high' : priority >= 40 ? 'mid' : 'low';
  const waiting = base !== undefined && priority > base ? ` (${base} + ${priority - base} for time waiting)` : '';
  return (
    <span className={`prio prio-${tone}`} title={`Priority ${priority}${waiting}`} aria-label={`Priority ${priority}${waiting}`}>
      {Math.round(priority)}
    </span>
  );
}

export function StatusChip({ status }: { status: ConversationStatus }) {
  return (
    <span className={`chip chip-status chip-status-${status}`} data-testid="conversation-status">
      {status}
    </span>
  );
}
