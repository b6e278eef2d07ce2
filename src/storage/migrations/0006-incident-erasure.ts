import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Engine } from '../database';

/**
 * Retention (UK guidance: child protection records until the child's date of birth + 25 years)
 * means an entry's text must be erasable while the chain still proves nothing else changed. So each
 * entry now commits to a digest of its body (`body_hash`), not the body itself; erasure blanks the
 * body and sets `erased_at`, and the database allows that one change and nothing else.
 *
 * Existing entries are re-chained under the new rule, but only after the old chain has been
 * verified: a log that was tampered with is left as it is, for someone to investigate.
 * (The hash rules are written out here, frozen, because a migration must never change meaning.)
 */
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const v1Hash = (prev: string, e: Row) => sha256(JSON.stringify([prev, e.incident_id, e.kind, e.actor_id, e.at, e.body]));
const v2Hash = (prev: string, e: Row, bodyHash: string) => sha256(JSON.stringify([prev, e.incident_id, e.kind, e.actor_id, e.at, bodyHash]));
const ERASED = '{"erased":true}';
const MESSAGE = 'incident_entry is append-only (the retention policy may only erase a body)';

interface Row {
  seq: number;
  incident_id: string;
  kind: string;
  actor_id: string;
  at: string;
  body: string;
  prev_hash: string;
  hash: string;
}

export async function up(untyped: Kysely<unknown>, engine: Engine): Promise<void> {
  const db = untyped as Kysely<{ incident_entry: Row & { body_hash: string | null; erased_at: string | null } }>;
  const rows = await db
    .selectFrom('incident_entry')
    .select(['seq', 'incident_id', 'kind', 'actor_id', 'at', 'body', 'prev_hash', 'hash'])
    .orderBy('seq')
    .execute();
  let prev = '0'.repeat(64);
  for (const row of rows) {
    if (row.prev_hash !== prev || v1Hash(row.prev_hash, row) !== row.hash) {
      throw new Error(`The incident log is broken at entry ${row.seq}; upgrade refused so the evidence stays as found. Run "esafety incidents verify".`);
    }
    prev = row.hash;
  }

  if (engine === 'postgres') await sql`DROP TRIGGER incident_entry_no_change ON incident_entry`.execute(db);
  else await sql`DROP TRIGGER incident_entry_no_update`.execute(db);
  await db.schema.alterTable('incident_entry').addColumn('body_hash', 'text').execute();
  await db.schema.alterTable('incident_entry').addColumn('erased_at', 'text').execute();

  prev = '0'.repeat(64);
  for (const row of rows) {
    const bodyHash = sha256(row.body);
    const hash = v2Hash(prev, row, bodyHash);
    await db.updateTable('incident_entry').set({ body_hash: bodyHash, prev_hash: prev, hash }).where('seq', '=', Number(row.seq)).execute();
    prev = hash;
  }

  // Allowed: the body of an entry not yet erased becomes the erased marker, with erased_at set and
  // every other column as it was. Refused: anything else, and every delete.
  // Null-safe comparisons: with a plain `=`, a NULL would make the condition unknown and let it by.
  const same = engine === 'postgres' ? 'IS NOT DISTINCT FROM' : 'IS';
  const unchanged = ['seq', 'incident_id', 'kind', 'actor_id', 'at', 'prev_hash', 'hash', 'body_hash'].map((c) => `NEW.${c} ${same} OLD.${c}`).join(' AND ');
  const erasure = `OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL AND NEW.body ${same} '${ERASED}' AND ${unchanged}`;
  if (engine === 'postgres') {
    await sql
      .raw(
        `CREATE OR REPLACE FUNCTION incident_entry_is_append_only() RETURNS trigger AS $$ BEGIN ` +
          `IF TG_OP = 'UPDATE' AND ${erasure} THEN RETURN NEW; END IF; RAISE EXCEPTION '${MESSAGE}'; END; $$ LANGUAGE plpgsql`,
      )
      .execute(db);
    await sql`CREATE TRIGGER incident_entry_no_change BEFORE UPDATE OR DELETE ON incident_entry FOR EACH ROW EXECUTE FUNCTION incident_entry_is_append_only()`.execute(
      db,
    );
  } else {
    await sql
      .raw(`CREATE TRIGGER incident_entry_no_update BEFORE UPDATE ON incident_entry WHEN NOT (${erasure}) BEGIN SELECT RAISE(ABORT, '${MESSAGE}'); END`)
      .execute(db);
  }
}
