import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { postgresStorage, TEST_POSTGRES_URL } from '../../test/support/storages';
import { migrationsAreCurrent } from './migrator';

/**
 * One PostgreSQL server, several schools (or test runs), each in its own schema: a school's
 * migrations must not trip over another's schema being created or dropped at the same moment.
 */
describe('migrations on a PostgreSQL server shared with other schemas', () => {
  it('apply in their own schema while other schemas come and go', async () => {
    const admin = new Pool({ connectionString: TEST_POSTGRES_URL, max: 4 });
    let churning = true;
    // Another tenant's schemas, each with a few tables, created and dropped without pause.
    const churn = async () => {
      while (churning) {
        const other = `t_other_${randomBytes(5).toString('hex')}`;
        await admin.query(`CREATE SCHEMA ${other}; CREATE TABLE ${other}.a (id int); CREATE TABLE ${other}.schema_migration_lock (id text)`);
        await admin.query(`DROP SCHEMA ${other} CASCADE`);
      }
    };
    const churners = [churn(), churn(), churn()];
    try {
      for (let i = 0; i < 8; i++) {
        const t = await postgresStorage();
        try {
          expect(await migrationsAreCurrent(t.storage)).toBe(true);
        } finally {
          await t.dispose();
        }
      }
    } finally {
      churning = false;
      await Promise.all(churners);
      await admin.end();
    }
  }, 120_000);
});
