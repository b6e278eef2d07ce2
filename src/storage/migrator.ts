import { Migrator, type Kysely, type Migration as KyselyMigration } from 'kysely';
import type { Storage } from './database';
import { migrations, type MigrationContext } from './migrations';
import { IncidentLogKeys } from '../incidents/incident-log-key';

/**
 * Kysely's migrator takes a lock (a lock table row on both engines), so several app instances
 * starting together against one PostgreSQL apply each migration once.
 */
function migratorFor(storage: Storage, keys?: IncidentLogKeys): Migrator {
  const context: MigrationContext = keys ? { sealIncidentLog: (data) => keys.seal(data) } : {};
  const provided: Record<string, KyselyMigration> = {};
  for (const m of migrations) provided[m.name] = { up: (db: Kysely<unknown>) => m.up(db, storage.engine, context) };
  return new Migrator({
    db: storage.db,
    provider: { getMigrations: async () => provided },
    migrationTableName: 'schema_migration',
    migrationLockTableName: 'schema_migration_lock',
  });
}

/** `keys` re-anchors an existing incident log (migration 0010); INCIDENT_LOG_KEY when not given. */
export async function migrateToLatest(storage: Storage, keys: IncidentLogKeys | undefined = IncidentLogKeys.fromEnvironment()): Promise<string[]> {
  const { error, results } = await migratorFor(storage, keys).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Up to and including the named migration (tests of a later migration start here). */
export async function migrateTo(storage: Storage, name: string): Promise<string[]> {
  const { error, results } = await migratorFor(storage).migrateTo(name);
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** For /readyz: true when every known migration has been applied. */
export async function migrationsAreCurrent(storage: Storage): Promise<boolean> {
  const applied = await migratorFor(storage).getMigrations();
  return applied.every((m) => m.executedAt !== undefined);
}
