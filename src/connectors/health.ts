/**
 * A connector's health as the desk shows it: state with the time it began, the retry in flight, and counters. One
 * tracker for every connector, so "reconnecting, attempt 3, next try at …" means the same thing on each network.
 */
import type { ConnectorHealth, ConnectorState, Network } from '../core/index.js';
import type { Clock } from './x/backoff.js';

export type HealthPatch = Partial<Pick<ConnectorHealth, 'detail' | 'attempt' | 'nextRetryAt'>>;

export class HealthTracker {
  private health: ConnectorHealth;

  constructor(
    name: string,
    network: Network,
    private readonly clock: Clock,
    /** Fires on every change of state, detail or attempt; the app turns it into a `connector.status` event. */
    private readonly onStatus?: (h: ConnectorHealth) => void,
  ) {
    this.health = { name, network, state: 'stopped', detail: null, since: clock.now(), attempt: 0, nextRetryAt: null, received: 0, sent: 0 };
  }

  get state(): ConnectorState {
    return this.health.state;
  }

  snapshot(): ConnectorHealth {
    return { ...this.health };
  }

  set(state: ConnectorState, patch: HealthPatch = {}): void {
    const h = this.health;
    const next: ConnectorHealth = {
      ...h,
      state,
      detail: patch.detail === undefined ? h.detail : patch.detail,
      attempt: patch.attempt ?? h.attempt,
      nextRetryAt: patch.nextRetryAt === undefined ? h.nextRetryAt : patch.nextRetryAt,
    };
    const changed = next.state !== h.state || next.detail !== h.detail || next.attempt !== h.attempt;
    if (next.state !== h.state) next.since = this.clock.now();
    this.health = next;
    if (changed) this.onStatus?.({ ...next });
  }

  countReceived(): void {
    this.health = { ...this.health, received: this.health.received + 1 };
  }

  countSent(): void {
    this.health = { ...this.health, sent: this.health.sent + 1 };
  }
}
