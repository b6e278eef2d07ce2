// better-sqlite3 errors can come from another realm under Jest workers: match on messages.
import { resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { engines, type TestStorage } from '../../test/support/storages';
import { loadSchoolConfig } from '../config/load-school-config';
import { migrateToLatest } from '../storage/migrator';
import { incidentReportSchema } from './incident-report';
import { IncidentLog } from './incident-log';
import { routeIncident } from './incident-routing';

const { safeguarding } = loadSchoolConfig(resolve(__dirname, '../../config/demo-school.yaml'));
const report = (submissionId = '8a6e0804-2bd0-4672-b79e-d97358b37e55') =>
  incidentReportSchema.parse({ submissionId, category: 'conduct', subCategory: 'cyberbullying', whatHappened: 'Name-calling in the Year 8 chat.', when: '2026-11-23T10:15:00Z', channel: 'bot-command' });

describe.each(engines)('the incident log on %s', (_name, open) => {
  let t: TestStorage;
  let log: IncidentLog;
  beforeEach(async () => {
    t = await open();
    log = new IncidentLog(t.storage.db, t.storage.engine);
  });
  afterEach(() => t.dispose());

  it('records a report once, with its cards queued, even when it is submitted twice at once', async () => {
    const r = report();
    const [a, b] = await Promise.all([log.submit(r, 'teacher', routeIncident(r, safeguarding)), log.submit(r, 'teacher', routeIncident(r, safeguarding))]);
    expect(a.incidentId).toBe(b.incidentId);
    expect([a.created, b.created].filter(Boolean)).toHaveLength(1);
    expect(await t.storage.db.selectFrom('incident').selectAll().execute()).toHaveLength(1);
    expect(await log.entries()).toHaveLength(1);
    expect((await t.storage.db.selectFrom('incident_delivery').select('status').execute()).map((d) => d.status)).toEqual(['queued', 'queued', 'queued']);
  });

  it('writes nothing at all when the submission fails part-way', async () => {
    const r = report('0b8f7b6e-6a0a-4c55-9a1e-3f1d2a6b7c8d');
    // A recipient that cannot be serialised makes the last insert of the transaction fail.
    const broken = { ...routeIncident(r, safeguarding), recipients: [undefined as never] };
    await expect(log.submit(r, 'teacher', broken)).rejects.toBeDefined();
    expect(await t.storage.db.selectFrom('incident').selectAll().execute()).toEqual([]);
    expect(await log.entries()).toEqual([]);
  });

  it('is never edited, only added to; the chain verifies', async () => {
    const { incidentId } = await log.submit(report(), 'teacher', routeIncident(report(), safeguarding));
    await log.add(incidentId, 'acknowledged', 'dsl', {});
    await log.add(incidentId, 'note', 'dsl', { text: 'Spoke to both students.' });
    await expect(t.storage.db.updateTable('incident_entry').set({ body: '{}' }).execute()).rejects.toMatchObject({ message: expect.stringMatching(/append-only/) });
    expect(await log.verify()).toEqual({ intact: true, entries: 3 });
  });

  it('names the first broken entry when someone edits a row behind the triggers', async () => {
    const { incidentId } = await log.submit(report(), 'teacher', routeIncident(report(), safeguarding));
    const second = await log.add(incidentId, 'note', 'dsl', { text: 'First note.' });
    await log.add(incidentId, 'note', 'dsl', { text: 'Second note.' });
    // A database administrator drops the protection and changes history.
    if (t.storage.engine === 'postgres') await sql`DROP TRIGGER incident_entry_no_change ON incident_entry`.execute(t.storage.db);
    else await sql`DROP TRIGGER incident_entry_no_update`.execute(t.storage.db);
    await t.storage.db.updateTable('incident_entry').set({ body: JSON.stringify({ text: 'Nothing happened.' }) }).where('seq', '=', second).execute();
    expect(await log.verify()).toMatchObject({ intact: false, brokenAt: second, why: expect.stringMatching(/changed after it was written/) });
  });

  it('notices an entry removed from the middle', async () => {
    const { incidentId } = await log.submit(report(), 'teacher', routeIncident(report(), safeguarding));
    const second = await log.add(incidentId, 'note', 'dsl', { text: 'a' });
    const third = await log.add(incidentId, 'note', 'dsl', { text: 'b' });
    if (t.storage.engine === 'postgres') await sql`DROP TRIGGER incident_entry_no_change ON incident_entry`.execute(t.storage.db);
    else await sql`DROP TRIGGER incident_entry_no_delete`.execute(t.storage.db);
    await t.storage.db.deleteFrom('incident_entry').where('seq', '=', second).execute();
    expect(await log.verify()).toMatchObject({ intact: false, brokenAt: third, why: expect.stringMatching(/removed or changed/) });
  });

  it('lets the retention policy erase what entries say, and nothing else; the chain still verifies', async () => {
    const { incidentId } = await log.submit(report(), 'teacher', routeIncident(report(), safeguarding));
    await log.add(incidentId, 'note', 'dsl', { text: 'Spoke to Jamie.' });
    expect(await log.erase(incidentId, 'dsl', { rule: 'date of birth + 25 years' })).toBe(2);
    const entries = await log.entries(incidentId);
    expect(entries.map((e) => e.kind)).toEqual(['reported', 'note', 'erased-under-retention']);
    expect(entries.slice(0, 2).every((e) => e.body === '{"erased":true}' && e.erased_at)).toBe(true);
    expect(await log.verify()).toEqual({ intact: true, entries: 3 });
    // An erased entry cannot be rewritten, nor a kept one changed under the cover of "erasure".
    await expect(t.storage.db.updateTable('incident_entry').set({ body: '{"text":"invented"}' }).where('seq', '=', entries[0]!.seq).execute()).rejects.toMatchObject({ message: expect.stringMatching(/append-only/) });
    await expect(
      t.storage.db.updateTable('incident_entry').set({ body: '{"erased":true}', erased_at: 'now', kind: 'closed' }).where('seq', '=', entries[2]!.seq).execute(),
    ).rejects.toMatchObject({ message: expect.stringMatching(/append-only/) });
  });
});

describe.each(engines)('upgrading an incident log to erasable entries on %s', (_name, open) => {
  let t: TestStorage;
  afterEach(() => t.dispose());

  /** Entries as release 0005 wrote them: the hash committed to the body itself. */
  async function writeV1Entries(bodies: string[]): Promise<void> {
    const db = t.storage.db as unknown as Kysely<any>;
    await db.insertInto('incident').values({ id: 'i1', submission_id: 's1', reported_at: '2026-01-01T00:00:00Z', reporter_id: 'teacher', category: 'conduct', sub_category: 'cyberbullying', urgent: 0 }).execute();
    let prev = '0'.repeat(64);
    for (const body of bodies) {
      const e = { incident_id: 'i1', kind: 'note', actor_id: 'dsl', at: '2026-01-01T00:00:00Z', body };
      const hash = createHash('sha256').update(JSON.stringify([prev, e.incident_id, e.kind, e.actor_id, e.at, e.body])).digest('hex');
      await db.insertInto('incident_entry').values({ ...e, prev_hash: prev, hash }).execute();
      prev = hash;
    }
  }

  it('re-chains an intact log so that it verifies under the new rule', async () => {
    t = await open('0005-delivery-activity');
    await writeV1Entries(['{"text":"a"}', '{"text":"b"}']);
    await migrateToLatest(t.storage);
    expect(await new IncidentLog(t.storage.db, t.storage.engine).verify()).toEqual({ intact: true, entries: 2 });
  });

  it('refuses to upgrade a log that was tampered with, leaving the evidence as found', async () => {
    t = await open('0005-delivery-activity');
    await writeV1Entries(['{"text":"a"}', '{"text":"b"}']);
    const db = t.storage.db as unknown as Kysely<any>;
    if (t.storage.engine === 'postgres') await sql`DROP TRIGGER incident_entry_no_change ON incident_entry`.execute(db);
    else await sql`DROP TRIGGER incident_entry_no_update`.execute(db);
    await db.updateTable('incident_entry').set({ body: '{"text":"changed"}' }).where('body', '=', '{"text":"b"}').execute();
    await expect(migrateToLatest(t.storage)).rejects.toMatchObject({ message: expect.stringMatching(/broken at entry 2; upgrade refused/) });
  });
});
