import type { JobRunner } from '../jobs/job-runner';
import type { Logger } from '../logging/logger';
import type { PolicyReviews } from './policy-reviews';

/**
 * The policy review check: once an hour, on whichever instance holds the lease, owners whose
 * policy is due for review are reminded (each once per review date: see PolicyReviews.remindOwners).
 */
export class ReviewSchedule {
  static readonly JOB = 'policy.reviews';
  private readonly runner: JobRunner;
  private readonly reviews: PolicyReviews;
  private readonly logger: Logger;

  constructor(deps: { runner: JobRunner; reviews: PolicyReviews; logger: Logger; intervalMs?: number }) {
    this.runner = deps.runner;
    this.reviews = deps.reviews;
    this.logger = deps.logger;
    this.runner.every(ReviewSchedule.JOB, deps.intervalMs ?? 3_600_000, () => this.check());
  }

  /** A check now, where this instance holds the lease. */
  async tick(): Promise<void> {
    await this.runner.runNow(ReviewSchedule.JOB);
  }

  private async check(): Promise<void> {
    const sent = await this.reviews.remindOwners();
    if (sent) this.logger.info({ sent }, 'policy owners reminded of reviews due');
  }
}
