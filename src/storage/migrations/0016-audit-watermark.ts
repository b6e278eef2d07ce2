import type { Kysely } from 'kysely';

/**
 * Where an incremental audit resumes (issue 12, part 3): the moment up to which the unified audit
 * log has been read for what changed, and when everything was last read in full (the rolling full
 * sweep: an incremental run after more than N days is a full one). One row per tenant.
 *
 * And what the staff-calendar subscriptions the app keeps (src/lessons/meeting-watch.ts) say: since
 * when each has watched its calendar, and when each calendar last changed, so an incremental audit
 * reads again only the calendars that changed, or that no subscription watched all along.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_watermark')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey())
    // ISO-8601 UTC: changes made from here on are still to be read.
    .addColumn('changes_from', 'text', (c) => c.notNull())
    .addColumn('last_full_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // Null for a subscription made before this migration: it is not trusted to have seen every change.
  await db.schema.alterTable('graph_subscription').addColumn('watching_since', 'text').execute();
  await db.schema
    .createTable('calendar_change')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('changed_at', 'text', (c) => c.notNull())
    .execute();
}
