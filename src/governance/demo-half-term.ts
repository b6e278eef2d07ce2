import { createHash } from 'node:crypto';
import type { AuditReport, ReportedFinding as Finding } from '../audit/findings';
import { AuditStore } from '../audit/audit-store';
import { IncidentLog } from '../incidents/incident-log';
import { IncidentLogKeys } from '../incidents/incident-log-key';
import type { IncidentReport } from '../incidents/incident-report';
import type { Storage } from '../storage/database';
import type { HalfTerm } from './half-terms';

/** A stable UUID from a seed, so seeding twice finds the same rows (the incident log dedupes on it). */
const uuidOf = (seed: string) => {
  const h = createHash('sha256').update(`demo-half-term|${seed}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
const at = (h: HalfTerm, day: number, hour: number) => new Date(Date.parse(h.from) + day * 86_400_000 + hour * 3_600_000).toISOString();

/**
 * What happened in the demo school over one half-term, so the governors' report shows real figures:
 * incidents (acknowledged, escalated, closed), remote lessons, two tenant audits and training.
 * Each goes through its register's own write path (the incident log's hash chain, the audit store);
 * lessons and training rows are written as their services would. Seeding twice changes nothing.
 */
export async function seedDemoHalfTerm(
  storage: Storage,
  h: HalfTerm,
  people: {
    tenantId: string;
    dsl: string;
    teacher: string;
    headteacher: string;
    staff: Array<{ id: string; upn: string }>;
    classId: string;
    className: string;
  },
  /** The incident log's keys (the demo's come from a file beside its database, not the environment). */
  keys: IncidentLogKeys | undefined = IncidentLogKeys.fromEnvironment(),
): Promise<{ incidents: number; lessons: number; auditRuns: number; training: number }> {
  const already = await storage.db.selectFrom('incident').select('id').where('submission_id', '=', uuidOf('incident-0')).executeTakeFirst();
  if (already) return { incidents: 0, lessons: 0, auditRuns: 0, training: 0 };

  // Incidents: [category, subCategory, day, hours to acknowledge, hours to close (null: open), escalated to]
  const incidents: Array<[IncidentReport['category'], IncidentReport['subCategory'], number, number | null, number | null, string | null]> = [
    ['conduct', 'cyberbullying', 3, 2, 50, null],
    ['conduct', 'cyberbullying', 10, 1, 30, null],
    ['conduct', 'cyberbullying', 24, 4, null, null],
    ['content', 'inappropriate-content', 6, 3, 20, null],
    ['content', 'filtering-failure', 12, 1, 6, null],
    ['contact', 'grooming', 15, 0.5, 120, 'CEOP'],
    ['contact', 'sexting-sgii', 19, 1, 70, "children's social care"],
    ['conduct', 'misuse-of-equipment', 21, 6, 24, null],
    ['commerce', 'scam-or-fraud', 28, 2, 8, null],
    ['conduct', 'data-breach', 33, 5, null, null],
    ['content', 'radicalisation', 38, null, null, null],
  ];
  let n = 0;
  for (const [category, subCategory, day, ack, close, escalated] of incidents) {
    let clock = new Date(at(h, day, 10));
    const log = new IncidentLog(storage.db, storage.engine, () => clock, keys);
    const report: IncidentReport = {
      submissionId: uuidOf(`incident-${n++}`),
      category,
      subCategory,
      involved: [],
      whatHappened: 'A demonstration incident seeded for the governors\u2019 report.',
      when: clock.toISOString(),
      where: '',
      actionsTaken: '',
      illegalOrImmediateRisk: false,
      attachments: [],
      channel: 'tab',
    };
    const { incidentId } = await log.submit(report, people.teacher, { recipients: [], urgent: false, guidance: [], reason: 'demo half-term seed' });
    if (ack !== null) {
      clock = new Date(Date.parse(at(h, day, 10)) + ack * 3_600_000);
      await log.add(incidentId, 'acknowledged', people.dsl, {});
    }
    if (escalated) {
      clock = new Date(clock.getTime() + 3_600_000);
      await log.add(incidentId, 'escalated-to', people.dsl, { text: escalated, to: escalated });
      await log.add(incidentId, 'parents-informed', people.dsl, { text: 'parents or carers informed' });
    }
    if (close !== null) {
      clock = new Date(Date.parse(at(h, day, 10)) + close * 3_600_000);
      await log.add(incidentId, 'closed', people.dsl, {
        text: 'resolved with the family and pastoral team',
        outcome: 'resolved with the family and pastoral team',
      });
    }
  }

  // Remote lessons: eight held, seven recordings found, all announced.
  const lessons = Array.from({ length: 8 }, (_, i) => {
    const starts = at(h, 4 + i * 5, 9);
    const ends = new Date(Date.parse(starts) + 3_600_000).toISOString();
    return {
      id: uuidOf(`lesson-${i}`),
      submission_id: uuidOf(`lesson-sub-${i}`),
      teacher_id: people.teacher,
      class_id: people.classId,
      class_name: people.className,
      title: `Remote lesson ${i + 1}`,
      starts_at: starts,
      ends_at: ends,
      event_id: `demo-event-${i}`,
      online_meeting_id: `demo-meeting-${i}`,
      join_url: `https://teams.microsoft.com/l/meetup-join/demo-half-term-${i}`,
      chat_id: null,
      created_at: starts,
      started_at: starts,
      announced_at: starts,
      ended_at: ends,
      recording_checked_at: ends,
      recording_found: i === 5 ? 0 : 1,
    };
  });
  await storage.db.insertInto('lesson').values(lessons).execute();

  // Two tenant audits: one early, one late; two findings resolved, one new between them.
  const finding = (rule: string, id: string, severity: Finding['severity']): Finding =>
    ({ rule, severity, subject: { type: 'user', id, name: `demo ${id}` }, detail: 'seeded for the demo', policyRef: [], fix: '' }) as unknown as Finding;
  const store = new AuditStore(storage.db, () => new Date(at(h, 50, 0)));
  const run = (day: number, findings: Finding[]): AuditReport => ({
    tenantId: people.tenantId,
    startedAt: at(h, day, 6),
    finishedAt: at(h, day, 7),
    stats: {} as AuditReport['stats'],
    coverage: [],
    controls: [],
    findings,
  });
  await store.saveRun(
    run(2, [
      finding('mail.forwarding-external', 'u1', 'high'),
      finding('sharing.anonymous-links', 'u2', 'medium'),
      finding('tenant.guest-stale', 'u3', 'low'),
      finding('groups.no-owner', 'u4', 'medium'),
    ]),
    {},
    'demo-seed',
  );
  await store.saveRun(
    run(40, [finding('tenant.guest-stale', 'u3', 'low'), finding('groups.no-owner', 'u4', 'medium'), finding('meetings.anonymous-join', 'u5', 'medium')]),
    {},
    'demo-seed',
  );

  // Training: most staff did the September online-safety session; a few the year before.
  const rows = people.staff.map((s, i) => ({
    id: uuidOf(`training-${s.id}`),
    record_key: createHash('sha256').update(`${s.id}|demo online safety|${i}`).digest('hex'),
    person_id: s.id,
    upn: s.upn,
    course: 'Online safety and safeguarding (annual)',
    completed_on: (i % 7 === 0 ? at({ ...h, from: new Date(Date.parse(h.from) - 350 * 86_400_000).toISOString() }, 0, 0) : at(h, 3, 0)).slice(0, 10),
    expires_on: null as string | null,
    evidence_url: '',
    recorded_by: people.headteacher,
    recorded_at: at(h, 3, 12),
  }));
  for (const r of rows) {
    const d = new Date(`${r.completed_on}T00:00:00Z`);
    d.setUTCFullYear(d.getUTCFullYear() + 1);
    r.expires_on = d.toISOString().slice(0, 10);
  }
  // Every fifth member of staff has no record: the head's "missing" list.
  const trained = rows.filter((_, i) => i % 5 !== 4);
  for (let i = 0; i < trained.length; i += 100)
    await storage.db
      .insertInto('training_record')
      .values(trained.slice(i, i + 100))
      .execute();
  return { incidents: incidents.length, lessons: lessons.length, auditRuns: 2, training: trained.length };
}
