import type { Insertable, Kysely, Selectable } from 'kysely';
import type { AuditLogTable, Database } from './schema';

export interface AuditEntry {
  actorId: string | null;
  action: string;
  subjectType: string;
  subjectId?: string | null;
  detail?: Record<string, unknown>;
  correlationId?: string | null;
}

export interface AuditRecord extends Required<Omit<AuditEntry, 'detail'>> {
  id: number;
  at: string;
  detail: Record<string, unknown>;
}

/** The school's append-only record of who did what: every acceptance, incident read, setting change. */
export class AuditLog {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async append(entry: AuditEntry, db: Kysely<Database> = this.db): Promise<number> {
    const row = await db.insertInto('audit_log').values(this.rowOf(entry)).returning('id').executeTakeFirstOrThrow();
    return Number(row.id);
  }

  /** The row an entry is stored as, for a statement that writes it together with what it records. */
  rowOf(entry: AuditEntry): Omit<Insertable<AuditLogTable>, 'id'> {
    return {
      at: this.now().toISOString(),
      actor_id: entry.actorId,
      action: entry.action,
      subject_type: entry.subjectType,
      subject_id: entry.subjectId ?? null,
      detail: JSON.stringify(entry.detail ?? {}),
      correlation_id: entry.correlationId ?? null,
    };
  }

  async list(filter: { subjectType?: string; subjectId?: string; limit?: number } = {}): Promise<AuditRecord[]> {
    let q = this.db.selectFrom('audit_log').selectAll().orderBy('id', 'asc');
    if (filter.subjectType) q = q.where('subject_type', '=', filter.subjectType);
    if (filter.subjectId) q = q.where('subject_id', '=', filter.subjectId);
    if (filter.limit) q = q.limit(filter.limit);
    return (await q.execute()).map(toRecord);
  }

  /**
   * The newest `limit` entries, oldest first, read by the primary key from the end: a log of years
   * is never read whole to show a page. `safeguardingOnly`: the entries of isSafeguardingEntry.
   */
  async newest(limit: number, options: { safeguardingOnly?: boolean } = {}): Promise<AuditRecord[]> {
    let q = this.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit);
    if (options.safeguardingOnly) q = q.where((eb) => eb.or([eb('action', 'like', 'incident.%'), eb('subject_type', '=', 'incident')]));
    return (await q.execute()).map(toRecord).reverse();
  }
}

function toRecord(r: Selectable<Database['audit_log']>): AuditRecord {
  return {
    id: Number(r.id),
    at: r.at,
    actorId: r.actor_id,
    action: r.action,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
    correlationId: r.correlation_id,
  };
}
