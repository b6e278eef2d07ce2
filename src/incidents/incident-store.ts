import { sql, type Kysely, type Selectable } from 'kysely';
import { PrecompiledQuery } from '../storage/precompiled-query';
import type { Database, IncidentDeliveryTable, IncidentEntryTable, IncidentTable } from '../storage/schema';
import { NoSuchIncident } from './incident-errors';
import { IncidentLog, type SubmitResult } from './incident-log';
import { IncidentLogKeys } from './incident-log-key';
import { nameKey } from './incident-people-index';
import type { IncidentReport } from './incident-report';
import type { Recipient, Routing } from './incident-routing';
import { entryLabel, type IncidentView } from './incident-view';

export type IncidentRow = Selectable<IncidentTable>;
export type DeliveryRow = Selectable<IncidentDeliveryTable>;
type EntryRow = Selectable<IncidentEntryTable>;

/** Asked whenever someone's chat is new or changed (every first click of term): compiled once. */
const wakeDeliveriesFor = new PrecompiledQuery((db, v: { recipientId: string; now: string }) =>
  db
    .updateTable('incident_delivery')
    .set({ next_attempt_at: v.now })
    .where('status', '=', 'queued')
    .where('recipient_id', '=', v.recipientId)
    .where('next_attempt_at', '>', v.now),
);

/**
 * Every read and write of incidents, their entries and their card deliveries. The log's entries
 * are written only through the sealed IncidentLog; the rest of the incidents feature holds no SQL.
 */
export class IncidentStore {
  readonly log: IncidentLog;
  private readonly db: Kysely<Database>;
  private readonly now: () => Date;

  constructor(deps: { db: Kysely<Database>; engine: 'sqlite' | 'postgres'; clock?: () => Date; logKeys?: IncidentLogKeys }) {
    this.db = deps.db;
    this.now = deps.clock ?? (() => new Date());
    this.log = new IncidentLog(deps.db, deps.engine, this.now, deps.logKeys ?? IncidentLogKeys.fromEnvironment());
  }

  /** Records a report and queues its cards in one transaction (the log's first entry holds both). */
  submit(report: IncidentReport, reporterId: string, routing: Routing): Promise<SubmitResult> {
    return this.log.submit(report, reporterId, routing);
  }

  /** A new entry in an incident's chronology: every action is an entry, never an edit. */
  add(incidentId: string, kind: string, actorId: string, body: Record<string, unknown>): Promise<number> {
    return this.log.add(incidentId, kind, actorId, body);
  }

  async exists(incidentId: string): Promise<boolean> {
    return !!(await this.db.selectFrom('incident').select('id').where('id', '=', incidentId).executeTakeFirst());
  }

  /** The report and routing as first recorded, or `erased` when retention has cleared them. */
  async first(incidentId: string): Promise<{ report: IncidentReport; routing: Routing } | 'erased'> {
    const [first] = await this.log.entries(incidentId);
    if (!first) throw new NoSuchIncident();
    if (first.erased_at) return 'erased';
    return JSON.parse(first.body) as { report: IncidentReport; routing: Routing };
  }

  /** Every incident's row (reminders look at each open one). */
  async all(): Promise<IncidentRow[]> {
    return this.db.selectFrom('incident').selectAll().execute();
  }

  /** An incident's entries, oldest first (the first holds the report and its routing). */
  entries(incidentId: string): Promise<EntryRow[]> {
    return this.log.entries(incidentId);
  }

  /** Every incident with its report, oldest first (the log's first entry holds the report). */
  async reports(): Promise<Array<{ incident: Pick<IncidentRow, 'id' | 'reported_at' | 'reporter_id' | 'category' | 'sub_category'>; report: IncidentReport }>> {
    const incidents = await this.db
      .selectFrom('incident')
      .select(['id', 'reported_at', 'reporter_id', 'category', 'sub_category'])
      .orderBy('reported_at')
      .execute();
    if (incidents.length === 0) return [];
    const firsts = await this.db
      .selectFrom('incident_entry')
      .select(['incident_id', 'body'])
      .where('kind', '=', 'reported')
      .where('erased_at', 'is', null)
      .execute();
    // An erased report has no `report` left (ERASED_BODY), so it drops out here too.
    const reportOf = new Map(firsts.map((f) => [f.incident_id, (JSON.parse(f.body) as { report?: IncidentReport }).report]));
    return incidents.flatMap((incident) => {
      const report = reportOf.get(incident.id);
      return report ? [{ incident, report }] : [];
    });
  }

  /** Whom each incident was sent to, from its first entry (an erased incident keeps no routing). */
  async recipients(): Promise<Map<string, Routing['recipients']>> {
    const firsts = await this.db
      .selectFrom('incident_entry')
      .select(['incident_id', 'body'])
      .where('kind', '=', 'reported')
      .where('erased_at', 'is', null)
      .execute();
    return new Map(firsts.map((f) => [f.incident_id, (JSON.parse(f.body) as { routing?: Routing }).routing?.recipients ?? []]));
  }

  /** The newest incidents (at most 500), by category and age, each with the kinds of its entries. */
  async newest(filter: { category?: string; reportedBefore?: string }): Promise<Array<{ incident: IncidentRow; kinds: string[] }>> {
    let q = this.db.selectFrom('incident').selectAll().orderBy('reported_at', 'desc').limit(500);
    if (filter.category) q = q.where('category', '=', filter.category);
    if (filter.reportedBefore) q = q.where('reported_at', '<', filter.reportedBefore);
    const rows = await q.execute();
    const entries = rows.length
      ? await this.db
          .selectFrom('incident_entry')
          .select(['incident_id', 'kind'])
          .where(
            'incident_id',
            'in',
            rows.map((r) => r.id),
          )
          .execute()
      : [];
    const kindsOf = new Map<string, string[]>();
    for (const e of entries) kindsOf.set(e.incident_id, [...(kindsOf.get(e.incident_id) ?? []), e.kind]);
    return rows.map((incident) => ({ incident, kinds: kindsOf.get(incident.id) ?? [] }));
  }

  /**
   * Every incident with when it was first acknowledged and first closed: numbers for the governors,
   * no text. One row per incident, aggregated by the database: the report never reads the entries
   * themselves, so its cost grows with the incidents, not with incidents times entries.
   */
  async timings(): Promise<
    Array<Pick<IncidentRow, 'id' | 'reported_at' | 'category' | 'sub_category'> & { acknowledged_at: string | null; closed_at: string | null }>
  > {
    return this.db
      .selectFrom('incident as i')
      .leftJoin('incident_entry as e', (j) => j.onRef('e.incident_id', '=', 'i.id').on('e.kind', 'in', ['acknowledged', 'closed']))
      .select(['i.id', 'i.reported_at', 'i.category', 'i.sub_category'])
      .select((eb) => [
        eb.fn.min<string | null>(eb.case().when('e.kind', '=', 'acknowledged').then(eb.ref('e.at')).end()).as('acknowledged_at'),
        eb.fn.min<string | null>(eb.case().when('e.kind', '=', 'closed').then(eb.ref('e.at')).end()).as('closed_at'),
      ])
      .groupBy(['i.id', 'i.reported_at', 'i.category', 'i.sub_category'])
      .execute();
  }

  /**
   * The incidents a person reported or is named in (by Entra id, or by name as typed), oldest
   * first, from the index written with each report: only theirs are read. An erased report names
   * no one any more, so it is not among them.
   */
  async concerning(who: { id?: string; name: string }): Promise<Array<Pick<IncidentRow, 'id' | 'reported_at' | 'reporter_id'>>> {
    const name = nameKey(who.name);
    if (!who.id && !name) return [];
    return this.db
      .selectFrom('incident')
      .select(['id', 'reported_at', 'reporter_id'])
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('incident_person')
          .select('incident_id')
          .where((w) => w.or([...(who.id ? [w('person_id', '=', who.id)] : []), ...(name ? [w('name_key', '=', name)] : [])])),
      )
      .orderBy('reported_at')
      .orderBy('id')
      .execute();
  }

  /** The incidents that name someone with this id, or whose name contains these words (the queue's filter). */
  async naming(person: string): Promise<Set<string>> {
    const needle = nameKey(person);
    const like = `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = await this.db
      .selectFrom('incident_person')
      .select('incident_id')
      .where('role', '=', 'named')
      .where((w) => w.or([w('person_id', '=', person), sql<boolean>`${w.ref('name_key')} like ${like} escape '\\'`]))
      .execute();
    return new Set(rows.map((r) => r.incident_id));
  }

  /** The incident as its card shows it (no access check: callers check). */
  async view(incidentId: string): Promise<IncidentView> {
    const entries = await this.log.entries(incidentId);
    if (!entries[0]) throw new NoSuchIncident();
    if (entries[0].erased_at) return this.erasedView(incidentId, entries);
    const first = JSON.parse(entries[0].body) as { report: IncidentReport; routing: Routing };
    return {
      id: incidentId,
      category: first.report.category,
      subCategory: first.report.subCategory,
      whatHappened: first.report.whatHappened,
      when: first.report.when,
      where: first.report.where,
      involved: first.report.involved.map((p) => `${p.name} (${p.role})`),
      urgent: first.routing.urgent,
      guidance: first.routing.guidance,
      status: statusFrom(entries.map((e) => e.kind)),
      history: entries.slice(1).map((e) => ({
        kind: e.kind,
        label: entryLabel(e.kind),
        at: e.at,
        text: (JSON.parse(e.body) as { text?: string; outcome?: string }).text ?? (JSON.parse(e.body) as { outcome?: string }).outcome ?? '',
      })),
    };
  }

  /** What is left after erasure under the retention policy: the kind of concern and the dates. */
  private async erasedView(incidentId: string, entries: EntryRow[]): Promise<IncidentView> {
    const i = await this.db.selectFrom('incident').selectAll().where('id', '=', incidentId).executeTakeFirstOrThrow();
    return {
      id: incidentId,
      category: i.category,
      subCategory: i.sub_category,
      whatHappened: "(erased under the school's retention policy)",
      when: i.reported_at,
      where: '',
      involved: [],
      urgent: i.urgent === 1,
      guidance: [],
      status: statusFrom(entries.map((e) => e.kind)),
      history: entries.slice(1).map((e) => ({ kind: e.kind, label: entryLabel(e.kind), at: e.at, text: '' })),
    };
  }

  /**
   * Cards due to go: queued and due (new, or their wait after a failed attempt is over), or claimed
   * by a run that has not finished within `staleAfterMs` (it died). A card waiting out its back-off
   * is not read at all, so a report costs its own cards, not every card nobody could receive.
   */
  async deliveriesDue(staleAfterMs: number): Promise<DeliveryRow[]> {
    const now = this.now();
    const stale = new Date(now.getTime() - staleAfterMs).toISOString();
    return this.db
      .selectFrom('incident_delivery')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'queued'), eb('next_attempt_at', '<=', now.toISOString())]),
          eb.and([eb('status', '=', 'sending'), eb('updated_at', '<', stale)]),
        ]),
      )
      .orderBy('next_attempt_at')
      .execute();
  }

  /**
   * Claims a card for sending, only if nobody changed it since it was read: two delivery runs (here
   * or on another instance) never send it twice. True when this run holds the claim. The claim is
   * the attempt: a run that dies with the card in hand has used one too.
   */
  async claim(d: DeliveryRow): Promise<boolean> {
    const claimed = await this.db
      .updateTable('incident_delivery')
      .set({ status: 'sending', attempts: d.attempts + 1, updated_at: this.now().toISOString() })
      .where('id', '=', d.id)
      .where('status', '=', d.status)
      .where('updated_at', '=', d.updated_at)
      .executeTakeFirst();
    return Number(claimed.numUpdatedRows) === 1;
  }

  /**
   * The cards waiting for this person (they had no chat with the bot) are due now: they have just
   * opened one. How many there are.
   */
  async dueNowFor(recipientId: string): Promise<number> {
    const now = this.now().toISOString();
    const woken = await wakeDeliveriesFor.execute(this.db, { recipientId, now });
    return Number(woken.numAffectedRows ?? 0);
  }

  /** The card could not go this time: back in the queue until `nextAttemptAt` (with whom it is for, when known). */
  async retryLater(d: DeliveryRow, nextAttemptAt: Date, recipientId?: string): Promise<void> {
    await this.db
      .updateTable('incident_delivery')
      .set({
        status: 'queued',
        updated_at: this.now().toISOString(),
        next_attempt_at: nextAttemptAt.toISOString(),
        ...(recipientId ? { recipient_id: recipientId } : {}),
      })
      .where('id', '=', d.id)
      .execute();
  }

  /** The card could not go in all its attempts: failed, never tried again. */
  async failed(d: DeliveryRow): Promise<void> {
    await this.db.updateTable('incident_delivery').set({ status: 'failed', updated_at: this.now().toISOString() }).where('id', '=', d.id).execute();
  }

  /** Sent, with where the copy is, to refresh it later. */
  async delivered(d: DeliveryRow, where: { recipientId?: string; activityId?: string }): Promise<void> {
    await this.db
      .updateTable('incident_delivery')
      .set({
        status: 'sent',
        updated_at: this.now().toISOString(),
        recipient_id: where.recipientId ?? null,
        activity_id: where.activityId ?? null,
      })
      .where('id', '=', d.id)
      .execute();
  }

  /** Where each sent copy of an incident's card is, so every copy can show its new state. */
  async sentCopies(incidentId: string): Promise<Array<{ recipientId: string; activityId: string }>> {
    const copies = await this.db
      .selectFrom('incident_delivery')
      .select(['recipient_id', 'activity_id'])
      .where('incident_id', '=', incidentId)
      .where('status', '=', 'sent')
      .execute();
    return copies.flatMap((c) => (c.recipient_id && c.activity_id ? [{ recipientId: c.recipient_id, activityId: c.activity_id }] : []));
  }
}

export const recipientOf = (d: DeliveryRow): Recipient => JSON.parse(d.recipient) as Recipient;

/** Where an incident stands, from the kinds of its entries: closed, acknowledged, or new. */
export function statusFrom(kinds: readonly string[]): IncidentView['status'] {
  return kinds.includes('closed') ? 'closed' : kinds.includes('acknowledged') ? 'acknowledged' : 'new';
}
