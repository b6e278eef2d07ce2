import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { Kysely } from 'kysely';
import pino from 'pino';
import { countingDb, type DatabaseWork } from '../../test/support/counting-db';
import { useDemoGraph } from '../../test/support/demo-graph';
import { seedIncidents, type SeededIncident } from '../../test/support/incident-seed';
import { engines, type TestStorage } from '../../test/support/storages';
import { loadSchoolConfig } from '../config/load-school-config';
import { keyPeople } from '../demo-tenant/school-generator';
import { RecordingNotifier } from '../notify/notifier';
import { SchoolDirectory, type Person } from '../school/school-directory';
import { migrateToLatest } from '../storage/migrator';
import { IncidentLog } from './incident-log';
import { IncidentLogKeys } from './incident-log-key';
import { IncidentService } from './incident-service';
import { IncidentStore } from './incident-store';

const logKeys = new IncidentLogKeys('the school key vault secret, 32+ characters long');
const config = loadSchoolConfig(resolve(__dirname, '../../config/demo-school.yaml'));
const HOUR = 3_600_000;

/** A school's history: an incident an hour, a third acknowledged after 2 hours, a fifth closed after 30, each with a note. */
const history = (n: number, from: number): SeededIncident[] =>
  Array.from({ length: n }, (_, k) => {
    const i = from + k;
    const reported = Date.UTC(2019, 0, 1) + i * HOUR;
    const at = (h: number) => new Date(reported + h * HOUR).toISOString();
    return {
      reportedAt: at(0),
      subCategory: i % 2 ? 'cyberbullying' : 'misuse-of-equipment',
      involved: [{ name: `Pupil ${i}`, role: 'student' as const }],
      entries: [
        { kind: 'note', at: at(1), text: 'Spoke to the class teacher.' },
        ...(i % 3 === 0 ? [{ kind: 'acknowledged', at: at(2) }] : []),
        ...(i % 5 === 0 ? [{ kind: 'closed', at: at(30), text: 'Resolved with both families.' }] : []),
      ],
    };
  });

/**
 * Issue #16: reading incidents costs what is read, not the whole history. At 10,000 incidents, the
 * governors' report reads one row per incident and looks at each once; a person's chronology, the
 * subject access export and the queue's person filter read only that person's incidents: the same
 * work at 10,000 incidents as at 1,000. Counted, not timed.
 */
describe.each(engines)('incidents at 10,000 on %s', (_name, open) => {
  const ctx = useDemoGraph();
  let t: TestStorage;
  let directory: SchoolDirectory;
  const people: Record<string, Person> = {};
  beforeEach(async () => {
    t = await open();
    directory = new SchoolDirectory(ctx.graph, config);
    for (const [key, u] of Object.entries(keyPeople(ctx.school))) people[key] = (await directory.person(u.id))!;
  });
  afterEach(() => t.dispose());

  const counted = (limits: { mostTouches?: number } = {}) => {
    const c = countingDb(t.storage.db, limits);
    const service = new IncidentService({
      db: c.db,
      engine: t.storage.engine,
      config,
      directory,
      notifier: new RecordingNotifier(),
      logger: pino({ level: 'silent' }),
      logKeys,
    });
    return { service, work: c.work, reset: c.reset };
  };

  it('makes the governors’ report from one row per incident, each looked at a bounded number of times', async () => {
    await seedIncidents(t.storage.db, history(10_000, 0));
    const { service, work } = counted({ mostTouches: 100_000 });
    const rows = await service.governorsReport(people.governor!);

    expect(rows.reduce((n, r) => n + r.incidents, 0)).toBe(10_000);
    const first = rows.find((r) => r.subCategory === 'misuse-of-equipment')!;
    expect(first).toMatchObject({ medianHoursToAcknowledge: 2, medianHoursToClose: 30 });
    expect(work.statements).toBe(1);
    expect(work.rowsRead).toBe(10_000);
    // Not "every entry for every incident": each row is looked at a few times, whatever the size.
    expect(work.rowsTouched).toBeLessThanOrEqual(4 * work.rowsRead);
  });

  it('reads a person’s chronology, their subject access export and the queue filtered by them with the same work at 10,000 incidents as at 1,000', async () => {
    const jamie = people.student!;
    const s = counted();
    // Three concerns about Jamie, reported as any other (one names him by id, one by name only).
    const about = async (involved: object[]) =>
      s.service.report(
        {
          submissionId: randomUUID(),
          category: 'conduct',
          subCategory: 'cyberbullying',
          whatHappened: 'Jamie was sent unkind messages in the class chat.',
          when: '2026-11-20T10:00:00Z',
          channel: 'tab',
          involved,
        },
        people.teacher!,
      );
    const { incidentId } = await about([{ id: jamie.id, name: jamie.displayName, role: 'student' }]);
    await s.service.act(incidentId, 'note', people.dsl!, { text: 'Spoke to Jamie and his parents.' });
    await about([{ name: jamie.displayName, role: 'student' }]);
    await about([{ name: 'Someone Else', role: 'student' }]);
    await s.service.settled();

    const measure = async (): Promise<{ chronology: DatabaseWork & { parses: number }; exported: DatabaseWork & { parses: number }; listed: DatabaseWork }> => {
      // Once unmeasured, so the directory's lookups are cached as they are in a running app.
      await s.service.chronologyOf({ id: jamie.id }, people.dsl!);
      const parse = jest.spyOn(JSON, 'parse');
      try {
        s.reset();
        parse.mockClear();
        const chronology = await s.service.chronologyOf({ id: jamie.id }, people.dsl!);
        expect(chronology.incidents).toBe(2);
        expect(chronology.entries.map((e) => e.kind)).toEqual(['reported', 'note', 'reported']);
        const c = { ...s.work, parses: parse.mock.calls.length };
        s.reset();
        parse.mockClear();
        expect(await s.service.exportForPerson(jamie, 'dpo@demo-academy.org.uk')).toHaveLength(2);
        const e = { ...s.work, parses: parse.mock.calls.length };
        s.reset();
        expect(await s.service.list(people.dsl!, { person: 'jamie' })).toHaveLength(2);
        return { chronology: c, exported: e, listed: { ...s.work } };
      } finally {
        parse.mockRestore();
      }
    };

    await seedIncidents(t.storage.db, history(1_000, 0));
    const at1000 = await measure();
    await seedIncidents(t.storage.db, history(9_000, 1_000));
    const at10000 = await measure();

    expect(at10000.chronology).toEqual(at1000.chronology);
    expect(at10000.exported).toEqual(at1000.exported);
    // The queue shows the newest 500 either way; finding Jamie's reads no report.
    expect(at10000.listed).toEqual(at1000.listed);
    expect(at10000.chronology.rowsRead).toBeLessThan(30);
  });
});

describe.each(engines)('upgrading incidents to 0013 on %s', (_name, open) => {
  let t: TestStorage;
  afterEach(() => t.dispose());

  /** A log as 0012 left it: one report naming Jamie (by id) and someone by name, one report already erased. */
  async function write0012Log(): Promise<void> {
    t = await open('0012-governance');
    const db = t.storage.db as unknown as Kysely<any>;
    const incident = (id: string) => ({
      id,
      submission_id: `s-${id}`,
      reported_at: '2026-01-01T00:00:00Z',
      reporter_id: 'teacher-1',
      category: 'conduct',
      sub_category: 'cyberbullying',
      urgent: 0,
    });
    await db
      .insertInto('incident')
      .values([incident('i1'), incident('i2')])
      .execute();
    await db
      .insertInto('incident_delivery')
      .values({ id: 'd1', incident_id: 'i1', recipient: '{"as":"dsl"}', status: 'queued', attempts: 500, updated_at: '2026-01-01T00:05:00Z' })
      .execute();
    const entry = (incidentId: string, body: string, erasedAt: string | null) => ({
      incident_id: incidentId,
      kind: 'reported',
      actor_id: 'teacher-1',
      at: '2026-01-01T00:00:00Z',
      body,
      prev_hash: 'p',
      hash: 'h',
      body_hash: 'b',
      erased_at: erasedAt,
      subject_digest: 'd',
      deliveries: '[]',
      key_id: 'k',
      mac: 'm',
    });
    const report = {
      involved: [
        { id: 'jamie-id', name: ' Jamie Doe ', role: 'student' },
        { name: 'Someone Else', role: 'student' },
      ],
    };
    await db
      .insertInto('incident_entry')
      .values([entry('i1', JSON.stringify({ report, routing: { recipients: [] } }), null), entry('i2', '{"erased":true}', '2026-02-01T00:00:00Z')])
      .execute();
  }

  it('indexes whom every report still held concerns, and makes queued cards due at once with their back-off afresh', async () => {
    await write0012Log();
    await migrateToLatest(t.storage, logKeys);
    const db = t.storage.db;
    expect(
      await db.selectFrom('incident_person').select(['incident_id', 'person_id', 'name_key', 'role']).orderBy('role').orderBy('name_key').execute(),
    ).toEqual([
      { incident_id: 'i1', person_id: 'jamie-id', name_key: 'jamie doe', role: 'named' },
      { incident_id: 'i1', person_id: null, name_key: 'someone else', role: 'named' },
      { incident_id: 'i1', person_id: 'teacher-1', name_key: null, role: 'reporter' },
    ]);
    // Every sweep before 0013 counted an attempt: a card that waited hours starts the back-off afresh.
    expect(await db.selectFrom('incident_delivery').select(['next_attempt_at', 'attempts']).execute()).toEqual([
      { next_attempt_at: '2026-01-01T00:05:00Z', attempts: 0 },
    ]);
    const store = new IncidentStore({ db, engine: t.storage.engine, logKeys });
    expect((await store.concerning({ id: 'jamie-id', name: '' })).map((i) => i.id)).toEqual(['i1']);
    expect((await store.concerning({ name: 'JAMIE DOE' })).map((i) => i.id)).toEqual(['i1']);
    expect((await store.concerning({ id: 'teacher-1', name: 'Amy Clarke' })).map((i) => i.id)).toEqual(['i1']);
  });

  it('refuses to change the index, or to drop a report from it before retention erases the report', async () => {
    await write0012Log();
    await migrateToLatest(t.storage, logKeys);
    const db = t.storage.db;
    await expect(db.updateTable('incident_person').set({ person_id: 'someone-else' }).execute()).rejects.toMatchObject({
      message: expect.stringMatching(/incident_person rows are kept/),
    });
    await expect(db.deleteFrom('incident_person').where('incident_id', '=', 'i1').execute()).rejects.toMatchObject({
      message: expect.stringMatching(/incident_person rows are kept/),
    });
    await new IncidentLog(db, t.storage.engine, undefined, logKeys).erase('i1', 'dsl', { rule: 'test' });
    expect(await db.selectFrom('incident_person').selectAll().execute()).toEqual([]);
  });
});
