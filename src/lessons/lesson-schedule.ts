import type { Logger } from 'pino';
import type { JobRunner } from '../jobs/job-runner';
import type { LessonService } from './lesson-service';
import type { MeetingWatch } from './meeting-watch';

/**
 * Once a minute on one instance: scheduled-start announcements, recording checks, and change
 * notifications stored but not processed (an instance stopped after answering Graph). Once an hour:
 * calendar subscriptions created and renewed before they lapse.
 */
export class LessonSchedule {
  static readonly ROUND = 'lessons.tick';
  static readonly SUBSCRIPTIONS = 'lessons.subscriptions';
  private readonly runner: JobRunner;
  private readonly lessons: LessonService;
  private readonly watch: MeetingWatch | undefined;
  private readonly logger: Logger;

  constructor(deps: {
    runner: JobRunner;
    lessons: LessonService;
    watch?: MeetingWatch;
    logger: Logger;
    /** Subscriptions need the webhook reachable: made at start only when the app listens for them. */
    options?: { intervalMs?: number; subscriptionsEveryMs?: number; subscriptionsAtStart?: boolean };
  }) {
    this.runner = deps.runner;
    this.lessons = deps.lessons;
    this.watch = deps.watch;
    this.logger = deps.logger;
    const o = deps.options ?? {};
    const intervalMs = o.intervalMs ?? 60_000;
    this.runner.every(LessonSchedule.ROUND, intervalMs, () => this.round(), { firstRun: 'after-interval', leaseMs: Math.max(intervalMs - 5_000, 1_000) });
    if (this.watch) {
      this.runner.every(LessonSchedule.SUBSCRIPTIONS, o.subscriptionsEveryMs ?? 3_600_000, () => this.subscriptions(), {
        leaseMs: 10 * 60_000,
        firstRun: o.subscriptionsAtStart === false ? 'after-interval' : 'at-start',
      });
    }
  }

  /** A round now (and the subscriptions, when asked), where this instance holds the leases. */
  async tick(options: { subscriptions?: boolean } = {}): Promise<void> {
    await this.runner.runNow(LessonSchedule.ROUND);
    if (options.subscriptions && this.watch) await this.runner.runNow(LessonSchedule.SUBSCRIPTIONS);
  }

  private async round(): Promise<void> {
    const out = await this.lessons.tick();
    if (out.announced || out.missing) this.logger.info(out, 'lessons checked');
    if (this.watch) await this.watch.drain();
  }

  private async subscriptions(): Promise<void> {
    const out = await this.watch!.ensureSubscriptions();
    if (out.created || out.renewed || out.failed) this.logger.info(out, 'staff calendar subscriptions');
  }
}
