import { readFileSync } from 'node:fs';
import type { SchoolConfig } from '../config/school-config';
import type { ExchangeAdmin } from '../exchange/exchange-admin';
import type { GraphAccess } from '../graph/graph-access';
import { AuditStore, compareRuns, type Acceptance, type FindingChanges } from './audit-store';
import { AuditProgress, type AuditProgressView } from './audit-progress';
import type { AuditWatermarks } from './audit-watermark';
import type { CollectProgress } from './collect/collect-tenant';
import { recountResults } from './evaluate-controls';
import { findingKey, type AuditReport, type ReportedFinding } from './findings';
import { runAudit } from './run-audit';

/**
 * How late a change may reach the unified audit log and still be read: Microsoft does not guarantee
 * a time (typically 60 to 90 minutes, Purview's "Search the audit log"), so each incremental run
 * also reads the day before the last run began. Reading a change twice costs little; missing one
 * would leave a finding unreported until the next full sweep.
 */
export const AUDIT_LOG_LATENESS_MS = 24 * 3_600_000;
/** Everything is read in full at least this often, whatever the incremental runs say (audit.fullSweepDays). */
export const FULL_SWEEP_DAYS = 7;
const DAY_MS = 24 * 3_600_000;

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
  private readonly watermarks: AuditWatermarks | undefined;

  constructor(deps: {
    graph: GraphAccess;
    config: SchoolConfig;
    store: AuditStore;
    clock?: () => Date;
    exchange?: ExchangeAdmin;
    watermarks?: AuditWatermarks;
  }) {
    this.graph = deps.graph;
    this.config = deps.config;
    this.store = deps.store;
    this.now = deps.clock ?? (() => new Date());
    this.exchange = deps.exchange;
    this.watermarks = deps.watermarks;
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
    const startedAt = this.now();
    const previous = await this.store.lastRun(tenantId);
    const mark = await this.watermarks?.get(tenantId);
    // The rolling full sweep: an incremental run is a full one once the last full read is N days old.
    const sweepDue = !!mark && startedAt.getTime() - Date.parse(mark.lastFullAt) >= (this.config.audit?.fullSweepDays ?? FULL_SWEEP_DAYS) * DAY_MS;
    const incremental = !!options.sinceLast && !!previous && !sweepDue;
    // The run's own export (the CLI's --teams-policy) wins; else the one the configuration names.
    const teamsPolicies = options.teamsPolicies ?? this.configuredTeamsPolicies();
    const changesSince = incremental && mark ? new Date(Date.parse(mark.changesFrom) - AUDIT_LOG_LATENESS_MS) : undefined;
    const quietCalendars = changesSince && (await this.watermarks?.quietCalendars(changesSince, startedAt));
    const { report, snapshot } = await runAudit({
      graph: this.graph,
      config: this.config,
      now: this.now,
      ...(this.exchange ? { exchange: this.exchange } : {}),
      ...(teamsPolicies !== undefined ? { teamsPolicies } : {}),
      ...(incremental ? { previousDeltaLinks: await this.store.deltaLinks(tenantId) } : {}),
      ...(changesSince ? { changesSince } : {}),
      ...(quietCalendars ? { quietCalendars } : {}),
      onProgress,
    });
    if (incremental) {
      // Only what changed was read; carry forward the last run's findings about everything else
      // (drive items the deltas did not return, mailboxes and groups not read again), so an
      // incremental run reports the same open findings as a full one.
      const before = await this.store.findings(previous.id);
      const changedItems = new Set(snapshot.changedDriveItems ?? []);
      // A drive read whole (resynced after its delta link expired) has nothing to carry: an item
      // deleted meanwhile is in no fresh enumeration, so its finding would otherwise live on.
      const wholeDrives = new Set(snapshot.incremental?.drivesRead ?? []);
      const driveOf = (itemKey: string) => itemKey.slice(0, itemKey.lastIndexOf('/'));
      const mailboxes = snapshot.incremental?.mailboxesRead && new Set(snapshot.incremental.mailboxesRead);
      const groups = snapshot.incremental?.groupsRead && new Set(snapshot.incremental.groupsRead);
      const calendars = snapshot.incremental?.calendarsRead && new Set(snapshot.incremental.calendarsRead);
      // Only about people still in the tenant: a leaver's mailbox and calendar are gone with them.
      const people = new Set(snapshot.users.map((u) => u.id));
      const byUpn = new Map(snapshot.users.map((u) => [u.userPrincipalName.toLowerCase(), u.id]));
      // A meeting finding is named "<organiser's sign-in name>: <subject>" (rules/meetings.ts).
      const organiserOf = (name: string) => {
        const end = name.indexOf(': ');
        return end > 0 ? byUpn.get(name.slice(0, end).toLowerCase()) : undefined;
      };
      const unreadMeeting = (name: string) => {
        const organiser = organiserOf(name);
        return organiser !== undefined && !calendars!.has(organiser);
      };
      const carried = before.filter(
        (f) =>
          (f.subject.type === 'drive-item' && !changedItems.has(f.subject.id) && !wholeDrives.has(driveOf(f.subject.id))) ||
          (mailboxes && f.rule === 'mail.inbox-rule.external-forward' && people.has(f.subject.id) && !mailboxes.has(f.subject.id)) ||
          (groups && f.subject.type === 'group' && !groups.has(f.subject.id)) ||
          (calendars && f.subject.type === 'meeting' && unreadMeeting(f.subject.name)),
      );
      report.findings.push(...carried);
      report.controls = recountResults(report.controls, report.findings);
    }
    // An incremental run replaces the links of the drives (and groups) it read; the others' stay as they were.
    const runId = await this.store.saveRun(report, snapshot.deltaLinks, options.trigger, options.actorId ?? null, { incremental });
    // Only once the run is kept: a run that fails leaves the next one to read the same changes.
    await this.watermarks?.set(tenantId, {
      changesFrom: startedAt.toISOString(),
      lastFullAt: incremental ? (mark?.lastFullAt ?? previous.startedAt) : startedAt.toISOString(),
    });
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
