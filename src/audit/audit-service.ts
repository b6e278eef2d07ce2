import type { SchoolConfig } from '../config/school-config';
import type { ExchangeAdmin } from '../exchange/exchange-admin';
import type { GraphAccess } from '../graph/graph-access';
import { AuditStore, compareRuns, type Acceptance, type FindingChanges } from './audit-store';
import type { CollectProgress } from './collect/collect-tenant';
import { recountResults } from './evaluate-controls';
import { findingKey, type AuditReport, type ReportedFinding } from './findings';
import { runAudit } from './run-audit';

export interface AcceptedFinding extends ReportedFinding {
  accepted?: Pick<Acceptance, 'reason' | 'expiresAt' | 'acceptedBy'>;
}

export interface AuditOutcome {
  runId: string;
  report: Omit<AuditReport, 'findings'> & { findings: AcceptedFinding[] };
  changes: FindingChanges;
  /** No earlier run to compare with: everything is "new". */
  firstRun: boolean;
}

/** Runs an audit, keeps it, and says what changed: the same for the CLI, the schedule and the tab. */
export class AuditService {
  constructor(
    private readonly graph: GraphAccess,
    private readonly config: SchoolConfig,
    private readonly store: AuditStore,
    private readonly now: () => Date = () => new Date(),
    private readonly exchange?: ExchangeAdmin,
  ) {}

  async run(options: { trigger: string; sinceLast?: boolean; teamsPolicies?: unknown; actorId?: string | null; onProgress?: (p: CollectProgress) => void } = { trigger: 'cli' }): Promise<AuditOutcome> {
    const previous = await this.store.lastRun(this.config.school.tenantId);
    const { report, snapshot } = await runAudit({
      graph: this.graph,
      config: this.config,
      now: this.now,
      ...(this.exchange ? { exchange: this.exchange } : {}),
      ...(options.teamsPolicies !== undefined ? { teamsPolicies: options.teamsPolicies } : {}),
      ...(options.sinceLast && previous ? { previousDeltaLinks: previous.deltaLinks } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    if (options.sinceLast && previous) {
      // Drive delta returns only what changed; carry forward shared items from the last run that
      // did not change, so an incremental run reports the same open findings as a full one.
      const before = await this.store.findings(previous.id);
      const changedItems = new Set(snapshot.changedDriveItems ?? []);
      const carried = before.filter((f) => f.subject.type === 'drive-item' && !changedItems.has(f.subject.id));
      report.findings.push(...carried);
      report.controls = recountResults(report.controls, report.findings);
    }
    const runId = await this.store.saveRun(report, { ...(previous?.deltaLinks ?? {}), ...snapshot.deltaLinks }, options.trigger, options.actorId ?? null);
    const changes = compareRuns(previous ? await this.store.findings(previous.id) : [], report.findings);
    return { runId, report: await this.withAcceptances(report), changes, firstRun: !previous };
  }

  async withAcceptances<T extends { findings: ReportedFinding[] }>(report: T): Promise<Omit<T, 'findings'> & { findings: AcceptedFinding[] }> {
    const accepted = await this.store.activeAcceptances();
    return {
      ...report,
      findings: report.findings.map((f) => {
        const a = accepted.get(findingKey(f));
        return a ? { ...f, accepted: { reason: a.reason, expiresAt: a.expiresAt, acceptedBy: a.acceptedBy } } : f;
      }),
    };
  }
}
