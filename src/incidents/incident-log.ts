import { createHash, randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Engine } from '../storage/database';
import type { Database, IncidentEntryTable } from '../storage/schema';
import type { IncidentReport } from './incident-report';
import type { Recipient, Routing } from './incident-routing';

export const GENESIS = '0'.repeat(64);

export const ERASED_BODY = '{"erased":true}';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * The fields an entry's hash commits to, in a fixed order, with the previous entry's hash. It
 * commits to the body's digest rather than the body, so a body erased under the retention policy
 * leaves the chain provable (migration 0006).
 */
export function entryHash(prevHash: string, e: { incident_id: string; kind: string; actor_id: string; at: string; body_hash: string }): string {
  return sha256(JSON.stringify([prevHash, e.incident_id, e.kind, e.actor_id, e.at, e.body_hash]));
}

export interface SubmitResult {
  incidentId: string;
  /** False when the same submission had already been recorded (double click, retry). */
  created: boolean;
}

export type Verification = { intact: true; entries: number } | { intact: false; entries: number; brokenAt: number; why: string };

/**
 * The incident log: court-safe, so nothing is edited; a correction is a new entry. Each entry's
 * hash commits to the one before it, so changing or removing any row breaks the chain from there,
 * and `verify` names the first broken entry.
 */
export class IncidentLog {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly engine: Engine,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** One transaction: the incident, its first entry and its queued cards, or nothing at all. */
  async submit(report: IncidentReport, reporterId: string, routing: Routing): Promise<SubmitResult> {
    const existing = await this.bySubmission(report.submissionId);
    if (existing) return { incidentId: existing, created: false };
    const incidentId = randomUUID();
    const at = this.now().toISOString();
    try {
      await this.db.transaction().execute(async (tx) => {
        await tx
          .insertInto('incident')
          .values({ id: incidentId, submission_id: report.submissionId, reported_at: at, reporter_id: reporterId, category: report.category, sub_category: report.subCategory, urgent: routing.urgent ? 1 : 0 })
          .execute();
        await this.append(tx, incidentId, 'reported', reporterId, { report, routing });
        if (routing.recipients.length > 0) {
          await tx
            .insertInto('incident_delivery')
            .values(routing.recipients.map((r: Recipient) => ({ id: randomUUID(), incident_id: incidentId, recipient: JSON.stringify(r), status: 'queued' as const, attempts: 0, updated_at: at, recipient_id: null, activity_id: null })))
            .execute();
        }
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
    return this.db.transaction().execute((tx) => this.append(tx, incidentId, kind, actorId, body));
  }

  async entries(incidentId?: string): Promise<Array<Selectable<IncidentEntryTable>>> {
    let q = this.db.selectFrom('incident_entry').selectAll().orderBy('seq');
    if (incidentId) q = q.where('incident_id', '=', incidentId);
    return q.execute();
  }

  /** Walks the whole chain; the first entry whose hash or link does not hold is named. */
  async verify(): Promise<Verification> {
    const rows = await this.entries();
    let prev = GENESIS;
    for (const [i, row] of rows.entries()) {
      if (row.prev_hash !== prev) return { intact: false, entries: rows.length, brokenAt: Number(row.seq), why: i === 0 ? 'the first entry does not start the chain' : 'an entry before it was removed or changed' };
      if (entryHash(row.prev_hash, row) !== row.hash) return { intact: false, entries: rows.length, brokenAt: Number(row.seq), why: 'its contents were changed after it was written' };
      const bodyHolds = row.erased_at ? row.body === ERASED_BODY : sha256(row.body) === row.body_hash;
      if (!bodyHolds) return { intact: false, entries: rows.length, brokenAt: Number(row.seq), why: 'its contents were changed after it was written' };
      prev = row.hash;
    }
    return { intact: true, entries: rows.length };
  }

  private async bySubmission(submissionId: string): Promise<string | undefined> {
    return (await this.db.selectFrom('incident').select('id').where('submission_id', '=', submissionId).executeTakeFirst())?.id;
  }

  private async append(tx: Transaction<Database>, incidentId: string, kind: string, actorId: string, body: Record<string, unknown>): Promise<number> {
    // One writer at a time, so two instances cannot both chain onto the same last entry.
    if (this.engine === 'postgres') await sql`select pg_advisory_xact_lock(hashtext('incident_entry'))`.execute(tx);
    const last = await tx.selectFrom('incident_entry').select('hash').orderBy('seq', 'desc').limit(1).executeTakeFirst();
    const json = JSON.stringify(body);
    const entry = { incident_id: incidentId, kind, actor_id: actorId, at: this.now().toISOString(), body: json, body_hash: sha256(json), erased_at: null };
    const prev_hash = last?.hash ?? GENESIS;
    const row = await tx.insertInto('incident_entry').values({ ...entry, prev_hash, hash: entryHash(prev_hash, entry) }).returning('seq').executeTakeFirstOrThrow();
    return Number(row.seq);
  }

  /**
   * Erases what an incident's entries say (retention), in one transaction with an entry recording
   * the erasure, who authorised it and under which rule. The chain still verifies: each entry keeps
   * the digest its hash commits to.
   */
  async erase(incidentId: string, authorisedBy: string, why: Record<string, unknown>): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      const erased = await tx.updateTable('incident_entry').set({ body: ERASED_BODY, erased_at: this.now().toISOString() }).where('incident_id', '=', incidentId).where('erased_at', 'is', null).executeTakeFirst();
      await this.append(tx, incidentId, 'erased-under-retention', authorisedBy, why);
      return Number(erased.numUpdatedRows);
    });
  }
}
