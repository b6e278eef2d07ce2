import { createHash, randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Engine } from '../storage/database';
import type { Database, IncidentDeliveryTable, IncidentEntryTable, IncidentTable } from '../storage/schema';
import type { IncidentReport } from './incident-report';
import type { Recipient, Routing } from './incident-routing';
import { headText, IncidentLogKeyError, IncidentLogKeys } from './incident-log-key';
import { peopleOf } from './incident-people-index';

export const GENESIS = '0'.repeat(64);

export const ERASED_BODY = '{"erased":true}';
export const RETENTION_KIND = 'erased-under-retention';
/** The audit log action of a checkpoint of the chain's head (one per entry, in its transaction). */
export const HEAD_CHECKPOINT = 'incident-log.head';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

type Commitments = { incident_id: string; kind: string; actor_id: string; at: string; body_hash: string; subject_digest: string; deliveries: string };

/**
 * The fields an entry's hash commits to, in a fixed order, with the previous entry's hash: the
 * body's digest rather than the body (so retention can erase a body and the chain still holds),
 * the incident row's digest (so its category, urgency or reporter cannot change unseen) and the
 * deliveries queued with the entry (so a card cannot be made never to have been sent).
 */
export function entryHash(prevHash: string, e: Commitments): string {
  return sha256(JSON.stringify([prevHash, e.incident_id, e.kind, e.actor_id, e.at, e.body_hash, e.subject_digest, e.deliveries]));
}

/** Every field of the incident row that matters in court. */
export function incidentDigest(i: Selectable<IncidentTable>): string {
  return sha256(JSON.stringify([i.id, i.submission_id, i.reported_at, i.reporter_id, i.category, i.sub_category, Number(i.urgent)]));
}

const deliveryDigest = (d: Pick<Selectable<IncidentDeliveryTable>, 'incident_id' | 'recipient'>) => sha256(JSON.stringify([d.incident_id, d.recipient]));
export const entrySealText = (hash: string) => `incident-log-entry:${hash}`;

export interface SubmitResult {
  incidentId: string;
  /** False when the same submission had already been recorded (double click, retry). */
  created: boolean;
}

export type ProblemKind =
  | 'entry-edited'
  | 'entry-removed'
  | 'chain-rewritten-without-key'
  | 'sealed-with-unknown-key'
  | 'erased-without-retention'
  | 'incident-row-edited'
  | 'delivery-deleted'
  | 'delivery-edited'
  | 'missing-tail'
  | 'checkpoint-mismatch';

export interface Problem {
  kind: ProblemKind;
  /** The entry concerned (for a missing tail: the last entry a checkpoint records). */
  seq?: number;
  incidentId?: string;
  why: string;
}

export interface Verification {
  intact: boolean;
  entries: number;
  /** One per thing found wrong, in the order of the chain. */
  problems: Problem[];
  /** The last head a checkpoint recorded, for the report. */
  checkpointedTo?: number;
}

/** A checkpoint of the chain's head: from the audit log, or a line of the external copy. */
export interface Checkpoint {
  seq: number;
  hash: string;
  at: string;
  keyId: string;
  mac: string;
}

/**
 * The incident log: court-safe, so nothing is edited; a correction is a new entry. Each entry's
 * hash commits to the one before it and is sealed with a key kept outside the database, and each
 * new head is checkpointed in the append-only audit log. `verify` names every problem it finds.
 */
export class IncidentLog {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly engine: Engine,
    private readonly now: () => Date = () => new Date(),
    /** Without them, entries can be read and hashes checked, but nothing can be added or sealed. */
    private readonly keys: IncidentLogKeys | undefined = IncidentLogKeys.fromEnvironment(),
  ) {}

  /** One transaction: the incident, its first entry and its queued cards, or nothing at all. */
  async submit(report: IncidentReport, reporterId: string, routing: Routing): Promise<SubmitResult> {
    const existing = await this.bySubmission(report.submissionId);
    if (existing) return { incidentId: existing, created: false };
    const keys = this.sealingKeys();
    const incidentId = randomUUID();
    const at = this.now().toISOString();
    try {
      await this.db.transaction().execute(async (tx) => {
        await tx
          .insertInto('incident')
          .values({
            id: incidentId,
            submission_id: report.submissionId,
            reported_at: at,
            reporter_id: reporterId,
            category: report.category,
            sub_category: report.subCategory,
            urgent: routing.urgent ? 1 : 0,
          })
          .execute();
        const deliveries = routing.recipients.map((r: Recipient) => ({
          id: randomUUID(),
          incident_id: incidentId,
          recipient: JSON.stringify(r),
          status: 'queued' as const,
          attempts: 0,
          updated_at: at,
          next_attempt_at: at,
          recipient_id: null,
          activity_id: null,
        }));
        if (deliveries.length > 0) await tx.insertInto('incident_delivery').values(deliveries).execute();
        // Not part of the chain: an index of whom the report concerns, for a person's chronology.
        await tx
          .insertInto('incident_person')
          .values(peopleOf(incidentId, reporterId, report))
          .execute();
        await this.append(tx, keys, incidentId, 'reported', reporterId, { report, routing }, deliveries);
      });
    } catch (e) {
      // Two instances raced on the same submission: the unique key let one win; answer with it.
      const winner = await this.bySubmission(report.submissionId);
      if (winner) return { incidentId: winner, created: false };
      throw e;
    }
    return { incidentId, created: true };
  }

  /** Adds to an incident (acknowledged, note, escalated, correction...): never edits. */
  async add(incidentId: string, kind: string, actorId: string, body: Record<string, unknown>): Promise<number> {
    const keys = this.sealingKeys();
    return this.db.transaction().execute((tx) => this.append(tx, keys, incidentId, kind, actorId, body));
  }

  async entries(incidentId?: string): Promise<Array<Selectable<IncidentEntryTable>>> {
    let q = this.db.selectFrom('incident_entry').selectAll().orderBy('seq');
    if (incidentId) q = q.where('incident_id', '=', incidentId);
    return q.execute();
  }

  /** The chain's head, sealed: the line the checkpoint job copies out of the database. */
  async head(): Promise<Checkpoint | undefined> {
    const keys = this.sealingKeys();
    const last = await this.db.selectFrom('incident_entry').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    if (!last) return undefined;
    const { keyId, mac } = keys.seal(headText(Number(last.seq), last.hash));
    return { seq: Number(last.seq), hash: last.hash, at: this.now().toISOString(), keyId, mac };
  }

  /**
   * Walks the whole chain and reports every problem: entries changed, removed or re-hashed without
   * the key, bodies erased outside retention, incident rows edited, deliveries deleted, and a tail
   * removed after the last checkpoint (the audit log's, and the external copy when given).
   */
  async verify(external: Checkpoint[] = []): Promise<Verification> {
    const keys = this.keys;
    if (!keys) throw new IncidentLogKeyError('INCIDENT_LOG_KEY is not set: without the key the log cannot be verified (docs/incidents.md)');
    const rows = await this.entries();
    const incidents = new Map((await this.db.selectFrom('incident').selectAll().execute()).map((i) => [i.id, i]));
    const deliveries = new Map((await this.db.selectFrom('incident_delivery').select(['id', 'incident_id', 'recipient']).execute()).map((d) => [d.id, d]));
    const problems: Problem[] = [];
    const problem = (kind: ProblemKind, row: { seq: number | string; incident_id: string } | undefined, why: string) =>
      problems.push({ kind, ...(row ? { seq: Number(row.seq), incidentId: row.incident_id } : {}), why });

    // Which erased entries a retention entry accounts for (older retention entries name none:
    // they cover what came before them in their incident, as 0006 erased).
    const retained = new Map<string, Array<{ seq: number; erased?: number[] }>>();
    for (const r of rows) {
      if (r.kind !== RETENTION_KIND || r.erased_at) continue;
      const erased = (safeParse(r.body) as { erased?: number[] } | undefined)?.erased;
      retained.set(r.incident_id, [...(retained.get(r.incident_id) ?? []), { seq: Number(r.seq), ...(Array.isArray(erased) ? { erased } : {}) }]);
    }
    const rowEdited = new Set<string>();

    let prev = GENESIS;
    for (const row of rows) {
      const seq = Number(row.seq);
      if (row.prev_hash !== prev)
        problem(
          'entry-removed',
          row,
          prev === GENESIS ? 'the first entry does not start the chain: entries before it were removed' : 'the entry before it was removed or changed',
        );
      const bodyHolds = row.erased_at ? row.body === ERASED_BODY : sha256(row.body) === row.body_hash;
      const hashHolds = entryHash(row.prev_hash, row) === row.hash;
      if (!hashHolds || !bodyHolds) problem('entry-edited', row, 'its contents were changed after it was written');
      else if (!keys.knows(row.key_id))
        problem(
          'sealed-with-unknown-key',
          row,
          `sealed with key ${row.key_id ?? '(none)'}, which this verification was not given (INCIDENT_LOG_PREVIOUS_KEYS)`,
        );
      else if (!keys.holds(row.key_id, entrySealText(row.hash), row.mac))
        problem('chain-rewritten-without-key', row, 'its hash is consistent but its seal is not: the chain was rewritten by someone without the key');

      if (row.erased_at || row.body === ERASED_BODY) {
        const covered = (retained.get(row.incident_id) ?? []).some((r) => (r.erased ? r.erased.includes(seq) : r.seq > seq));
        if (!covered || row.kind === RETENTION_KIND)
          problem('erased-without-retention', row, 'its text was erased, but no retention entry records that erasure');
      }

      const incident = incidents.get(row.incident_id);
      if (!rowEdited.has(row.incident_id) && (!incident || incidentDigest(incident) !== row.subject_digest)) {
        rowEdited.add(row.incident_id);
        problem(
          'incident-row-edited',
          row,
          incident ? 'the incident row (category, urgency, reporter or date) is not what the log recorded' : 'the incident row was deleted',
        );
      }
      for (const [id, digest] of parseDeliveries(row.deliveries)) {
        const d = deliveries.get(id);
        if (!d || d.incident_id !== row.incident_id) problem('delivery-deleted', row, `delivery ${id} recorded with this entry is gone`);
        else if (deliveryDigest(d) !== digest) problem('delivery-edited', row, `delivery ${id} no longer goes to the recipient the log recorded`);
      }
      prev = row.hash;
    }

    const bySeq = new Map(rows.map((r) => [Number(r.seq), r]));
    const lastSeq = rows.length > 0 ? Number(rows.at(-1)!.seq) : 0;
    const checkpoints = [
      ...(await this.checkpoints()).map((c) => ({ c, where: 'the audit log' })),
      ...external.map((c) => ({ c, where: 'the external checkpoint copy' })),
    ];
    let checkpointedTo: number | undefined;
    let tail: { c: Checkpoint; where: string } | undefined;
    for (const { c, where } of checkpoints) {
      if (!keys.holds(c.keyId, headText(c.seq, c.hash), c.mac)) {
        problems.push({
          kind: 'checkpoint-mismatch',
          seq: c.seq,
          why: `a checkpoint in ${where} (at ${c.at}) is not sealed with the key: it was forged or altered`,
        });
        continue;
      }
      checkpointedTo = Math.max(checkpointedTo ?? 0, c.seq);
      const entry = bySeq.get(c.seq);
      if (!entry && c.seq > lastSeq) {
        if (!tail || c.seq > tail.c.seq) tail = { c, where };
      } else if (entry && entry.hash !== c.hash) {
        // (A checkpointed entry missing from the middle: the walk above already named the break.)
        problems.push({
          kind: 'checkpoint-mismatch',
          seq: c.seq,
          incidentId: entry.incident_id,
          why: `${where} recorded entry ${c.seq} (at ${c.at}) with a different hash: the chain was rewritten from there`,
        });
      }
    }
    // One line for the tail, from the furthest checkpoint that proves it.
    if (tail)
      problems.push({
        kind: 'missing-tail',
        seq: tail.c.seq,
        why: `${tail.where} recorded entry ${tail.c.seq} (at ${tail.c.at}), but the log ends at entry ${lastSeq}: the entries after it were removed`,
      });
    return { intact: problems.length === 0, entries: rows.length, problems, ...(checkpointedTo !== undefined ? { checkpointedTo } : {}) };
  }

  /** The heads checkpointed in the append-only audit log. */
  async checkpoints(): Promise<Checkpoint[]> {
    const rows = await this.db.selectFrom('audit_log').select(['detail']).where('action', '=', HEAD_CHECKPOINT).orderBy('id').execute();
    return rows.map((r) => JSON.parse(r.detail) as Checkpoint);
  }

  private sealingKeys(): IncidentLogKeys {
    if (!this.keys) throw new IncidentLogKeyError('INCIDENT_LOG_KEY is not set: the incident log cannot seal new entries (docs/incidents.md)');
    return this.keys;
  }

  private async bySubmission(submissionId: string): Promise<string | undefined> {
    return (await this.db.selectFrom('incident').select('id').where('submission_id', '=', submissionId).executeTakeFirst())?.id;
  }

  private async append(
    tx: Transaction<Database>,
    keys: IncidentLogKeys,
    incidentId: string,
    kind: string,
    actorId: string,
    body: Record<string, unknown>,
    deliveries: Array<Pick<Selectable<IncidentDeliveryTable>, 'id' | 'incident_id' | 'recipient'>> = [],
  ): Promise<number> {
    // One writer at a time, so two instances cannot both chain onto the same last entry.
    if (this.engine === 'postgres') await sql`select pg_advisory_xact_lock(hashtext('incident_entry'))`.execute(tx);
    const last = await tx.selectFrom('incident_entry').select('hash').orderBy('seq', 'desc').limit(1).executeTakeFirst();
    const incident = await tx.selectFrom('incident').selectAll().where('id', '=', incidentId).executeTakeFirst();
    if (!incident) throw new Error(`no incident ${incidentId}`);
    const json = JSON.stringify(body);
    const at = this.now().toISOString();
    const entry = {
      incident_id: incidentId,
      kind,
      actor_id: actorId,
      at,
      body: json,
      body_hash: sha256(json),
      erased_at: null,
      subject_digest: incidentDigest(incident),
      deliveries: JSON.stringify(deliveries.map((d) => [d.id, deliveryDigest(d)])),
    };
    const prev_hash = last?.hash ?? GENESIS;
    const hash = entryHash(prev_hash, entry);
    const { keyId, mac } = keys.seal(entrySealText(hash));
    const row = await tx
      .insertInto('incident_entry')
      .values({ ...entry, prev_hash, hash, key_id: keyId, mac })
      .returning('seq')
      .executeTakeFirstOrThrow();
    const seq = Number(row.seq);
    // The head, sealed, where the database refuses changes: deleting the tail leaves this behind.
    const head = keys.seal(headText(seq, hash));
    await tx
      .insertInto('audit_log')
      .values({
        at,
        actor_id: actorId,
        action: HEAD_CHECKPOINT,
        subject_type: 'incident-log',
        subject_id: String(seq),
        detail: JSON.stringify({ seq, hash, at, keyId: head.keyId, mac: head.mac } satisfies Checkpoint),
        correlation_id: null,
      })
      .execute();
    return seq;
  }

  /**
   * Erases what an incident's entries say (retention), in one transaction with an entry recording
   * the erasure, which entries it erased, who authorised it and under which rule. The chain still
   * verifies: each entry keeps the digest its hash commits to. Retention entries themselves are
   * never erased: they hold no personal data, and they are what makes an erasure lawful.
   */
  async erase(incidentId: string, authorisedBy: string, why: Record<string, unknown>): Promise<number> {
    const keys = this.sealingKeys();
    return this.db.transaction().execute(async (tx) => {
      if (this.engine === 'postgres') await sql`select pg_advisory_xact_lock(hashtext('incident_entry'))`.execute(tx);
      const due = await tx
        .selectFrom('incident_entry')
        .select('seq')
        .where('incident_id', '=', incidentId)
        .where('erased_at', 'is', null)
        .where('kind', '!=', RETENTION_KIND)
        .orderBy('seq')
        .execute();
      const seqs = due.map((d) => Number(d.seq));
      if (seqs.length > 0)
        await tx.updateTable('incident_entry').set({ body: ERASED_BODY, erased_at: this.now().toISOString() }).where('seq', 'in', seqs).execute();
      // The names went with the report: the index of whom it concerned goes too (the database
      // allows this only once the report is erased).
      await tx.deleteFrom('incident_person').where('incident_id', '=', incidentId).execute();
      await this.append(tx, keys, incidentId, RETENTION_KIND, authorisedBy, { ...why, erased: seqs });
      return seqs.length;
    });
  }
}

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

function parseDeliveries(s: string | null): Array<[string, string]> {
  const v = s ? safeParse(s) : [];
  return Array.isArray(v) ? (v as Array<[string, string]>) : [];
}
