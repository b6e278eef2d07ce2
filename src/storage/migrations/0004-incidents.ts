import { sql, type Kysely } from 'kysely';
import type { Engine } from '../database';

/**
 * Incidents: one row per report (its submission id unique, so a double click is one incident),
 * an append-only hash-chained log of everything that happens to it, and a delivery queue written in
 * the same transaction as the report, so a crash leaves the whole incident with its cards queued, or
 * nothing.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  await db.schema
    .createTable('incident')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('submission_id', 'text', (c) => c.notNull().unique())
    .addColumn('reported_at', 'text', (c) => c.notNull())
    .addColumn('reporter_id', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('sub_category', 'text', (c) => c.notNull())
    .addColumn('urgent', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('incident_entry')
    .addColumn('seq', engine === 'postgres' ? 'bigserial' : 'integer', (c) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incident.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incident_entry_incident').on('incident_entry').column('incident_id').execute();

  if (engine === 'postgres') {
    await sql`CREATE FUNCTION incident_entry_is_append_only() RETURNS trigger AS $$
      BEGIN RAISE EXCEPTION 'incident_entry is append-only'; END; $$ LANGUAGE plpgsql`.execute(db);
    await sql`CREATE TRIGGER incident_entry_no_change BEFORE UPDATE OR DELETE ON incident_entry
      FOR EACH ROW EXECUTE FUNCTION incident_entry_is_append_only()`.execute(db);
  } else {
    await sql`CREATE TRIGGER incident_entry_no_update BEFORE UPDATE ON incident_entry
      BEGIN SELECT RAISE(ABORT, 'incident_entry is append-only'); END`.execute(db);
    await sql`CREATE TRIGGER incident_entry_no_delete BEFORE DELETE ON incident_entry
      BEGIN SELECT RAISE(ABORT, 'incident_entry is append-only'); END`.execute(db);
  }

  await db.schema
    .createTable('incident_delivery')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incident.id'))
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incident_delivery_status').on('incident_delivery').column('status').execute();
}
