/** The in-process bus: the embedded default. Handlers run synchronously; one failing handler never affects another. */
import type { Bus, EarshotEvent } from '../core/index.js';

export class InProcessBus implements Bus {
  private readonly handlers = new Set<(e: EarshotEvent) => void>();

  constructor(private readonly onHandlerError: (err: unknown) => void = () => {}) {}

  publish(events: EarshotEvent[]): void {
    for (const e of events) {
      for (const h of this.handlers) {
        try {
          h(e);
        } catch (err) {
          this.onHandlerError(err);
        }
      }
    }
  }

  subscribe(handler: (e: EarshotEvent) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  get subscribers(): number {
    return this.handlers.size;
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
