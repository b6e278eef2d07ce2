import type { Budget } from './published-limits';

/**
 * Spends a published budget no faster than it refills, so the app waits on its own side instead of
 * collecting 429s ([SPO] "Avoid getting throttled": "reduce the number of concurrent requests",
 * "avoid request spikes"). A token bucket like the service's: full at the start, refilled evenly.
 * Callers reserve before sending; a reservation the bucket cannot cover yet waits its turn, so
 * concurrent callers queue in order and never overshoot together.
 */
export class BudgetPacer {
  private tokens: number;
  private at: number;
  /** Milliseconds spent waiting for the budget. */
  waitedMs = 0;

  constructor(
    readonly budget: Budget,
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
    /** Share of the budget to use: a little headroom for other apps' clocks and rounding. */
    private readonly share = 0.98,
  ) {
    this.tokens = budget.quota * share;
    this.at = now();
  }

  private get perMs(): number {
    return (this.budget.quota * this.share) / this.budget.windowMs;
  }

  /** Waits until `cost` units may be spent, and spends them. */
  async take(cost: number): Promise<void> {
    const now = this.now();
    this.tokens = Math.min(this.budget.quota * this.share, this.tokens + (now - this.at) * this.perMs);
    this.at = now;
    this.tokens -= cost;
    if (this.tokens >= 0) return;
    const ms = Math.ceil(-this.tokens / this.perMs);
    this.waitedMs += ms;
    await this.sleep(ms);
  }

  /** Milliseconds the budget needs to grant `units` more from now (for time-left estimates). */
  timeFor(units: number): number {
    const available = Math.min(this.budget.quota * this.share, this.tokens + (this.now() - this.at) * this.perMs);
    return Math.max(0, (units - available) / this.perMs);
  }
}
