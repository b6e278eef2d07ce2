import type { Logger } from 'pino';
import type { JobRunner } from '../jobs/job-runner';
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
 * Runs the campaigns on the job runner: every round, on whichever instance holds the lease (so the
 * app as a whole keeps to Teams' pace), sends what is due for up to `budgetMs`; once an hour
 * enrols new joiners.
 */
export class AupSchedule {
  static readonly ROUND = 'aup.campaigns';
  static readonly JOINERS = 'aup.joiners';
  private readonly runner: JobRunner;
  private readonly campaigns: AupCampaigns;
  private readonly parents: ParentCountersignatures | undefined;
  private readonly logger: Logger;
  private readonly rounds: { intervalMs: number; budgetMs: number; joinersEveryMs: number };

  constructor(deps: {
    runner: JobRunner;
    campaigns: AupCampaigns;
    logger: Logger;
    parents?: ParentCountersignatures;
    rounds?: { intervalMs: number; budgetMs: number; joinersEveryMs: number };
  }) {
    this.runner = deps.runner;
    this.campaigns = deps.campaigns;
    this.parents = deps.parents;
    this.logger = deps.logger;
    this.rounds = deps.rounds ?? AUP_ROUNDS;
    this.runner.every(AupSchedule.JOINERS, this.rounds.joinersEveryMs, () => this.enrolJoiners());
    // The lease outlasts a round's sending budget; a claim older than that belonged to a round that died.
    this.runner.every(AupSchedule.ROUND, this.rounds.intervalMs, () => this.round(), { leaseMs: this.leaseMs });
  }

  /** How long a round holds the lease; a claim older than this belonged to a round that died. */
  get leaseMs(): number {
    return leaseFor(this.rounds);
  }

  /** One round now (after a publish, so cards go out at once); a round in progress is joined. */
  async tick(): Promise<void> {
    await this.runner.runNow(AupSchedule.ROUND);
  }

  private async enrolJoiners(): Promise<void> {
    const joined = await this.campaigns.enrolJoiners();
    if (joined) this.logger.info({ joined }, 'new joiners asked to accept the running policies');
  }

  private async round(): Promise<void> {
    await this.parents?.pump();
    const outcome = await this.campaigns.pump({ budgetMs: this.rounds.budgetMs });
    if (outcome.sent || outcome.deferred) this.logger.info(outcome, 'policy cards sent');
  }
}
