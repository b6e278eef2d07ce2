import { useDemoGraph } from '../../test/support/demo-graph';
import { aupWorld } from '../../test/support/aup-world';
import { engines, type TestStorage } from '../../test/support/storages';
import { keyPeople } from '../demo-tenant/school-generator';
import { RecordingNotifier } from '../notify/notifier';
import type { Person } from '../school/school-directory';
import { parseCsv, TrainingNotAllowed, TrainingRecords } from './training-records';

/** Policy 002: the head ensures "all staff receive suitable training"; the DSL "facilitates training". */
describe.each(engines)('online-safety training records on %s', (_name, open) => {
  const ctx = useDemoGraph();
  let t: TestStorage;
  let training: TrainingRecords;
  const people: Record<string, Person> = {};
  const now = new Date('2026-11-23T09:00:00Z');
  beforeEach(async () => {
    t = await open();
    const w = aupWorld(t.storage, ctx.graph, new RecordingNotifier());
    for (const [key, u] of Object.entries(keyPeople(ctx.school))) people[key] = (await w.directory.person(u.id))!;
    training = new TrainingRecords({ db: t.storage.db, directory: w.directory, options: { expiringWithinDays: 30 }, clock: () => now });
  });
  afterEach(() => t.dispose());

  it('imports a CSV once (a re-import adds nothing), reports bad lines by number, and shows who is missing or expiring', async () => {
    const p = keyPeople(ctx.school);
    const csv = [
      'upn,course,completedOn,expiresOn,evidenceUrl',
      `${p.teacher.userPrincipalName},Online safety 2026,2026-09-03,,https://school.test/cert/1`,
      `${p.dsl.userPrincipalName},"DSL refresher, level 3",2025-12-10,,`,
      `${p.governor.userPrincipalName},Governor online safety,2026-10-01,2027-10-01,`,
      'nobody@elsewhere.test,Online safety,2026-09-03,,',
      `${p.headteacher.userPrincipalName},Online safety,03/09/2026,,`,
    ].join('\r\n');
    expect(await training.importCsv(csv, people.headteacher!)).toMatchObject({ imported: 3, duplicates: 0, errors: [{ line: 5 }, { line: 6 }] });
    expect(await training.importCsv(csv, people.dsl!)).toMatchObject({ imported: 0, duplicates: 3 });
    const rows = await training.status(people.dsl!);
    const of = (id: string) => rows.find((r) => r.personId === id);
    expect(of(p.teacher.id)).toMatchObject({ status: 'current', expiresOn: '2027-09-03' });
    expect(of(p.dsl.id)).toMatchObject({ status: 'expiring', course: 'DSL refresher, level 3' });
    expect(of(p.governor.id)).toMatchObject({ status: 'current', audience: 'governors' });
    expect(of(p.headteacher.id)).toMatchObject({ status: 'missing' });
    expect(rows[0]!.status).toBe('missing');
    const summary = await training.summary(now);
    expect(summary.counts.governors!.current).toBe(1);
    expect(JSON.stringify(summary)).not.toContain(p.teacher.displayName);
  });

  it('records one session by hand; only the head, the DSL and admins keep the records', async () => {
    const p = keyPeople(ctx.school);
    await expect(
      training.record({ upn: p.teacher.userPrincipalName, course: 'Online safety', completedOn: '2026-09-03' }, people.teacher!),
    ).rejects.toBeInstanceOf(TrainingNotAllowed);
    expect(await training.record({ upn: p.teacher.userPrincipalName, course: 'Online safety', completedOn: '2026-09-03' }, people.headteacher!)).toEqual({
      created: true,
    });
    expect(await training.record({ upn: p.teacher.userPrincipalName, course: 'online safety', completedOn: '2026-09-03' }, people.headteacher!)).toEqual({
      created: false,
    });
  });

  it('refuses a CSV it cannot read, saying where, and imports none of it', async () => {
    const p = keyPeople(ctx.school);
    const csv = ['upn,course,completedOn', `${p.teacher.userPrincipalName},"Online safety,2026-09-03`].join('\n');
    await expect(training.importCsv(csv, people.headteacher!)).rejects.toThrow(/the CSV could not be read: Quote Not Closed.*line 2/);
    expect(await training.status(people.dsl!)).not.toContainEqual(expect.objectContaining({ personId: p.teacher.id, status: 'current' }));
  });

  it('reads rows ending in CR, LF or CRLF alike', () => {
    expect(parseCsv('upn,course\ra@x,"one, two"\nb@x,three\r\n\r\nc@x,four')).toEqual([
      ['upn', 'course'],
      ['a@x', 'one, two'],
      ['b@x', 'three'],
      ['c@x', 'four'],
    ]);
  });

  it('the exported list never lets a spreadsheet run a cell as a formula', async () => {
    const p = keyPeople(ctx.school);
    await training.record({ upn: p.teacher.userPrincipalName, course: '=HYPERLINK("http://evil.test","x")', completedOn: '2026-09-03' }, people.headteacher!);
    const csv = await training.csv(people.headteacher!);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.test"",""x"")"`);
    expect(parseCsv(csv)[0]).toEqual(['name', 'upn', 'audience', 'status', 'course', 'completedOn', 'expiresOn', 'evidenceUrl']);
  });
});
