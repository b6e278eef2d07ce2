import { sql, type Kysely } from 'kysely';
import type { Engine } from '../database';

/**
 * Incidents whose cost follows the work (issue #16).
 *
 * - `incident_delivery.next_attempt_at`: a card nobody can receive yet (no chat with the bot, a
 *   refused mailbox) is tried again later and later (1 minute, doubling, at most 6 hours) instead
 *   of on every report and every sweep; the sweep reads only the cards that are due (indexed).
 *   Existing cards are due at once, as they were.
 * - `incident_person`: who reported each incident and whom it names (by Entra id, or by the name as
 *   typed, lower-cased), so a person's chronology reads only their incidents, not every report.
 *   It is an index of what the log's first entry says, not evidence: the log stays the record.
 *   Its rows cannot be changed, and are deleted only once retention has erased the report they
 *   come from (so no one's name outlives the erasure). Filled here from every report still held.
 *
 * (The person rule is written out here, frozen, because a migration must never change meaning.)
 */
const MESSAGE = 'incident_person rows are kept until retention erases the report they come from';

interface Db {
  incident: { id: string; reporter_id: string };
  incident_entry: { incident_id: string; kind: string; body: string; erased_at: string | null };
  incident_delivery: { id: string; updated_at: string; next_attempt_at: string; attempts: number; status: string };
  incident_person: { incident_id: string; person_id: string | null; name_key: string | null; role: string };
}

export async function up(untyped: Kysely<unknown>, engine: Engine): Promise<void> {
  const db = untyped as unknown as Kysely<Db>;

  await db.schema
    .alterTable('incident_delivery')
    .addColumn('next_attempt_at', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  // Allowed by the delivery trigger (0011): only where a card goes, and that it exists, are fixed.
  await db
    .updateTable('incident_delivery')
    .set((eb) => ({ next_attempt_at: eb.ref('updated_at') }))
    .execute();
  // Before 0013 every sweep (each minute) added an attempt to a card nobody could receive yet, so a
  // card queued a quarter of an hour would meet the new cap of 16 at once and fail unsent. Cards
  // still waiting start the back-off afresh: they get its full two days.
  await db.updateTable('incident_delivery').set({ attempts: 0 }).where('status', 'in', ['queued', 'sending']).execute();
  await db.schema.createIndex('incident_delivery_due').on('incident_delivery').columns(['status', 'next_attempt_at']).execute();

  await db.schema
    .createTable('incident_person')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incident.id'))
    // The Entra id: the reporter's, or a named person's the directory recognised.
    .addColumn('person_id', 'text')
    // A named person's name as typed, trimmed and lower-cased (null for the reporter).
    .addColumn('name_key', 'text')
    // 'reporter' or 'named'.
    .addColumn('role', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incident_person_incident').on('incident_person').column('incident_id').execute();
  await db.schema.createIndex('incident_person_person').on('incident_person').column('person_id').execute();
  await db.schema.createIndex('incident_person_name').on('incident_person').column('name_key').execute();

  const reporters = new Map((await db.selectFrom('incident').select(['id', 'reporter_id']).execute()).map((i) => [i.id, i.reporter_id]));
  // Reports already erased under retention name no one any more, so they are not indexed.
  const reports = await db.selectFrom('incident_entry').select(['incident_id', 'body']).where('kind', '=', 'reported').where('erased_at', 'is', null).execute();
  const rows: Db['incident_person'][] = [];
  for (const r of reports) {
    const reporter = reporters.get(r.incident_id);
    if (reporter !== undefined) rows.push({ incident_id: r.incident_id, person_id: reporter, name_key: null, role: 'reporter' });
    const involved = (JSON.parse(r.body) as { report?: { involved?: Array<{ id?: string; name: string }> } }).report?.involved ?? [];
    for (const p of involved) rows.push({ incident_id: r.incident_id, person_id: p.id ?? null, name_key: p.name.trim().toLowerCase(), role: 'named' });
  }
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto('incident_person')
      .values(rows.slice(i, i + 500))
      .execute();

  const erased = `EXISTS (SELECT 1 FROM incident_entry e WHERE e.incident_id = OLD.incident_id AND e.kind = 'reported' AND e.erased_at IS NOT NULL)`;
  if (engine === 'postgres') {
    await sql
      .raw(
        `CREATE FUNCTION incident_person_is_kept() RETURNS trigger AS $$ BEGIN IF TG_OP = 'DELETE' AND ${erased} THEN RETURN OLD; END IF; RAISE EXCEPTION '${MESSAGE}'; END; $$ LANGUAGE plpgsql`,
      )
      .execute(db);
    await sql`CREATE TRIGGER incident_person_kept BEFORE UPDATE OR DELETE ON incident_person FOR EACH ROW EXECUTE FUNCTION incident_person_is_kept()`.execute(
      db,
    );
  } else {
    await sql.raw(`CREATE TRIGGER incident_person_no_update BEFORE UPDATE ON incident_person BEGIN SELECT RAISE(ABORT, '${MESSAGE}'); END`).execute(db);
    await sql
      .raw(`CREATE TRIGGER incident_person_no_delete BEFORE DELETE ON incident_person WHEN NOT ${erased} BEGIN SELECT RAISE(ABORT, '${MESSAGE}'); END`)
      .execute(db);
  }
}
