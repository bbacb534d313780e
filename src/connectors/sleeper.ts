/** A wait on the connector's clock that stop() can cut short, so shutdown never waits out a 5-minute backoff. */
import type { Clock } from './x/backoff.js';

export class Sleeper {
  private wakeUp: (() => void) | null = null;

  constructor(private readonly clock: Clock) {}

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const h = this.clock.setTimeout(() => {
        this.wakeUp = null;
        resolve();
      }, ms);
      this.wakeUp = () => {
        this.clock.clearTimeout(h);
        this.wakeUp = null;
        resolve();
      };
    });
  }

  /** Ends the current wait now, if there is one. */
  wake(): void {
    this.wakeUp?.();
  }
}
