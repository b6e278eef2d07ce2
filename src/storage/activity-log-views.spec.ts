import { countingDb } from '../../test/support/counting-db';
import { engines, type TestStorage } from '../../test/support/storages';
import { ActivityLogViews } from './activity-log-views';
import { AuditLog } from './audit-log';

/**
 * Policy 002: what concerns a child's safeguarding is read in full only by the safeguarding team;
 * the IT admin sees that it happened. And a log of years is never read whole to show one page.
 */
describe.each(engines)('the activity log views on %s', (_name, open) => {
  let t: TestStorage;
  beforeAll(async () => {
    t = await open();
    const log = new AuditLog(t.storage.db);
    // 5,000 entries, one in ten about an incident: a few terms of a school's log.
    const rows = Array.from({ length: 5_000 }, (_, i) => ({
      at: new Date(Date.UTC(2026, 8, 1) + i * 60_000).toISOString(),
      actor_id: 'someone',
      action: i % 10 === 0 ? 'incident.read' : 'aup.accepted',
      subject_type: i % 10 === 0 ? 'incident' : 'policy',
      subject_id: i % 10 === 0 ? `incident-${i}` : 'aup',
      detail: JSON.stringify(i % 10 === 0 ? { name: `Pupil ${i}` } : {}),
      correlation_id: null,
    }));
    for (let i = 0; i < rows.length; i += 500)
      await t.storage.db
        .insertInto('audit_log')
        .values(rows.slice(i, i + 500))
        .execute();
    await log.append({ actorId: 'dsl', action: 'incident.acknowledged', subjectType: 'incident', subjectId: 'incident-last', detail: { name: 'Amy Pupil' } });
  });
  afterAll(() => t.dispose());

  it("shows the IT admin the newest entries, oldest first, without a safeguarding entry's subject, reading only that page", async () => {
    const counted = countingDb(t.storage.db);
    const page = await new ActivityLogViews(new AuditLog(counted.db)).forItAdmin(50);
    expect(page).toHaveLength(50);
    expect(page.map((e) => e.id)).toEqual([...page.map((e) => e.id)].sort((a, b) => a - b));
    expect(page.at(-1)).toMatchObject({ action: 'incident.acknowledged', subjectId: null, detail: {}, withheld: true });
    expect(page.filter((e) => e.action === 'aup.accepted').every((e) => !e.withheld && e.subjectId === 'aup')).toBe(true);
    expect(counted.work.rowsRead).toBe(50);
  });

  it('shows the safeguarding team only safeguarding entries, in full, newest last, reading only those', async () => {
    const counted = countingDb(t.storage.db);
    const page = await new ActivityLogViews(new AuditLog(counted.db)).forSafeguarding(20);
    expect(page).toHaveLength(20);
    expect(page.every((e) => e.subjectType === 'incident' && !e.withheld)).toBe(true);
    expect(page.at(-1)).toMatchObject({ subjectId: 'incident-last', detail: { name: 'Amy Pupil' } });
    expect(page.at(-2)).toMatchObject({ subjectId: 'incident-4990', detail: { name: 'Pupil 4990' } });
    expect(counted.work.rowsRead).toBe(20);
  });
});
