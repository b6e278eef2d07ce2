import pino from 'pino';
import { sql } from 'kysely';
import { useDemoGraph } from '../../test/support/demo-graph';
import { demoConfig } from '../../test/support/aup-world';
import { engines, type TestStorage } from '../../test/support/storages';
import { AuditStore } from '../audit/audit-store';
import { keyPeople } from '../demo-tenant/school-generator';
import { RecordingNotifier } from '../notify/notifier';
import { SchoolDirectory } from '../school/school-directory';
import type { DemoSchool } from '../demo-tenant/school-model';
import { seedDemoHalfTerm } from './demo-half-term';
import { HalfTermReports } from './half-term-report';
import { halfTermById, halfTermOf } from './half-terms';
import { PolicyReviews } from './policy-reviews';
import { halfTermReportHtml } from './report-html';
import { TrainingRecords } from './training-records';
import { IncidentLogKeys } from '../incidents/incident-log-key';

const logKeys = new IncidentLogKeys('the school key vault secret, 32+ characters long');

const AUTUMN_1 = halfTermById('2026-27 autumn 1')!;
const NOW = new Date('2026-11-23T09:00:00Z');

function peopleOf(school: DemoSchool) {
  const p = keyPeople(school);
  const staffIds = new Set(school.groups.find((g) => g.mail.startsWith('allstaff'))!.memberIds);
  const cls = school.groups.find((g) => g.kind === 'class')!;
  return {
    tenantId: school.tenantId,
    dsl: p.dsl.id,
    teacher: p.teacher.id,
    headteacher: p.headteacher.id,
    staff: school.users.filter((u) => staffIds.has(u.id)).map((u) => ({ id: u.id, upn: u.userPrincipalName })),
    classId: cls.id,
    className: cls.displayName,
  };
}

describe('half-terms (the default for English schools)', () => {
  it('splits each term at its half-term break', () => {
    expect(halfTermOf('2026-10-31T23:59:00Z').id).toBe('2026-27 autumn 1');
    expect(halfTermOf('2026-11-01T00:00:00Z').id).toBe('2026-27 autumn 2');
    expect(halfTermOf('2027-02-16T08:00:00Z').id).toBe('2026-27 spring 2');
    expect(halfTermOf('2027-08-31T12:00:00Z').id).toBe('2026-27 summer 2');
    expect(halfTermById('2026-27 autumn 2')).toMatchObject({ from: '2026-11-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' });
    expect(halfTermById('2026-28 autumn 1')).toBeUndefined();
  });
});

/**
 * Policies 001 and 003: incidents are reported to governors "through the half-termly Heads Report";
 * governors must be able to trust every number, so each one is checked against its register.
 */
describe.each(engines)('the half-termly e-safety report on %s', (_name, open) => {
  const ctx = useDemoGraph();
  let t: TestStorage;
  let reports: HalfTermReports;
  beforeEach(async () => {
    t = await open();
    const directory = new SchoolDirectory(ctx.graph, demoConfig);
    const reviews = new PolicyReviews({
      db: t.storage.db,
      config: demoConfig,
      directory,
      notifier: new RecordingNotifier(),
      logger: pino({ level: 'silent' }),
      options: { remindDaysAhead: 30, link: () => '' },
      clock: () => NOW,
    });
    const training = new TrainingRecords({ db: t.storage.db, directory, options: { expiringWithinDays: 30 }, clock: () => NOW });
    const coverage = async (policyId: string) => ({ policyId, title: policyId, version: null, counts: {} });
    reports = new HalfTermReports({
      db: t.storage.db,
      config: demoConfig,
      audits: new AuditStore(t.storage.db),
      coverageOf: coverage,
      reviews,
      training,
      clock: () => NOW,
    });
    await seedDemoHalfTerm(t.storage, AUTUMN_1, peopleOf(ctx.school), logKeys);
  });
  afterEach(() => t.dispose());

  const count = async (query: string) => Number(((await sql.raw(query).execute(t.storage.db)).rows[0] as { n: number | string }).n);

  it("counts the seeded half-term's incidents, by category and by outcome, as the incident log has them", async () => {
    const r = await reports.report(AUTUMN_1);
    const range = `reported_at >= '${AUTUMN_1.from}' and reported_at < '${AUTUMN_1.to}'`;
    expect(r.incidents.total.value).toBe(await count(`select count(*) as n from incident where ${range}`));
    expect(r.incidents.total.value).toBe(11);
    for (const c of r.incidents.byCategory) {
      expect(c.incidents.value).toBe(
        await count(`select count(*) as n from incident where category = '${c.category}' and sub_category = '${c.subCategory}' and ${range}`),
      );
      expect(c.incidents.source.register).toBe('incident');
    }
    expect(r.incidents.byCategory.reduce((a, c) => a + c.incidents.value!, 0)).toBe(r.incidents.total.value);
    const closed = await count(
      `select count(distinct i.id) as n from incident i join incident_entry e on e.incident_id = i.id where e.kind = 'closed' and i.${range}`,
    );
    const acknowledgedOnly =
      (await count(
        `select count(distinct i.id) as n from incident i join incident_entry e on e.incident_id = i.id where e.kind = 'acknowledged' and i.${range}`,
      )) - closed;
    expect(Object.fromEntries(r.incidents.byOutcome.map((o) => [o.outcome, o.incidents.value]))).toEqual({
      closed,
      acknowledged: acknowledgedOnly,
      new: r.incidents.total.value! - closed - acknowledgedOnly,
    });
    expect(r.incidents.escalations.map((e) => [e.to, e.incidents.value])).toEqual([
      ['CEOP', 1],
      ["children's social care", 1],
    ]);
    // Seeded hours to acknowledge: 0.5 1 1 1 2 2 3 4 5 6 -> median (lower) 2.
    expect(r.incidents.medianHoursToAcknowledge.value).toBe(2);
    expect(r.incidents.trend.at(-1)).toMatchObject({ halfTerm: '2026-27 autumn 1', incidents: { value: 11 } });
  });

  it("counts lessons held, recorded and announced, and the audit's open, new and resolved findings, from their registers", async () => {
    const r = await reports.report(AUTUMN_1);
    const lessons = `from lesson where starts_at >= '${AUTUMN_1.from}' and starts_at < '${AUTUMN_1.to}'`;
    expect(r.lessons.held.value).toBe(await count(`select count(*) as n ${lessons}`));
    expect(r.lessons.recorded.value).toBe(await count(`select count(*) as n ${lessons} and recording_found = 1`));
    expect(r.lessons.announced.value).toBe(await count(`select count(*) as n ${lessons} and announced_at is not null`));
    expect(r.lessons.recordedShare).toBe(87.5);
    expect(r.audit.runs.value).toBe(
      await count(`select count(*) as n from audit_run where finished_at >= '${AUTUMN_1.from}' and finished_at < '${AUTUMN_1.to}'`),
    );
    expect({ open: r.audit.open.value, new: r.audit.new.value, resolved: r.audit.resolved.value }).toEqual({ open: 3, new: 3, resolved: 0 });
    const actions = Object.fromEntries(r.actions.map((a) => [a.action, a.count.value]));
    expect(actions['Incidents closed with an outcome']).toBe(
      await count(`select count(*) as n from incident_entry where kind = 'closed' and at >= '${AUTUMN_1.from}' and at < '${AUTUMN_1.to}'`),
    );
    expect(actions['Training sessions recorded']).toBe(
      await count(`select count(*) as n from training_record where completed_on >= '2026-09-01' and completed_on < '2026-11-01'`),
    );
  });

  it("names nobody: no person's name, address or id appears in the report or its printable file", async () => {
    const r = await reports.report(AUTUMN_1);
    const html = halfTermReportHtml(r);
    const text = JSON.stringify(r) + html;
    for (const u of Object.values(keyPeople(ctx.school))) {
      expect(text).not.toContain(u.id);
      expect(text).not.toContain(u.displayName);
      expect(text).not.toContain(u.userPrincipalName);
    }
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|src=/i);
    expect(html).toContain('Where each number came from');
  });

  it('the seed is idempotent: a demo restarted twice shows the same figures', async () => {
    await seedDemoHalfTerm(t.storage, AUTUMN_1, peopleOf(ctx.school), logKeys);
    expect((await reports.report(AUTUMN_1)).incidents.total.value).toBe(11);
  });
});
