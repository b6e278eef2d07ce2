import type { Logger } from 'pino';
import type { JobLeases } from '../storage/job-lease';
import type { AupCampaigns } from './aup-campaigns';
import type { ParentCountersignatures } from './parent-countersignatures';

/** A round every 30 s (CAMPAIGN_ROUND_SECONDS), sending for at most twice that. */
export function aupRounds(env: NodeJS.ProcessEnv = process.env): { intervalMs: number; budgetMs: number; joinersEveryMs: number } {
  const seconds = Number(env.CAMPAIGN_ROUND_SECONDS ?? 30);
  const intervalMs = (Number.isFinite(seconds) && seconds > 0 ? seconds : 30) * 1000;
  return { intervalMs, budgetMs: 2 * intervalMs, joinersEveryMs: 3_600_000 };
}

const AUP_ROUNDS = aupRounds({});
const leaseFor = (o: { intervalMs: number; budgetMs: number }) => o.budgetMs + o.intervalMs;

/**
 * Runs the campaigns: every tick, on whichever instance holds the lease (so the app as a whole keeps
 * to Teams' pace), sends what is due for up to `budgetMs`, and once an hour enrols new joiners.
 */
export class AupSchedule {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastJoinersCheck = 0;

  constructor(
    private readonly campaigns: AupCampaigns,
    private readonly leases: JobLeases,
    private readonly logger: Logger,
    private readonly parents?: ParentCountersignatures,
    private readonly options: { intervalMs: number; budgetMs: number; joinersEveryMs: number } = AUP_ROUNDS,
  ) {}

  /** How long a round holds the lease; a claim older than this belonged to a round that died. */
  get leaseMs(): number {
    return leaseFor(this.options);
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  /** One round now (after a publish, so cards go out at once); a round in progress is joined. */
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
      if (!(await this.leases.acquire('aup.campaigns', this.leaseMs))) return;
      if (Date.now() - this.lastJoinersCheck > this.options.joinersEveryMs) {
        this.lastJoinersCheck = Date.now();
        const joined = await this.campaigns.enrolJoiners();
        if (joined) this.logger.info({ joined }, 'new joiners asked to accept the running policies');
      }
      await this.parents?.pump();
      const outcome = await this.campaigns.pump({ budgetMs: this.options.budgetMs });
      if (outcome.sent || outcome.deferred) this.logger.info(outcome, 'policy cards sent');
    } catch (e) {
      this.logger.error({ err: e }, 'policy campaign round failed');
    }
  }
}
