import { sql } from 'kysely';
import { Pool } from 'pg';
import { TEST_POSTGRES_URL } from '../../test/support/storages';
import { openStorage } from './database';
import { reusingStatements } from './prepared-statements';
import SQLite from 'better-sqlite3';
import { randomBytes } from 'node:crypto';

/** "Statements prepared once": the same query text is compiled or planned once per connection. */
describe('prepared statements', () => {
  it('on SQLite, compiles a query text once however often it runs', async () => {
    const raw = new SQLite(':memory:');
    const prepare = jest.spyOn(raw, 'prepare');
    const db = reusingStatements(raw);
    db.exec('create table t (x integer)');
    for (let i = 0; i < 5; i++) db.prepare('insert into t (x) values (?)').run(i);
    expect(db.prepare('select count(*) as n from t').get()).toEqual({ n: 5 });
    expect(prepare).toHaveBeenCalledTimes(2);
    raw.close();
  });

  it('on PostgreSQL, plans a query text once per connection, and survives a migration from another instance', async () => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const admin = new Pool({ connectionString: TEST_POSTGRES_URL, max: 1 });
    await admin.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.t (x integer)`);
    const storage = openStorage(TEST_POSTGRES_URL, { schema });
    try {
      const db = storage.db as unknown as import('kysely').Kysely<{ t: { x: number; y?: number } }>;
      await db.transaction().execute(async (tx) => {
        for (let i = 0; i < 3; i++) await tx.insertInto('t').values({ x: i }).execute();
        const prepared = await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements where statement like 'insert into "t"%'`.execute(tx);
        expect(prepared.rows[0]!.n).toBe(1);
      });
      expect(await db.selectFrom('t').selectAll().execute()).toHaveLength(3);
      // Another instance adds a column: the prepared `select *` no longer fits its plan.
      await admin.query(`ALTER TABLE ${schema}.t ADD COLUMN y integer`);
      const rows = await Promise.all(Array.from({ length: 10 }, () => db.selectFrom('t').selectAll().execute()));
      expect(rows.every((r) => r.length === 3 && 'y' in r[0]!)).toBe(true);
    } finally {
      await storage.close();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    }
  });
});
