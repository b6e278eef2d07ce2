import type { Logger } from 'pino';
import { auditFindingCard, auditSummaryCard } from './cards/audit-cards';
import type { Notifier } from '../notify/notifier';
import type { SchoolDirectory } from '../school/school-directory';
import type { JobRunner } from '../jobs/job-runner';
import type { AuditService, AuditOutcome } from './audit-service';
import type { AuditStore } from './audit-store';
import { findingKey } from './findings';

export interface AuditScheduleOptions {
  tenantId: string;
  schoolName: string;
  intervalMs: number;
  /** Where "Open the audit" on a card leads (the tab). */
  tabLink: string;
  /**
   * How long a run may hold the lease (default 2 hours, well over a 50,000-user audit). If the
   * instance running it dies, another takes the audit over once this has passed.
   */
  leaseMs?: number;
  /** How often to look whether the audit is due (default a minute). */
  tickMs?: number;
  /** Run when due (default), or only when asked (the demo's "manual"). */
  autoStart?: boolean;
}

/**
 * The daily audit, a job on the runner: each minute, if the last run is older than the interval
 * and this instance holds the lease, run it and tell the admins (a summary card, plus a card per
 * new high finding).
 */
export class AuditSchedule {
  static readonly JOB = 'audit.scheduled';
  private readonly runner: JobRunner;
  private readonly service: AuditService;
  private readonly store: AuditStore;
  private readonly directory: SchoolDirectory;
  private readonly notifier: Notifier;
  private readonly logger: Logger;
  private readonly options: AuditScheduleOptions;
  private readonly now: () => Date;

  constructor(deps: {
    runner: JobRunner;
    service: AuditService;
    store: AuditStore;
    directory: SchoolDirectory;
    notifier: Notifier;
    logger: Logger;
    options: AuditScheduleOptions;
    clock?: () => Date;
  }) {
    this.runner = deps.runner;
    this.service = deps.service;
    this.store = deps.store;
    this.directory = deps.directory;
    this.notifier = deps.notifier;
    this.logger = deps.logger;
    this.options = deps.options;
    this.now = deps.clock ?? (() => new Date());
    // Hold the lease long enough for a large tenant's audit; it lapses if this instance dies.
    this.runner.every(AuditSchedule.JOB, this.options.tickMs ?? 60_000, () => this.check(), {
      leaseMs: this.options.leaseMs ?? 2 * 60 * 60_000,
      firstRun: this.options.autoStart === false ? 'on-demand' : 'at-start',
    });
  }

  /** One check now; returns the outcome when this instance ran the audit. */
  async tick(options: { force?: boolean } = {}): Promise<AuditOutcome | undefined> {
    return this.runner.runNow(AuditSchedule.JOB, () => this.check(options));
  }

  private async check(options: { force?: boolean } = {}): Promise<AuditOutcome | undefined> {
    const last = await this.store.lastRun(this.options.tenantId);
    if (!options.force && last && this.now().getTime() - Date.parse(last.finishedAt) < this.options.intervalMs) return undefined;
    // Incremental: the daily audit reads what changed since the last run (the audit log, group
    // deltas, calendar notifications) and the rolling full sweep reads everything every
    // audit.fullSweepDays; the first run, and the tab's "Run now", read everything (docs/audit.md).
    const outcome = await this.service.run({ trigger: 'schedule', sinceLast: true });
    await this.tellAdmins(outcome);
    return outcome;
  }

  private async tellAdmins(outcome: AuditOutcome): Promise<void> {
    const admins = [...((await this.directory.groupMembers('admins')) ?? [])];
    const summary = auditSummaryCard({
      school: this.options.schoolName,
      finishedAt: outcome.report.finishedAt,
      findings: outcome.report.findings,
      changes: outcome.changes,
      notChecked: outcome.report.coverage.filter((c) => c.status === 'not-checked').length,
      link: this.options.tabLink,
    });
    // A first run finds everything "new": the summary says it all. After that, a card for each new
    // high finding, at most five; the summary counts the rest.
    const accepted = new Set(outcome.report.findings.filter((f) => f.accepted).map(findingKey));
    const newHigh = outcome.firstRun ? [] : outcome.changes.new.filter((f) => f.severity === 'high' && !accepted.has(findingKey(f))).slice(0, 5);
    for (const admin of admins) {
      const delivered = await this.notifier.sendToPerson(admin, summary, `Tenant audit: ${outcome.report.findings.length} findings`);
      if (delivered !== 'sent') {
        this.logger.warn({ admin }, 'an admin has no chat with the bot yet: audit summary not delivered');
        continue;
      }
      for (const f of newHigh) await this.notifier.sendToPerson(admin, auditFindingCard(f, this.options.tabLink), `New finding: ${f.rule}`);
    }
  }
}
