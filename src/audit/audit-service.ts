import { readFileSync } from 'node:fs';
import type { SchoolConfig } from '../config/school-config';
import type { ExchangeAdmin } from '../exchange/exchange-admin';
import type { GraphAccess } from '../graph/graph-access';
import { AuditStore, compareRuns, type Acceptance, type FindingChanges } from './audit-store';
import { AuditProgress, type AuditProgressView } from './audit-progress';
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
  private readonly graph: GraphAccess;
  private readonly config: SchoolConfig;
  private readonly store: AuditStore;
  private readonly now: () => Date;
  private readonly exchange: ExchangeAdmin | undefined;

  constructor(deps: { graph: GraphAccess; config: SchoolConfig; store: AuditStore; clock?: () => Date; exchange?: ExchangeAdmin }) {
    this.graph = deps.graph;
    this.config = deps.config;
    this.store = deps.store;
    this.now = deps.clock ?? (() => new Date());
    this.exchange = deps.exchange;
  }

  /** The run under way in this process, if any: for the tab's progress and the CLI's line. */
  private current: AuditProgress | undefined;

  progress(): AuditProgressView | null {
    return this.current?.view() ?? null;
  }

  async run(
    options: {
      trigger: string;
      sinceLast?: boolean;
      teamsPolicies?: unknown;
      actorId?: string | null;
      onProgress?: (p: CollectProgress, view: AuditProgressView) => void;
    } = { trigger: 'cli' },
  ): Promise<AuditOutcome> {
    const tracker = new AuditProgress(this.graph, this.now());
    this.current = tracker;
    try {
      return await this.runTracked(options, (p) => {
        tracker.update(p);
        options.onProgress?.(p, tracker.view());
      });
    } finally {
      if (this.current === tracker) this.current = undefined;
    }
  }

  private async runTracked(
    options: { trigger: string; sinceLast?: boolean; teamsPolicies?: unknown; actorId?: string | null },
    onProgress: (p: CollectProgress) => void,
  ): Promise<AuditOutcome> {
    const tenantId = this.config.school.tenantId;
    const previous = await this.store.lastRun(tenantId);
    const incremental = !!(options.sinceLast && previous);
    // The run's own export (the CLI's --teams-policy) wins; else the one the configuration names.
    const teamsPolicies = options.teamsPolicies ?? this.configuredTeamsPolicies();
    const { report, snapshot } = await runAudit({
      graph: this.graph,
      config: this.config,
      now: this.now,
      ...(this.exchange ? { exchange: this.exchange } : {}),
      ...(teamsPolicies !== undefined ? { teamsPolicies } : {}),
      ...(incremental ? { previousDeltaLinks: await this.store.deltaLinks(tenantId) } : {}),
      onProgress,
    });
    if (incremental && previous) {
      // Drive delta returns only what changed; carry forward shared items from the last run that
      // did not change, so an incremental run reports the same open findings as a full one.
      const before = await this.store.findings(previous.id);
      const changedItems = new Set(snapshot.changedDriveItems ?? []);
      const carried = before.filter((f) => f.subject.type === 'drive-item' && !changedItems.has(f.subject.id));
      report.findings.push(...carried);
      report.controls = recountResults(report.controls, report.findings);
    }
    // An incremental run replaces the links of the drives it read; the others' stay as they were.
    const runId = await this.store.saveRun(report, snapshot.deltaLinks, options.trigger, options.actorId ?? null, { incremental });
    const changes = compareRuns(previous ? await this.store.findings(previous.id) : [], report.findings);
    return { runId, report: await this.withAcceptances(report), changes, firstRun: !previous };
  }

  /**
   * The Teams policy export the configuration names, read afresh each run (the school re-exports
   * it when it changes its policies). Unreadable now, the area is reported as not checked.
   */
  private configuredTeamsPolicies(): unknown {
    const file = this.config.audit?.teamsPolicyExport;
    if (!file) return undefined;
    try {
      return JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
    } catch {
      return undefined;
    }
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
