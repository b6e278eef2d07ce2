import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Engine } from '../database';
import { makeAppendOnly } from './append-only';

/**
 * Anchors the incident log (issue #14: it must stand up in court). Each entry now also commits to
 * its incident row's digest and to the deliveries queued with it, and is sealed with an HMAC under
 * a key kept outside the database (INCIDENT_LOG_KEY); the head is checkpointed in the append-only
 * audit log. The incident row becomes append-only, and a delivery can change status but cannot be
 * deleted or sent elsewhere. Erasure is allowed for every entry except a retention entry.
 *
 * An existing log is re-anchored only after it verifies under the 0006 rule: a log that was
 * tampered with is left as found, for someone to investigate. (Hash rules are written out here,
 * frozen, because a migration must never change meaning.)
 */
export interface AnchorContext {
  /** Seals with the incident log key; absent when INCIDENT_LOG_KEY is not set. */
  sealIncidentLog?: (data: string) => { keyId: string; mac: string };
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const ERASED = '{"erased":true}';
const RETENTION = 'erased-under-retention';
const MESSAGE = 'incident_entry is append-only (the retention policy may only erase a body)';

interface Entry {
  seq: number;
  incident_id: string;
  kind: string;
  actor_id: string;
  at: string;
  body: string;
  body_hash: string;
  erased_at: string | null;
  prev_hash: string;
  hash: string;
}
interface Incident {
  id: string;
  submission_id: string;
  reported_at: string;
  reporter_id: string;
  category: string;
  sub_category: string;
  urgent: number;
}
type Db = Kysely<{
  incident_entry: Entry & { subject_digest: string | null; deliveries: string | null; key_id: string | null; mac: string | null };
  incident: Incident;
  incident_delivery: { id: string; incident_id: string; recipient: string };
  audit_log: {
    at: string;
    actor_id: string | null;
    action: string;
    subject_type: string;
    subject_id: string | null;
    detail: string;
    correlation_id: string | null;
  };
}>;

const v2Hash = (prev: string, e: Entry) => sha256(JSON.stringify([prev, e.incident_id, e.kind, e.actor_id, e.at, e.body_hash]));
const v3Hash = (prev: string, e: Entry, subjectDigest: string, deliveries: string) =>
  sha256(JSON.stringify([prev, e.incident_id, e.kind, e.actor_id, e.at, e.body_hash, subjectDigest, deliveries]));
const incidentDigest = (i: Incident) =>
  sha256(JSON.stringify([i.id, i.submission_id, i.reported_at, i.reporter_id, i.category, i.sub_category, Number(i.urgent)]));
const deliveryDigest = (d: { incident_id: string; recipient: string }) => sha256(JSON.stringify([d.incident_id, d.recipient]));

export async function up(untyped: Kysely<unknown>, engine: Engine, context: AnchorContext = {}): Promise<void> {
  const db = untyped as unknown as Db;
  const rows = await db
    .selectFrom('incident_entry')
    .select(['seq', 'incident_id', 'kind', 'actor_id', 'at', 'body', 'body_hash', 'erased_at', 'prev_hash', 'hash'])
    .orderBy('seq')
    .execute();
  let prev = '0'.repeat(64);
  for (const row of rows) {
    const bodyHolds = row.erased_at ? row.body === ERASED : sha256(row.body) === row.body_hash;
    if (row.prev_hash !== prev || v2Hash(row.prev_hash, row) !== row.hash || !bodyHolds) {
      throw new Error(`The incident log is broken at entry ${row.seq}; upgrade refused so the evidence stays as found. Run "esafety incidents verify".`);
    }
    prev = row.hash;
  }
  const seal = context.sealIncidentLog;
  if (rows.length > 0 && !seal) {
    throw new Error(`INCIDENT_LOG_KEY is not set: the incident log's ${rows.length} entries cannot be sealed; set it (docs/incidents.md) and start again.`);
  }

  if (engine === 'postgres') await sql`DROP TRIGGER incident_entry_no_change ON incident_entry`.execute(db);
  else await sql`DROP TRIGGER incident_entry_no_update`.execute(db);
  for (const c of ['subject_digest', 'deliveries', 'key_id', 'mac']) await db.schema.alterTable('incident_entry').addColumn(c, 'text').execute();

  const incidents = new Map((await db.selectFrom('incident').selectAll().execute()).map((i) => [i.id, i]));
  const deliveries = await db.selectFrom('incident_delivery').select(['id', 'incident_id', 'recipient']).orderBy('id').execute();
  const firstEntry = new Set<string>();
  prev = '0'.repeat(64);
  let head: { seq: number; hash: string } | undefined;
  for (const row of rows) {
    const incident = incidents.get(row.incident_id)!;
    // Deliveries are only ever queued with the report, so the incident's first entry holds them.
    const own = firstEntry.has(row.incident_id) ? [] : deliveries.filter((d) => d.incident_id === row.incident_id).map((d) => [d.id, deliveryDigest(d)]);
    firstEntry.add(row.incident_id);
    const subjectDigest = incidentDigest(incident);
    const list = JSON.stringify(own);
    const hash = v3Hash(prev, row, subjectDigest, list);
    const { keyId, mac } = seal!(`incident-log-entry:${hash}`);
    await db
      .updateTable('incident_entry')
      .set({ subject_digest: subjectDigest, deliveries: list, prev_hash: prev, hash, key_id: keyId, mac })
      .where('seq', '=', Number(row.seq))
      .execute();
    prev = hash;
    head = { seq: Number(row.seq), hash };
  }
  if (head) {
    const at = new Date().toISOString();
    const { keyId, mac } = seal!(`incident-log-head:${head.seq}:${head.hash}`);
    await db
      .insertInto('audit_log')
      .values({
        at,
        actor_id: 'system',
        action: 'incident-log.head',
        subject_type: 'incident-log',
        subject_id: String(head.seq),
        detail: JSON.stringify({ seq: head.seq, hash: head.hash, at, keyId, mac }),
        correlation_id: null,
      })
      .execute();
    await db
      .insertInto('audit_log')
      .values({
        at,
        actor_id: 'system',
        action: 'incident-log.re-anchored',
        subject_type: 'incident-log',
        subject_id: String(head.seq),
        detail: JSON.stringify({ entries: rows.length, keyId }),
        correlation_id: null,
      })
      .execute();
  }

  // Allowed: the body of an entry (not a retention entry) not yet erased becomes the erased marker,
  // with erased_at set and every other column as it was. Refused: anything else, and every delete.
  // Null-safe comparisons: with a plain `=`, a NULL would make the condition unknown and let it by.
  const same = engine === 'postgres' ? 'IS NOT DISTINCT FROM' : 'IS';
  const unchanged = ['seq', 'incident_id', 'kind', 'actor_id', 'at', 'prev_hash', 'hash', 'body_hash', 'subject_digest', 'deliveries', 'key_id', 'mac']
    .map((c) => `NEW.${c} ${same} OLD.${c}`)
    .join(' AND ');
  const erasure = `OLD.kind <> '${RETENTION}' AND OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL AND NEW.body ${same} '${ERASED}' AND ${unchanged}`;
  // A delivery changes status as it is sent; where it goes, and that it exists, never change.
  const deliveryKept = ['id', 'incident_id', 'recipient'].map((c) => `NEW.${c} ${same} OLD.${c}`).join(' AND ');
  const deliveryMessage = 'incident_delivery rows are kept: only their status may change';
  if (engine === 'postgres') {
    await sql
      .raw(
        `CREATE OR REPLACE FUNCTION incident_entry_is_append_only() RETURNS trigger AS $$ BEGIN IF TG_OP = 'UPDATE' AND ${erasure} THEN RETURN NEW; END IF; RAISE EXCEPTION '${MESSAGE}'; END; $$ LANGUAGE plpgsql`,
      )
      .execute(db);
    await sql`CREATE TRIGGER incident_entry_no_change BEFORE UPDATE OR DELETE ON incident_entry FOR EACH ROW EXECUTE FUNCTION incident_entry_is_append_only()`.execute(
      db,
    );
    await sql
      .raw(
        `CREATE FUNCTION incident_delivery_is_kept() RETURNS trigger AS $$ BEGIN IF TG_OP = 'UPDATE' AND ${deliveryKept} THEN RETURN NEW; END IF; RAISE EXCEPTION '${deliveryMessage}'; END; $$ LANGUAGE plpgsql`,
      )
      .execute(db);
    await sql`CREATE TRIGGER incident_delivery_kept BEFORE UPDATE OR DELETE ON incident_delivery FOR EACH ROW EXECUTE FUNCTION incident_delivery_is_kept()`.execute(
      db,
    );
  } else {
    await sql
      .raw(`CREATE TRIGGER incident_entry_no_update BEFORE UPDATE ON incident_entry WHEN NOT (${erasure}) BEGIN SELECT RAISE(ABORT, '${MESSAGE}'); END`)
      .execute(db);
    await sql
      .raw(`CREATE TRIGGER incident_delivery_no_delete BEFORE DELETE ON incident_delivery BEGIN SELECT RAISE(ABORT, '${deliveryMessage}'); END`)
      .execute(db);
    await sql
      .raw(
        `CREATE TRIGGER incident_delivery_no_move BEFORE UPDATE ON incident_delivery WHEN NOT (${deliveryKept}) BEGIN SELECT RAISE(ABORT, '${deliveryMessage}'); END`,
      )
      .execute(db);
  }
  await makeAppendOnly(db as unknown as Kysely<unknown>, engine, 'incident');
}
