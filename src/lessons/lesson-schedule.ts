import type { Logger } from 'pino';
import type { JobLeases } from '../storage/job-lease';
import type { LessonService } from './lesson-service';
import type { MeetingWatch } from './meeting-watch';

/**
 * Once a minute on one instance: scheduled-start announcements and recording checks. Once an hour
 * (and at start-up): calendar subscriptions created and renewed before they lapse.
 */
export class LessonSchedule {
  private timer: NodeJS.Timeout | undefined;
  private lastSubscriptions = 0;

  constructor(
    private readonly lessons: LessonService,
    private readonly watch: MeetingWatch | undefined,
    private readonly leases: JobLeases,
    private readonly logger: Logger,
    private readonly options: { intervalMs: number; subscriptionsEveryMs: number } = { intervalMs: 60_000, subscriptionsEveryMs: 3_600_000 },
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async tick(options: { subscriptions?: boolean } = {}): Promise<void> {
    try {
      if (await this.leases.acquire('lessons.tick', this.options.intervalMs - 5_000)) {
        const out = await this.lessons.tick();
        if (out.announced || out.missing) this.logger.info(out, 'lessons checked');
      }
      // Notifications stored but not processed (an instance stopped after answering Graph).
      if (this.watch) await this.watch.drain();
      const due = options.subscriptions ?? Date.now() - this.lastSubscriptions > this.options.subscriptionsEveryMs;
      if (this.watch && due && (await this.leases.acquire('lessons.subscriptions', 10 * 60_000))) {
        this.lastSubscriptions = Date.now();
        const out = await this.watch.ensureSubscriptions();
        if (out.created || out.renewed || out.failed) this.logger.info(out, 'staff calendar subscriptions');
      }
    } catch (e) {
      this.logger.error({ err: e }, 'lesson round failed');
    }
  }
}
