import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema';

/** Where the next incremental audit of a tenant resumes. */
export interface Watermark {
  /** Changes made from this moment on have not been read yet. */
  changesFrom: string;
  /** When every area was last read in full: the rolling sweep's clock. */
  lastFullAt: string;
}

/**
 * The incremental audit's watermark, kept apart from the runs (audit-store.ts): a run is a record of
 * what was found; this is where reading resumes. Written only after a run is saved, so a run that
 * fails leaves the next one to read the same changes again.
 */
export class AuditWatermarks {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async get(tenantId: string): Promise<Watermark | undefined> {
    const row = await this.db.selectFrom('audit_watermark').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
    return row && { changesFrom: row.changes_from, lastFullAt: row.last_full_at };
  }

  async set(tenantId: string, mark: Watermark): Promise<void> {
    const values = { changes_from: mark.changesFrom, last_full_at: mark.lastFullAt, updated_at: this.now().toISOString() };
    await this.db
      .insertInto('audit_watermark')
      .values({ tenant_id: tenantId, ...values })
      .onConflict((oc) => oc.column('tenant_id').doUpdateSet(values))
      .execute();
  }

  /**
   * The calendars the app's staff-calendar subscriptions (src/lessons/meeting-watch.ts) have
   * watched all through the window and heard nothing from: they need not be read again. A
   * calendar with no subscription, one made during the window, one made before the app kept that
   * date, or one lapsed by now, is not among them, so it is read.
   */
  async quietCalendars(since: Date, now: Date): Promise<Set<string>> {
    const watched = await this.db
      .selectFrom('graph_subscription')
      .select('user_id')
      .where('watching_since', 'is not', null)
      .where('watching_since', '<=', since.toISOString())
      .where('expires_at', '>=', now.toISOString())
      .execute();
    const changed = await this.db.selectFrom('calendar_change').select('user_id').where('changed_at', '>=', since.toISOString()).execute();
    const heard = new Set(changed.map((c) => c.user_id));
    return new Set(watched.map((w) => w.user_id).filter((id) => !heard.has(id)));
  }
}
