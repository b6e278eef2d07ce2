import { countingDb } from '../../test/support/counting-db';
import { engines, type TestStorage } from '../../test/support/storages';
import { PrecompiledQuery } from './precompiled-query';

const byConversation = new PrecompiledQuery((db, v: { key: string; kind: string }) =>
  db
    .selectFrom('conversation_reference')
    .select(['key', 'conversation_id'])
    .where('key', '=', v.key)
    .where('kind', '=', v.kind as never),
);
const save = new PrecompiledQuery((db, v: { key: string; conversationId: string; at: string }) =>
  db
    .insertInto('conversation_reference')
    .values({ key: v.key, kind: 'personal', conversation_id: v.conversationId, tenant_id: null, reference: '{}', updated_at: v.at })
    // One placeholder, several parameters: the same value is bound at each.
    .onConflict((oc) => oc.column('key').doUpdateSet({ conversation_id: v.conversationId, updated_at: v.at })),
);

describe.each(engines)('a query compiled once, on %s', (_name, open) => {
  let t: TestStorage;
  beforeAll(async () => {
    t = await open();
  });
  afterAll(() => t.dispose());

  it('runs with new values each time, as the query built afresh would', async () => {
    const { db } = t.storage;
    await save.execute(db, { key: 'aad-amy', conversationId: 'a:1', at: '2026-09-01T08:00:00Z' });
    await save.execute(db, { key: 'aad-ben', conversationId: 'a:2', at: '2026-09-01T08:00:01Z' });
    const updated = await save.execute(db, { key: 'aad-amy', conversationId: 'a:3', at: '2026-09-01T08:00:02Z' });
    expect(Number(updated.numAffectedRows)).toBe(1);
    expect((await byConversation.execute(db, { key: 'aad-amy', kind: 'personal' })).rows).toEqual([{ key: 'aad-amy', conversation_id: 'a:3' }]);
    expect((await byConversation.execute(db, { key: 'aad-ben', kind: 'personal' })).rows).toEqual([{ key: 'aad-ben', conversation_id: 'a:2' }]);
    expect((await byConversation.execute(db, { key: 'aad-ben', kind: 'channel' })).rows).toEqual([]);
    // Inside a transaction too, rolled back with it.
    await db
      .transaction()
      .execute(async (tx) => {
        await save.execute(tx, { key: 'aad-cat', conversationId: 'a:4', at: '2026-09-01T08:00:03Z' });
        throw new Error('changed my mind');
      })
      .catch(() => undefined);
    expect((await byConversation.execute(db, { key: 'aad-cat', kind: 'personal' })).rows).toEqual([]);
  });

  it("is compiled through the database's own plugins, and each run reaches them", async () => {
    const counted = countingDb(t.storage.db);
    for (const key of ['aad-amy', 'aad-ben', 'aad-cat']) await byConversation.execute(counted.db, { key, kind: 'personal' });
    expect(counted.work.statements).toBe(3);
    expect(counted.work.rowsRead).toBe(2);
  });

  it('refuses a missing value rather than leave a column out, as Kysely would for undefined', async () => {
    await expect(save.execute(t.storage.db, { key: 'aad-dan', conversationId: undefined as never, at: '2026-09-01T08:00:00Z' })).rejects.toThrow(
      'no value for "conversationId"',
    );
  });

  it('cannot be built from a placeholder that is not a parameter of its own', async () => {
    const inside = new PrecompiledQuery((db, v: { name: string }) => db.selectFrom('conversation_reference').selectAll().where('key', 'like', `${v.name}%`));
    await expect(inside.execute(t.storage.db, { name: 'aad' })).rejects.toThrow('a placeholder was used inside a value');
    const shaped = new PrecompiledQuery((db, v: { all: boolean }) => {
      const q = db.selectFrom('conversation_reference').selectAll();
      return v.all ? q : q.where('kind', '=', 'personal');
    });
    await expect(shaped.execute(t.storage.db, { all: false })).rejects.toThrow('all read while building but not a parameter');
  });
});
