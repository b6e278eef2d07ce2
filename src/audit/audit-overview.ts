import { Conflict } from '../errors/domain-errors';
import type { Person } from '../school/school-directory';
import type { JobLeases } from '../storage/job-lease';
import type { AcceptedFinding, AuditService } from './audit-service';
import { compareRuns, type AuditStore } from './audit-store';
import { bySeverity, findingKey, type AuditReport } from './findings';

export class AuditAlreadyRunning extends Conflict {
  constructor() {
    super('An audit is already running; try again when it has finished.', 'audit-running');
  }
}

export interface LatestAudit {
  run: { id: string; finishedAt: string; stats: AuditReport['stats']; coverage: AuditReport['coverage'] } | null;
  findings: Array<AcceptedFinding & { key: string }>;
  changes: { new: string[]; resolved: number } | null;
}

/** The IT admin's audit page: the latest run with what changed, the trend, a run on demand. */
export class AuditOverview {
  private readonly tenantId: string;
  private readonly service: AuditService;
  private readonly store: AuditStore;
  private readonly leases: JobLeases;

  constructor(deps: { tenantId: string; service: AuditService; store: AuditStore; leases: JobLeases }) {
    this.tenantId = deps.tenantId;
    this.service = deps.service;
    this.store = deps.store;
    this.leases = deps.leases;
  }

  async latest(): Promise<LatestAudit> {
    const latest = await this.store.lastRun(this.tenantId);
    if (!latest) return { run: null, findings: [], changes: null };
    const findings = (await this.store.findings(latest.id)).sort(bySeverity);
    const previous = await this.store.lastRun(this.tenantId, latest.id);
    const changes = compareRuns(previous ? await this.store.findings(previous.id) : [], findings);
    const withAcceptance = (await this.service.withAcceptances({ findings })).findings.map((f) => ({ ...f, key: findingKey(f) }));
    return {
      run: { id: latest.id, finishedAt: latest.finishedAt, stats: latest.stats, coverage: latest.coverage },
      findings: withAcceptance,
      changes: { new: changes.new.map(findingKey), resolved: changes.resolved.length },
    };
  }

  trend() {
    return this.store.trend(this.tenantId);
  }

  /** One manual run at a time across all instances (the lease outlives a crashed run by 30 minutes at most). */
  async runNow(admin: Person): Promise<{ runId: string; findings: number; new: number; resolved: number }> {
    if (!(await this.leases.acquire('audit.manual', 30 * 60_000))) throw new AuditAlreadyRunning();
    try {
      const outcome = await this.service.run({ trigger: 'tab', actorId: admin.id });
      return { runId: outcome.runId, findings: outcome.report.findings.length, new: outcome.changes.new.length, resolved: outcome.changes.resolved.length };
    } finally {
      await this.leases.release('audit.manual');
    }
  }
}
