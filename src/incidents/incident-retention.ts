import type { Kysely } from 'kysely';
import type { SchoolConfig } from '../config/school-config';
import type { SchoolDirectory } from '../school/school-directory';
import { AuditLog } from '../storage/audit-log';
import type { Database } from '../storage/schema';
import type { Engine } from '../storage/database';
import type { IncidentLogKeys } from './incident-log-key';
import { IncidentStore } from './incident-store';

export interface RetentionDecision {
  incidentId: string;
  reportedAt: string;
  category: string;
  subCategory: string;
  /** The date the record may be erased from; null while it must be kept. */
  retainUntil: string | null;
  why: string;
}

/**
 * The retention rule for incident records. A record about children is kept until the youngest
 * child's date of birth + N years (UK guidance: 25). A record that names no child, or a child whose
 * date of birth the school's data does not hold, is kept: nothing is erased on a guess.
 */
export class IncidentRetention {
  private readonly store: IncidentStore;
  private readonly audit: AuditLog;

  private readonly db: Kysely<Database>;
  private readonly config: SchoolConfig;
  private readonly directory: SchoolDirectory;
  private readonly now: () => Date;

  constructor(deps: {
    db: Kysely<Database>;
    engine: Engine;
    config: SchoolConfig;
    directory: SchoolDirectory;
    clock?: () => Date;
    /** Seals the retention entries (INCIDENT_LOG_KEY when not given). */ logKeys?: IncidentLogKeys;
  }) {
    this.db = deps.db;
    this.config = deps.config;
    this.directory = deps.directory;
    this.now = deps.clock ?? (() => new Date());
    const engine = deps.engine;
    const logKeys = deps.logKeys;
    this.store = new IncidentStore({ db: this.db, engine, clock: this.now, ...(logKeys ? { logKeys } : {}) });
    this.audit = new AuditLog(this.db, this.now);
  }

  /** Every incident still held, with the date it may be erased from (or why it is kept). */
  async review(): Promise<RetentionDecision[]> {
    const { mode, yearsAfterBirth } = this.config.safeguarding.retention;
    const out: RetentionDecision[] = [];
    // Reports already erased are not listed: only what is still held.
    for (const { incident: i, report } of await this.store.reports()) {
      const base = { incidentId: i.id, reportedAt: i.reported_at, category: i.category, subCategory: i.sub_category };
      if (mode === 'keep') {
        out.push({ ...base, retainUntil: null, why: 'the school keeps every record (retention mode "keep")' });
        continue;
      }
      const children = report.involved.filter((p) => p.role === 'student');
      if (children.length === 0) {
        out.push({ ...base, retainUntil: null, why: "names no child: kept (records about adults follow the school's own schedule)" });
        continue;
      }
      const births: string[] = [];
      for (const c of children) {
        const born = c.id ? await this.directory.birthDateOf(c.id) : undefined;
        if (born) births.push(born);
      }
      if (births.length < children.length) {
        out.push({ ...base, retainUntil: null, why: 'a child named has no date of birth on record: kept' });
        continue;
      }
      // The youngest child decides: the record is kept until the last of them reaches the limit.
      const youngest = births.sort().at(-1)!;
      const until = new Date(`${youngest}T00:00:00Z`);
      until.setUTCFullYear(until.getUTCFullYear() + yearsAfterBirth);
      out.push({ ...base, retainUntil: until.toISOString().slice(0, 10), why: `date of birth + ${yearsAfterBirth} years` });
    }
    return out;
  }

  /** The incidents whose retention period has ended. */
  async due(): Promise<RetentionDecision[]> {
    const today = this.now().toISOString().slice(0, 10);
    return (await this.review()).filter((d) => d.retainUntil !== null && d.retainUntil <= today);
  }

  /**
   * Erases the text of every incident that is due, recording who authorised it. Categories and
   * dates stay, so the governors' figures do not change; names and narrative go.
   */
  async apply(authorisedBy: string): Promise<RetentionDecision[]> {
    const due = await this.due();
    for (const d of due) {
      await this.store.log.erase(d.incidentId, authorisedBy, { rule: d.why, retainUntil: d.retainUntil });
      await this.audit.append({
        actorId: authorisedBy,
        action: 'incident.erased-under-retention',
        subjectType: 'incident',
        subjectId: d.incidentId,
        detail: { retainUntil: d.retainUntil },
      });
    }
    return due;
  }
}
