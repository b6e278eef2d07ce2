import type { Logger } from '../logging/logger';
import type { JobLeases } from '../storage/job-lease';
import type { PolicyReviews } from './policy-reviews';

/**
 * The policy review check: once an hour, on whichever instance holds the lease, owners whose
 * policy is due for review are reminded (each once per review date: see PolicyReviews.remindOwners).
 */
export class ReviewSchedule {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly reviews: PolicyReviews,
    private readonly leases: JobLeases,
    private readonly logger: Logger,
    private readonly intervalMs = 3_600_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  tick(): Promise<void> {
    this.running ??= this.round().finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private async round(): Promise<void> {
    try {
      if (!(await this.leases.acquire('policy.reviews', Math.min(this.intervalMs, 10 * 60_000)))) return;
      const sent = await this.reviews.remindOwners();
      if (sent) this.logger.info({ sent }, 'policy owners reminded of reviews due');
    } catch (e) {
      this.logger.error({ err: e }, 'policy review check failed');
    }
  }
}
