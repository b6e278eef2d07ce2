import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { openStorage, type Storage } from '../../src/storage/database';
import { migrateTo, migrateToLatest } from '../../src/storage/migrator';
import { testPostgresUrl } from './test-postgres';

/** Migrates to `upTo` (a migration name) instead of the latest: for testing a later migration. */
type Migrate = (storage: Storage) => Promise<unknown>;
const migrateFor = (upTo?: string): Migrate => (upTo ? (s) => migrateTo(s, upTo) : migrateToLatest);

/**
 * Every storage spec runs on both engines. PostgreSQL is not optional: CI must prove the production
 * engine works. Which server is chosen once per run (test/support/test-postgres.ts).
 */
export const TEST_POSTGRES_URL = testPostgresUrl();

export interface TestStorage {
  storage: Storage;
  dispose(): Promise<void>;
}

export async function sqliteStorage(upTo?: string): Promise<TestStorage> {
  const storage = openStorage('sqlite::memory:');
  await migrateFor(upTo)(storage);
  return { storage, dispose: () => storage.close() };
}

/** A fresh schema per test file, so parallel Jest workers never see each other's rows. */
export async function postgresStorage(upTo?: string): Promise<TestStorage> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new Pool({ connectionString: TEST_POSTGRES_URL, max: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const storage = openStorage(TEST_POSTGRES_URL, { schema });
  await migrateFor(upTo)(storage);
  return {
    storage,
    async dispose() {
      await storage.close();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}

export const engines: Array<[string, (upTo?: string) => Promise<TestStorage>]> = [
  ['SQLite', sqliteStorage],
  ['PostgreSQL', postgresStorage],
];
