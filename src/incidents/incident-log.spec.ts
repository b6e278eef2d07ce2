// better-sqlite3 errors can come from another realm under Jest workers: match on messages.
import { resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { engines, type TestStorage } from '../../test/support/storages';
import { loadSchoolConfig } from '../config/load-school-config';
import { migrateToLatest } from '../storage/migrator';
import { incidentReportSchema } from './incident-report';
import { IncidentLog, type Checkpoint } from './incident-log';
import { IncidentLogKeys } from './incident-log-key';
import { routeIncident } from './incident-routing';

const keys = new IncidentLogKeys('the school key vault secret, 32+ characters long');
const { safeguarding } = loadSchoolConfig(resolve(__dirname, '../../config/demo-school.yaml'));
const report = (submissionId = '8a6e0804-2bd0-4672-b79e-d97358b37e55') =>
  incidentReportSchema.parse({
    submissionId,
    category: 'conduct',
    subCategory: 'cyberbullying',
    whatHappened: 'Name-calling in the Year 8 chat.',
    when: '2026-11-23T10:15:00Z',
    channel: 'bot-command',
  });

describe.each(engines)('the incident log on %s', (_name, open) => {
  let t: TestStorage;
  let log: IncidentLog;
  beforeEach(async () => {
    t = await open();
    log = new IncidentLog(t.storage.db, t.storage.engine, undefined, keys);
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
    await expect(t.storage.db.updateTable('incident_entry').set({ body: '{}' }).execute()).rejects.toMatchObject({
      message: expect.stringMatching(/append-only/),
    });
    expect(await log.verify()).toMatchObject({ intact: true, entries: 3, problems: [] });
  });

  it('names the first broken entry when someone edits a row behind the triggers', async () => {
    const { incidentId } = await log.submit(report(), 'teacher', routeIncident(report(), safeguarding));
    const second = await log.add(incidentId, 'note', 'dsl', { text: 'First note.' });
    await log.add(incidentId, 'note', 'dsl', { text: 'Second note.' });
    // A database administrator drops the protection and changes history.
    if (t.storage.engine === 'postgres') await sql`DROP TRIGGER incident_entry_no_change ON incident_entry`.execute(t.storage.db);
    else await sql`DROP TRIGGER incident_entry_no_update`.execute(t.storage.db);
    await t.storage.db
      .updateTable('incident_entry')
      .set({ body: JSON.stringify({ text: 'Nothing happened.' }) })
      .where('seq', '=', second)
      .execute();
    expect((await log.verify()).problems).toEqual([
      expect.objectContaining({ kind: 'entry-edited', seq: second, incidentId, why: expect.stringMatching(/changed after it was written/) }),
    ]);
  });

  it('notices an entry removed from the middle', async () => {
    const { incidentId } = await log.submit(report(), 'teacher', routeIncident(report(), safeguarding));
    const second = await log.add(incidentId, 'note', 'dsl', { text: 'a' });
    const third = await log.add(incidentId, 'note', 'dsl', { text: 'b' });
    if (t.storage.engine === 'postgres') await sql`DROP TRIGGER incident_entry_no_change ON incident_entry`.execute(t.storage.db);
    else await sql`DROP TRIGGER incident_entry_no_delete`.execute(t.storage.db);
    await t.storage.db.deleteFrom('incident_entry').where('seq', '=', second).execute();
    expect((await log.verify()).problems).toEqual([
      expect.objectContaining({ kind: 'entry-removed', seq: third, why: expect.stringMatching(/removed or changed/) }),
    ]);
  });

  /** A database administrator drops the protection on `table` (both engines). */
  async function dropProtection(table: 'incident_entry' | 'incident' | 'incident_delivery' | 'audit_log'): Promise<void> {
    const pg: Record<string, string[]> = {
      incident_entry: ['incident_entry_no_change'],
      incident: ['incident_no_change'],
      incident_delivery: ['incident_delivery_kept'],
      audit_log: ['audit_log_no_change'],
    };
    const lite: Record<string, string[]> = {
      incident_entry: ['incident_entry_no_update', 'incident_entry_no_delete'],
      incident: ['incident_no_update', 'incident_no_delete'],
      incident_delivery: ['incident_delivery_no_delete', 'incident_delivery_no_move'],
      audit_log: ['audit_log_no_update', 'audit_log_no_delete'],
    };
    for (const name of (t.storage.engine === 'postgres' ? pg : lite)[table]!) {
      await sql.raw(t.storage.engine === 'postgres' ? `DROP TRIGGER ${name} ON ${table}` : `DROP TRIGGER ${name}`).execute(t.storage.db);
    }
  }
  const kinds = async () => (await log.verify()).problems.map((p) => [p.kind, p.seq]);

  it('notices the last entry deleted: the audit log checkpointed it (missing-tail)', async () => {
    const { incidentId } = await log.submit(report(), 'teacher', routeIncident(report(), safeguarding));
    const last = await log.add(incidentId, 'note', 'dsl', { text: 'Parents called.' });
    await dropProtection('incident_entry');
    await t.storage.db.deleteFrom('incident_entry').where('seq', '=', last).execute();
    expect(await kinds()).toEqual([['missing-tail', last]]);
  });

  it('notices the tail deleted with its audit-log checkpoints, from the external copy', async () => {
    const { incidentId } = await log.submit(report(), 'teacher', routeIncident(report(), safeguarding));
    const last = await log.add(incidentId, 'note', 'dsl', { text: 'Parents called.' });
    const copy = (await log.head())!;
    await dropProtection('incident_entry');
    await dropProtection('audit_log');
    await t.storage.db.deleteFrom('incident_entry').where('seq', '=', last).execute();
    await t.storage.db.deleteFrom('audit_log').where('subject_id', '=', String(last)).execute();
    expect(await log.verify()).toMatchObject({ intact: true });
    expect((await log.verify([copy])).problems.map((p) => [p.kind, p.seq])).toEqual([['missing-tail', last]]);
  });

  it('notices an entry edited and every later hash recomputed by someone without the key', async () => {
    const { incidentId } = await log.submit(report(), 'teacher', routeIncident(report(), safeguarding));
    const second = await log.add(incidentId, 'note', 'dsl', { text: 'Spoke to Jamie.' });
    const third = await log.add(incidentId, 'acknowledged', 'dsl', {});
    await dropProtection('incident_entry');
    const rows = await log.entries();
    let prev = rows[0]!.hash;
    for (const row of rows.slice(1)) {
      const body = row.seq === rows[1]!.seq ? JSON.stringify({ text: 'Nothing happened.' }) : row.body;
      const body_hash = createHash('sha256').update(body).digest('hex');
      const hash = createHash('sha256')
        .update(JSON.stringify([prev, row.incident_id, row.kind, row.actor_id, row.at, body_hash, row.subject_digest, row.deliveries]))
        .digest('hex');
      await t.storage.db.updateTable('incident_entry').set({ body, body_hash, prev_hash: prev, hash }).where('seq', '=', row.seq).execute();
      prev = hash;
    }
    expect(await kinds()).toEqual([
      ['chain-rewritten-without-key', second],
      ['chain-rewritten-without-key', third],
      ['checkpoint-mismatch', second],
      ['checkpoint-mismatch', third],
    ]);
  });

  it('notices a body set to the erased marker without a retention entry (the database allows the erasure itself)', async () => {
    const { incidentId } = await log.submit(report(), 'teacher', routeIncident(report(), safeguarding));
    const note = await log.add(incidentId, 'note', 'dsl', { text: 'Spoke to Jamie.' });
    await t.storage.db.updateTable('incident_entry').set({ body: '{"erased":true}', erased_at: '2026-11-23T12:00:00Z' }).where('seq', '=', note).execute();
    expect(await log.verify()).toMatchObject({
      intact: false,
      problems: [expect.objectContaining({ kind: 'erased-without-retention', seq: note, incidentId })],
    });
  });

  it.each([
    ['category', { category: 'contact' }],
    ['urgency', { urgent: 1 }],
    ['reporter', { reporter_id: 'someone-else' }],
    ['sub-category', { sub_category: 'grooming' }],
    ['date', { reported_at: '2026-01-01T00:00:00Z' }],
  ])("notices the incident row's %s edited", async (_field, change) => {
    const { incidentId } = await log.submit(report(), 'teacher', routeIncident(report(), safeguarding));
    const first = Number((await log.entries())[0]!.seq);
    await log.add(incidentId, 'note', 'dsl', { text: 'a' });
    await expect(t.storage.db.updateTable('incident').set(change).execute()).rejects.toMatchObject({ message: expect.stringMatching(/append-only/) });
    await dropProtection('incident');
    await t.storage.db.updateTable('incident').set(change).execute();
    expect((await log.verify()).problems).toEqual([expect.objectContaining({ kind: 'incident-row-edited', seq: first, incidentId })]);
  });

  it('notices a delivery row deleted, and one sent elsewhere', async () => {
    const { incidentId } = await log.submit(report(), 'teacher', routeIncident(report(), safeguarding));
    const first = Number((await log.entries())[0]!.seq);
    const [gone, moved] = await t.storage.db.selectFrom('incident_delivery').select('id').orderBy('id').execute();
    await expect(t.storage.db.deleteFrom('incident_delivery').where('id', '=', gone!.id).execute()).rejects.toMatchObject({
      message: expect.stringMatching(/only their status may change/),
    });
    await t.storage.db.updateTable('incident_delivery').set({ status: 'sent' }).where('id', '=', moved!.id).execute();
    expect(await log.verify()).toMatchObject({ intact: true });
    await dropProtection('incident_delivery');
    await t.storage.db.deleteFrom('incident_delivery').where('id', '=', gone!.id).execute();
    await t.storage.db.updateTable('incident_delivery').set({ recipient: '{"as":"nobody"}' }).where('id', '=', moved!.id).execute();
    const problems = (await log.verify()).problems;
    expect(problems).toHaveLength(2);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'delivery-deleted', seq: first, incidentId, why: expect.stringContaining(gone!.id) }),
        expect.objectContaining({ kind: 'delivery-edited', seq: first, incidentId, why: expect.stringContaining(moved!.id) }),
      ]),
    );
  });

  it('refuses a checkpoint that was not sealed with the key', async () => {
    await log.submit(report(), 'teacher', routeIncident(report(), safeguarding));
    const forged: Checkpoint = { ...(await log.head())!, seq: 99 };
    expect((await log.verify([forged])).problems).toEqual([
      expect.objectContaining({ kind: 'checkpoint-mismatch', seq: 99, why: expect.stringMatching(/not sealed with the key/) }),
    ]);
  });

  it('verifies entries sealed with a rotated-out key when it is given as a previous key', async () => {
    const { incidentId } = await log.submit(report(), 'teacher', routeIncident(report(), safeguarding));
    const rotated = new IncidentLogKeys("next year's key vault secret, 32+ characters", ['the school key vault secret, 32+ characters long']);
    await new IncidentLog(t.storage.db, t.storage.engine, undefined, rotated).add(incidentId, 'note', 'dsl', { text: 'after rotation' });
    expect(await new IncidentLog(t.storage.db, t.storage.engine, undefined, rotated).verify()).toMatchObject({ intact: true, entries: 2 });
    const forgotten = new IncidentLog(t.storage.db, t.storage.engine, undefined, new IncidentLogKeys("next year's key vault secret, 32+ characters"));
    expect((await forgotten.verify()).problems.map((p) => p.kind)).toEqual(['sealed-with-unknown-key', 'checkpoint-mismatch']);
  });

  it('lets the retention policy erase what entries say, and nothing else; the chain still verifies', async () => {
    const { incidentId } = await log.submit(report(), 'teacher', routeIncident(report(), safeguarding));
    await log.add(incidentId, 'note', 'dsl', { text: 'Spoke to Jamie.' });
    expect(await log.erase(incidentId, 'dsl', { rule: 'date of birth + 25 years' })).toBe(2);
    const entries = await log.entries(incidentId);
    expect(entries.map((e) => e.kind)).toEqual(['reported', 'note', 'erased-under-retention']);
    expect(entries.slice(0, 2).every((e) => e.body === '{"erased":true}' && e.erased_at)).toBe(true);
    expect(await log.verify()).toMatchObject({ intact: true, entries: 3, problems: [] });
    // A retention entry is never erased: it is what makes the erasure lawful.
    await expect(
      t.storage.db.updateTable('incident_entry').set({ body: '{"erased":true}', erased_at: 'now' }).where('seq', '=', entries[2]!.seq).execute(),
    ).rejects.toMatchObject({ message: expect.stringMatching(/append-only/) });
    // An erased entry cannot be rewritten, nor a kept one changed under the cover of "erasure".
    await expect(
      t.storage.db.updateTable('incident_entry').set({ body: '{"text":"invented"}' }).where('seq', '=', entries[0]!.seq).execute(),
    ).rejects.toMatchObject({ message: expect.stringMatching(/append-only/) });
    await expect(
      t.storage.db
        .updateTable('incident_entry')
        .set({ body: '{"erased":true}', erased_at: 'now', kind: 'closed' })
        .where('seq', '=', entries[2]!.seq)
        .execute(),
    ).rejects.toMatchObject({ message: expect.stringMatching(/append-only/) });
  });
});

describe.each(engines)('upgrading an incident log to erasable entries on %s', (_name, open) => {
  let t: TestStorage;
  afterEach(() => t.dispose());

  /** Entries as release 0005 wrote them: the hash committed to the body itself. */
  async function writeV1Entries(bodies: string[]): Promise<void> {
    const db = t.storage.db as unknown as Kysely<any>;
    await db
      .insertInto('incident')
      .values({
        id: 'i1',
        submission_id: 's1',
        reported_at: '2026-01-01T00:00:00Z',
        reporter_id: 'teacher',
        category: 'conduct',
        sub_category: 'cyberbullying',
        urgent: 0,
      })
      .execute();
    let prev = '0'.repeat(64);
    for (const body of bodies) {
      const e = { incident_id: 'i1', kind: 'note', actor_id: 'dsl', at: '2026-01-01T00:00:00Z', body };
      const hash = createHash('sha256')
        .update(JSON.stringify([prev, e.incident_id, e.kind, e.actor_id, e.at, e.body]))
        .digest('hex');
      await db
        .insertInto('incident_entry')
        .values({ ...e, prev_hash: prev, hash })
        .execute();
      prev = hash;
    }
  }

  it('re-chains an intact log so that it verifies under the new rule', async () => {
    t = await open('0005-delivery-activity');
    await writeV1Entries(['{"text":"a"}', '{"text":"b"}']);
    await migrateToLatest(t.storage, keys);
    expect(await new IncidentLog(t.storage.db, t.storage.engine, undefined, keys).verify()).toMatchObject({
      intact: true,
      entries: 2,
      problems: [],
      checkpointedTo: 2,
    });
  });

  it('refuses to upgrade a log that was tampered with, leaving the evidence as found', async () => {
    t = await open('0005-delivery-activity');
    await writeV1Entries(['{"text":"a"}', '{"text":"b"}']);
    const db = t.storage.db as unknown as Kysely<any>;
    if (t.storage.engine === 'postgres') await sql`DROP TRIGGER incident_entry_no_change ON incident_entry`.execute(db);
    else await sql`DROP TRIGGER incident_entry_no_update`.execute(db);
    await db.updateTable('incident_entry').set({ body: '{"text":"changed"}' }).where('body', '=', '{"text":"b"}').execute();
    await expect(migrateToLatest(t.storage, keys)).rejects.toMatchObject({ message: expect.stringMatching(/broken at entry 2; upgrade refused/) });
  });
});

describe.each(engines)('anchoring an existing incident log (0011) on %s', (_name, open) => {
  let t: TestStorage;
  afterEach(() => t.dispose());

  /** A log as 0009 left it: 0006's rule, the hash commits to the body's digest, nothing sealed. */
  async function writeV2Log(): Promise<IncidentLog> {
    t = await open('0009-lessons');
    const db = t.storage.db as unknown as Kysely<any>;
    await db
      .insertInto('incident')
      .values({
        id: 'i1',
        submission_id: 's1',
        reported_at: '2026-01-01T00:00:00Z',
        reporter_id: 'teacher',
        category: 'conduct',
        sub_category: 'cyberbullying',
        urgent: 0,
      })
      .execute();
    await db
      .insertInto('incident_delivery')
      .values({ id: 'd1', incident_id: 'i1', recipient: '{"as":"dsl"}', status: 'sent', attempts: 1, updated_at: '2026-01-01T00:00:00Z' })
      .execute();
    let prev = '0'.repeat(64);
    for (const [kind, body] of [
      ['reported', '{"text":"a"}'],
      ['note', '{"text":"b"}'],
    ] as const) {
      const e = { incident_id: 'i1', kind, actor_id: 'dsl', at: '2026-01-01T00:00:00Z', body, body_hash: createHash('sha256').update(body).digest('hex') };
      const hash = createHash('sha256')
        .update(JSON.stringify([prev, e.incident_id, e.kind, e.actor_id, e.at, e.body_hash]))
        .digest('hex');
      await db
        .insertInto('incident_entry')
        .values({ ...e, prev_hash: prev, hash })
        .execute();
      prev = hash;
    }
    return new IncidentLog(t.storage.db, t.storage.engine, undefined, keys);
  }

  it('seals an intact log, its incident row and its deliveries, so later tampering shows', async () => {
    const log = await writeV2Log();
    await migrateToLatest(t.storage, keys);
    expect(await log.verify()).toMatchObject({ intact: true, entries: 2, checkpointedTo: 2 });
    expect((await log.entries())[0]!.deliveries).toContain('d1');
  });

  it('refuses to anchor a log that was tampered with under the 0006 rule', async () => {
    await writeV2Log();
    const db = t.storage.db as unknown as Kysely<any>;
    if (t.storage.engine === 'postgres') await sql`DROP TRIGGER incident_entry_no_change ON incident_entry`.execute(db);
    else await sql`DROP TRIGGER incident_entry_no_update`.execute(db);
    await db.updateTable('incident_entry').set({ body: '{"text":"changed"}' }).where('kind', '=', 'note').execute();
    await expect(migrateToLatest(t.storage, keys)).rejects.toMatchObject({ message: expect.stringMatching(/broken at entry 2; upgrade refused/) });
  });

  it('refuses to anchor a log without the key, rather than leave it unsealed', async () => {
    await writeV2Log();
    await expect(migrateToLatest(t.storage, undefined)).rejects.toMatchObject({ message: expect.stringMatching(/INCIDENT_LOG_KEY is not set/) });
  });
});
