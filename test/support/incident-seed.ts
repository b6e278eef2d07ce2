import { randomUUID } from 'node:crypto';
import type { Insertable, Kysely } from 'kysely';
import { peopleOf } from '../../src/incidents/incident-people-index';
import type { IncidentReport } from '../../src/incidents/incident-report';
import type { Recipient, Routing } from '../../src/incidents/incident-routing';
import type { Database, IncidentDeliveryTable, IncidentEntryTable, IncidentPersonTable, IncidentTable } from '../../src/storage/schema';

/**
 * A school's history of incidents written straight into the tables, thousands at a time, with the
 * rows the intake writes for each (the incident, its report as the first entry, whom it concerns,
 * its queued cards). The entries are not chained or sealed: these specs measure reads, not the log.
 */
export interface SeededIncident {
  reportedAt: string;
  category?: string;
  subCategory?: string;
  involved?: IncidentReport['involved'];
  /** Later entries (acknowledged, note, closed...), each at a time. */
  entries?: Array<{ kind: string; at: string; text?: string }>;
  /** Queued cards, due at `dueAt`, after `attempts` attempts. */
  cards?: Array<{ to: Recipient; attempts?: number; dueAt?: string }>;
}

export async function seedIncidents(db: Kysely<Database>, incidents: SeededIncident[], reporterId = 'seeded-reporter'): Promise<string[]> {
  const ids: string[] = [];
  const rows = {
    incident: [] as Array<Insertable<IncidentTable>>,
    entry: [] as Array<Insertable<IncidentEntryTable>>,
    person: [] as Array<Insertable<IncidentPersonTable>>,
    delivery: [] as Array<Insertable<IncidentDeliveryTable>>,
  };
  for (const s of incidents) {
    const id = randomUUID();
    ids.push(id);
    const category = s.category ?? 'conduct';
    const subCategory = s.subCategory ?? 'cyberbullying';
    const report = {
      submissionId: randomUUID(),
      category,
      subCategory,
      involved: s.involved ?? [],
      whatHappened: 'Unkind messages in a class chat (seeded history).',
      when: s.reportedAt,
      where: '',
      actionsTaken: '',
      illegalOrImmediateRisk: false,
      attachments: [],
      channel: 'tab',
    } as IncidentReport;
    const recipients = (s.cards ?? []).map((c) => c.to);
    const routing: Routing = { recipients, urgent: false, guidance: [], reason: 'seeded' };
    rows.incident.push({
      id,
      submission_id: report.submissionId,
      reported_at: s.reportedAt,
      reporter_id: reporterId,
      category,
      sub_category: subCategory,
      urgent: 0,
    });
    const entry = (kind: string, at: string, body: object): Insertable<IncidentEntryTable> => ({
      incident_id: id,
      kind,
      actor_id: reporterId,
      at,
      body: JSON.stringify(body),
      prev_hash: 'seeded',
      hash: 'seeded',
      body_hash: 'seeded',
      erased_at: null,
      subject_digest: 'seeded',
      deliveries: '[]',
      key_id: 'seeded',
      mac: 'seeded',
    });
    rows.entry.push(entry('reported', s.reportedAt, { report, routing }));
    for (const e of s.entries ?? []) rows.entry.push(entry(e.kind, e.at, { text: e.text ?? '' }));
    rows.person.push(...peopleOf(id, reporterId, report));
    for (const c of s.cards ?? [])
      rows.delivery.push({
        id: randomUUID(),
        incident_id: id,
        recipient: JSON.stringify(c.to),
        status: 'queued',
        attempts: c.attempts ?? 0,
        updated_at: s.reportedAt,
        next_attempt_at: c.dueAt ?? s.reportedAt,
        recipient_id: null,
        activity_id: null,
      });
  }
  const chunks = <T>(xs: T[]) => Array.from({ length: Math.ceil(xs.length / 500) }, (_, i) => xs.slice(i * 500, i * 500 + 500));
  for (const c of chunks(rows.incident)) await db.insertInto('incident').values(c).execute();
  for (const c of chunks(rows.entry)) await db.insertInto('incident_entry').values(c).execute();
  for (const c of chunks(rows.person)) await db.insertInto('incident_person').values(c).execute();
  for (const c of chunks(rows.delivery)) await db.insertInto('incident_delivery').values(c).execute();
  return ids;
}
