import { Migrator, sql, type DatabaseIntrospector, type Kysely, type Migration as KyselyMigration } from 'kysely';
import type { Storage } from './database';
import { migrations, type MigrationContext } from './migrations';

/**
 * Kysely's migrator takes a lock (a lock table row on both engines), so several app instances
 * starting together against one PostgreSQL apply each migration once.
 */
/**
 * What migration 0011 needs of the incident log's key: to seal. Declared here, not imported from
 * incidents/, so storage stays below the features; `IncidentLogKeys` fits it.
 */
export interface IncidentLogSealer {
  seal(data: string): { keyId: string; mac: string };
}

async function migratorFor(storage: Storage, keys?: IncidentLogSealer): Promise<Migrator> {
  const context: MigrationContext = keys ? { sealIncidentLog: (data) => keys.seal(data) } : {};
  // Kysely looks for its tables in every schema unless told which one: on a PostgreSQL server shared
  // by several schools or test runs, another schema's lock table would make it skip creating ours
  // ("relation schema_migration_lock does not exist"). Pin them to the connection's own schema.
  const schema = storage.engine === 'postgres' ? (await sql<{ s: string }>`select current_schema() as s`.execute(storage.db)).rows[0]?.s : undefined;
  const provided: Record<string, KyselyMigration> = {};
  for (const m of migrations) provided[m.name] = { up: (db: Kysely<unknown>) => m.up(db, storage.engine, context) };
  return new Migrator({
    db: schema ? onlyOwnSchema(storage.db, schema) : storage.db,
    provider: { getMigrations: async () => provided },
    migrationTableName: 'schema_migration',
    migrationLockTableName: 'schema_migration_lock',
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
}

/**
 * Kysely's migrator asks its introspector for every table of every schema (with each column's
 * serial sequence), then keeps its own. On a server shared with other schools or test runs, a
 * schema dropped during that query fails it ("schema ... does not exist"). The migrator only needs
 * to know whether its two tables and its schema exist: answer that from this schema alone.
 */
function onlyOwnSchema<DB>(db: Kysely<DB>, schema: string): Kysely<DB> {
  const tables = async () =>
    (
      await sql<{
        name: string;
      }>`select c.relname as name from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace where n.nspname = ${schema} and c.relkind in ('r', 'p', 'v')`.execute(
        db,
      )
    ).rows.map((r) => ({ name: r.name, schema, isView: false, columns: [] }));
  const introspection: DatabaseIntrospector = {
    getSchemas: async () => (await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace where nspname = ${schema}`.execute(db)).rows,
    getTables: tables,
    getMetadata: async () => ({ tables: await tables() }),
  };
  return new Proxy(db, {
    get(target, property) {
      if (property === 'introspection') return introspection;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * `keys` re-anchors an existing incident log (migration 0011), which refuses without them. The
 * commands pass the school's key (INCIDENT_LOG_KEY or the demo's key file); a new database needs none.
 */
export async function migrateToLatest(storage: Storage, keys?: IncidentLogSealer): Promise<string[]> {
  const { error, results } = await (await migratorFor(storage, keys)).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Up to and including the named migration (tests of a later migration start here). */
export async function migrateTo(storage: Storage, name: string): Promise<string[]> {
  const { error, results } = await (await migratorFor(storage)).migrateTo(name);
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** For /readyz: true when every known migration has been applied. */
export async function migrationsAreCurrent(storage: Storage): Promise<boolean> {
  const applied = await (await migratorFor(storage)).getMigrations();
  return applied.every((m) => m.executedAt !== undefined);
}
