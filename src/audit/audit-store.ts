import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { AuditLog } from '../storage/audit-log';
import type { AuditFindingTable, AuditRunTable, Database } from '../storage/schema';
import { controlOf } from './controls/catalogue';
import type { ControlResult } from './controls/control';
import { reportFinding } from './controls/report-finding';
import { findingKey, type AuditReport, type Coverage, type PolicyRef, type ReportedFinding, type Severity } from './findings';
import { citeTemplate, type Cite } from './policy-references';

export interface StoredRun {
  id: string;
  tenantId: string;
  startedAt: string;
  finishedAt: string;
  trigger: string;
  stats: AuditReport['stats'];
  coverage: Coverage[];
  /** Each control's result; empty for runs stored before the catalogue. */
  controls: ControlResult[];
  findingCount: number;
}

export interface Acceptance {
  id: string;
  findingKey: string;
  reason: string;
  acceptedBy: string;
  acceptedAt: string;
  expiresAt: string;
}

/** What changed since the last run: the question admins ask first. */
export interface FindingChanges {
  new: ReportedFinding[];
  resolved: ReportedFinding[];
  stillOpen: ReportedFinding[];
}

export function compareRuns(previous: ReportedFinding[], current: ReportedFinding[]): FindingChanges {
  const before = new Map(previous.map((f) => [findingKey(f), f]));
  const now = new Set(current.map(findingKey));
  return {
    new: current.filter((f) => !before.has(findingKey(f))),
    stillOpen: current.filter((f) => before.has(findingKey(f))),
    resolved: previous.filter((f) => !now.has(findingKey(f))),
  };
}

/** Audit runs and their findings, kept so the school can show what it found and when. */
export class AuditStore {
  private readonly log: AuditLog;
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date = () => new Date(),
    /** How stored findings cite their clause: the school's own words (citeFrom(config)). */
    private readonly cite: Cite = citeTemplate,
  ) {
    this.log = new AuditLog(db, now);
  }

  /**
   * The run and all its findings in one transaction: a run is never half-written. The drives'
   * delta links are kept beside the runs, once per tenant: a full run's replace them all (a drive it
   * did not read is read from scratch next time); an incremental run's replace those it read.
   */
  async saveRun(
    report: AuditReport,
    deltaLinks: Record<string, string>,
    trigger: string,
    actorId: string | null = null,
    options: { incremental?: boolean } = {},
  ): Promise<string> {
    const id = randomUUID();
    await this.db.transaction().execute(async (tx) => {
      await this.keepDeltaLinks(tx, report.tenantId, deltaLinks, !!options.incremental);
      await tx
        .insertInto('audit_run')
        .values({
          id,
          tenant_id: report.tenantId,
          started_at: report.startedAt,
          finished_at: report.finishedAt,
          trigger,
          stats: JSON.stringify(report.stats),
          // The areas and the controls' results share the coverage column (no migration needed).
          coverage: JSON.stringify({ areas: report.coverage, controls: report.controls } satisfies StoredCoverage),
          finding_count: report.findings.length,
        })
        .execute();
      const unique = new Map(report.findings.map((f) => [findingKey(f), f]));
      const rows = [...unique.entries()].map(([key, f]) => ({
        run_id: id,
        finding_key: key,
        rule: f.rule,
        severity: f.severity,
        subject_type: f.subject.type,
        subject_id: f.subject.id,
        subject_name: f.subject.name,
        detail: f.detail,
        // The clause and remedy are the control's: only which control (and version) and this
        // subject's own action are kept, and filled in again from the catalogue when read.
        policy_ref: JSON.stringify({ control: f.control } satisfies StoredClause),
        fix: f.action ?? '',
      }));
      for (let i = 0; i < rows.length; i += 100)
        await tx
          .insertInto('audit_finding')
          .values(rows.slice(i, i + 100))
          .execute();
      await this.log.append({ actorId, action: 'audit.run', subjectType: 'audit-run', subjectId: id, detail: { trigger, findings: rows.length } }, tx);
    });
    return id;
  }

  /** Each drive's newest delta link, where an incremental run starts from. */
  async deltaLinks(tenantId: string, db: Kysely<Database> = this.db): Promise<Record<string, string>> {
    const row = await db.selectFrom('audit_delta_links').select('links').where('tenant_id', '=', tenantId).executeTakeFirst();
    return row ? (JSON.parse(row.links) as Record<string, string>) : {};
  }

  private async keepDeltaLinks(tx: Kysely<Database>, tenantId: string, read: Record<string, string>, incremental: boolean): Promise<void> {
    const links = JSON.stringify(incremental ? { ...(await this.deltaLinks(tenantId, tx)), ...read } : read);
    await tx
      .insertInto('audit_delta_links')
      .values({ tenant_id: tenantId, links })
      .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ links }))
      .execute();
  }

  async lastRun(tenantId: string, before?: string): Promise<StoredRun | undefined> {
    let q = this.db.selectFrom('audit_run').selectAll().where('tenant_id', '=', tenantId).orderBy('finished_at', 'desc').orderBy('id', 'desc').limit(1);
    if (before) q = q.where('id', '!=', before);
    const row = await q.executeTakeFirst();
    return row && toRun(row);
  }

  async runs(tenantId: string, limit = 30): Promise<StoredRun[]> {
    const rows = await this.db.selectFrom('audit_run').selectAll().where('tenant_id', '=', tenantId).orderBy('finished_at', 'desc').limit(limit).execute();
    return rows.map(toRun);
  }

  /**
   * Finding counts by severity for the recent runs, oldest first: the trend on the admin page.
   * It reads each run's id and time only, never its coverage or stats.
   */
  async trend(tenantId: string, limit = 30): Promise<Array<{ id: string; finishedAt: string; high: number; medium: number; low: number }>> {
    const runs = (
      await this.db
        .selectFrom('audit_run')
        .select(['id', 'finished_at'])
        .where('tenant_id', '=', tenantId)
        .orderBy('finished_at', 'desc')
        .limit(limit)
        .execute()
    )
      .map((r) => ({ id: r.id, finishedAt: r.finished_at }))
      .reverse();
    if (!runs.length) return [];
    const counts = await this.db
      .selectFrom('audit_finding')
      .select(['run_id', 'severity', (eb) => eb.fn.countAll<number>().as('n')])
      .where(
        'run_id',
        'in',
        runs.map((r) => r.id),
      )
      .groupBy(['run_id', 'severity'])
      .execute();
    return runs.map((r) => {
      const of = (s: string) => Number(counts.find((c) => c.run_id === r.id && c.severity === s)?.n ?? 0);
      return { id: r.id, finishedAt: r.finishedAt, high: of('high'), medium: of('medium'), low: of('low') };
    });
  }

  async findings(runId: string): Promise<ReportedFinding[]> {
    const rows = await this.db.selectFrom('audit_finding').selectAll().where('run_id', '=', runId).execute();
    return rows.map((r) => toFinding(r, this.cite));
  }

  /** An admin accepts a finding for a reason until a date; it is recorded in the audit log. */
  async accept(key: string, reason: string, expiresAt: Date, acceptedBy: string): Promise<Acceptance> {
    if (!reason.trim()) throw new Error('an acceptance needs a reason');
    if (expiresAt <= this.now()) throw new Error('an acceptance must expire in the future');
    const acceptance: Acceptance = {
      id: randomUUID(),
      findingKey: key,
      reason: reason.trim(),
      acceptedBy,
      acceptedAt: this.now().toISOString(),
      expiresAt: expiresAt.toISOString(),
    };
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('finding_acceptance')
        .values({
          id: acceptance.id,
          finding_key: key,
          reason: acceptance.reason,
          accepted_by: acceptedBy,
          accepted_at: acceptance.acceptedAt,
          expires_at: acceptance.expiresAt,
        })
        .execute();
      await this.log.append(
        {
          actorId: acceptedBy,
          action: 'audit.finding.accepted',
          subjectType: 'finding',
          subjectId: key,
          detail: { reason: acceptance.reason, expiresAt: acceptance.expiresAt },
        },
        tx,
      );
    });
    return acceptance;
  }

  /** Acceptances still in force, by finding key. An expired one no longer hides its finding. */
  async activeAcceptances(): Promise<Map<string, Acceptance>> {
    const rows = await this.db.selectFrom('finding_acceptance').selectAll().where('expires_at', '>', this.now().toISOString()).orderBy('accepted_at').execute();
    return new Map(
      rows.map((r) => [
        r.finding_key,
        { id: r.id, findingKey: r.finding_key, reason: r.reason, acceptedBy: r.accepted_by, acceptedAt: r.accepted_at, expiresAt: r.expires_at },
      ]),
    );
  }
}

/** What the coverage column holds: the areas and the controls' results (a bare array before the catalogue). */
interface StoredCoverage {
  areas: Coverage[];
  controls: ControlResult[];
}

/** What the policy_ref column holds: the control (with its version); a full clause in runs before the catalogue. */
type StoredClause = { control?: string } | { file: string; heading: string; quote: string } | PolicyRef;

function toFinding(r: Selectable<AuditFindingTable>, cite: Cite): ReportedFinding {
  const base = {
    rule: r.rule,
    subject: { type: r.subject_type, id: r.subject_id, name: r.subject_name },
    detail: r.detail,
  };
  const severity = r.severity as Severity;
  const stored = JSON.parse(r.policy_ref) as StoredClause;
  const control = controlOf(r.rule);
  if ('control' in stored && stored.control && control) {
    const f = reportFinding(control, { ...base, ...(severity !== control.severity ? { severity } : {}), ...(r.fix ? { action: r.fix } : {}) }, cite);
    return { ...f, control: stored.control };
  }
  // A run from before the catalogue, or a control since retired: shown as it was stored.
  const policyRef: PolicyRef =
    'citation' in stored
      ? stored
      : 'file' in stored
        ? { document: stored.file, section: stored.heading, quote: stored.quote, citation: `${stored.file}, "${stored.heading}"` }
        : { document: '', section: '', quote: '', citation: '' };
  return { ...base, control: control?.id ?? r.rule, title: control?.title ?? r.rule, severity, policyRef, fix: r.fix };
}

function toRun(r: Selectable<AuditRunTable>): StoredRun {
  const coverage = JSON.parse(r.coverage) as StoredCoverage | Coverage[];
  return {
    id: r.id,
    tenantId: r.tenant_id,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    trigger: r.trigger,
    stats: JSON.parse(r.stats),
    coverage: Array.isArray(coverage) ? coverage : coverage.areas,
    controls: Array.isArray(coverage) ? [] : coverage.controls,
    findingCount: Number(r.finding_count),
  };
}
