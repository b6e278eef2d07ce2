import type { Logger } from '../logging/logger';
import type { JobLeases } from '../storage/job-lease';

export interface JobOptions {
  /**
   * How long one run may hold the job's lease (default: the interval). A run longer than its
   * interval (a large tenant's audit) needs more; if the instance dies mid-run, another takes the
   * job over once this has passed.
   */
  leaseMs?: number;
  /**
   * Due at once (default), only after one interval, or never by the clock: run only when asked
   * (runNow), as the demo's audit is.
   */
  firstRun?: 'at-start' | 'after-interval' | 'on-demand';
}

interface Job {
  name: string;
  intervalMs: number;
  run: () => Promise<unknown>;
  leaseMs: number;
  nextDueAt: number;
  running?: Promise<{ ran: boolean; result?: unknown }>;
}

/**
 * All the app's scheduled work. Each job runs every `intervalMs` on whichever instance holds its
 * lease (src/storage/job-lease.ts), so with several instances on one database each run happens
 * once. The holder keeps the lease for one interval after a run, so a second instance does not run
 * the same interval again, and takes it over within about one interval if the holder dies.
 * A failing run is logged and tried again at the next interval; runs of one job never overlap.
 */
export class JobRunner {
  private readonly jobs = new Map<string, Job>();
  private readonly leases: JobLeases;
  private readonly logger: Logger;
  private readonly clock: () => Date;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  private readonly pollMs: number;

  constructor(deps: { leases: JobLeases; logger: Logger; clock?: () => Date; pollMs?: number }) {
    this.pollMs = deps.pollMs ?? 1_000;
    this.leases = deps.leases;
    this.logger = deps.logger;
    this.clock = deps.clock ?? (() => new Date());
  }

  every(name: string, intervalMs: number, run: () => Promise<unknown>, options: JobOptions = {}): void {
    if (this.jobs.has(name)) throw new Error(`job ${name} is already scheduled`);
    if (!(intervalMs > 0)) throw new Error(`job ${name}: the interval must be positive`);
    const now = this.clock().getTime();
    this.jobs.set(name, {
      name,
      intervalMs,
      run,
      leaseMs: Math.max(options.leaseMs ?? intervalMs, 1),
      nextDueAt: options.firstRun === 'on-demand' ? Infinity : options.firstRun === 'after-interval' ? now + intervalMs : now,
    });
  }

  /** Runs every job that is due now (and not already running here); the names of those that ran. */
  async runDue(): Promise<string[]> {
    const now = this.clock().getTime();
    const due = [...this.jobs.values()].filter((j) => !j.running && j.nextDueAt <= now);
    const ran = await Promise.all(
      due.map(async (j) => {
        // The next run is due an interval after this one began, whether it fails or not.
        j.nextDueAt = now + j.intervalMs;
        return (await this.attempt(j)).ran ? j.name : undefined;
      }),
    );
    return ran.filter((n): n is string => n !== undefined);
  }

  /**
   * Runs a job now, out of turn (after a publish, from a test), under its lease. A run already
   * under way on this instance is joined; when another instance holds the lease nothing runs and
   * the answer is undefined. `run` replaces the job's own work for this once (a forced audit).
   */
  async runNow<T = unknown>(name: string, run?: () => Promise<T>): Promise<T | undefined> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`no job is called ${name}`);
    if (job.running) return (await job.running).result as T | undefined;
    return (await this.attempt(job, run)).result as T | undefined;
  }

  /** Starts the timer that runs jobs as they fall due (real time; tests call runDue instead). */
  start(): void {
    this.stopped = false;
    this.arm();
    void this.runDue().catch((e: unknown) => this.logger.error({ err: e }, 'job runner round failed'));
  }

  /**
   * No new runs; waits (at most `waitMs`) for those under way, then lets the leases of the finished
   * jobs go so another instance carries on at once. A run still going keeps its lease until it lapses.
   */
  async stop(options: { waitMs?: number } = {}): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    let timeout: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((r) => (timeout = setTimeout(r, options.waitMs ?? 10_000)));
    await Promise.race([Promise.all([...this.jobs.values()].map((j) => j.running)), deadline]);
    clearTimeout(timeout);
    for (const j of this.jobs.values()) {
      if (!j.running) await this.leases.release(j.name).catch(() => undefined);
    }
  }

  private async attempt(job: Job, run: () => Promise<unknown> = job.run): Promise<{ ran: boolean; result?: unknown }> {
    if (this.stopped) return { ran: false };
    const work = (async () => {
      let result: unknown;
      try {
        if (!(await this.leases.acquire(job.name, job.leaseMs))) return { ran: false };
      } catch (e) {
        this.logger.error({ err: e, job: job.name }, `could not take the lease of job ${job.name}; tried again next interval`);
        return { ran: false };
      }
      try {
        result = await run();
      } catch (e) {
        this.logger.error({ err: e, job: job.name }, `scheduled job ${job.name} failed; tried again next interval`);
      }
      // Done: hold the lease for one interval from now, not the long run's allowance, so if this
      // instance dies another takes the job over at about the next interval.
      await this.leases.acquire(job.name, job.intervalMs).catch((e: unknown) => this.logger.warn({ err: e, job: job.name }, 'could not renew a job lease'));
      return { ran: true, result };
    })();
    job.running = work;
    try {
      return await work;
    } finally {
      job.running = undefined;
    }
  }

  private arm(): void {
    if (this.timer) clearInterval(this.timer);
    // A cheap look at the clock every second; runs are started, not awaited, so a long run (the
    // audit) never holds up another job.
    this.timer = setInterval(() => void this.runDue().catch((e: unknown) => this.logger.error({ err: e }, 'job runner round failed')), this.pollMs);
    this.timer.unref();
  }
}
