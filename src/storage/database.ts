import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { Pool } from 'pg';
import type { Database } from './schema';
import { namedStatementPool, reusingStatements } from './prepared-statements';

export type Engine = 'sqlite' | 'postgres';

export interface Storage {
  db: Kysely<Database>;
  engine: Engine;
  close(): Promise<void>;
}

export const DEFAULT_DATABASE_URL = 'sqlite:data/esafety.db';

/**
 * `sqlite:PATH` (or `sqlite::memory:`) for the embedded default, `postgres://...` for production.
 * `schema` (PostgreSQL only) isolates a test run or a school in a shared server.
 */
export function openStorage(url: string = DEFAULT_DATABASE_URL, options: { schema?: string } = {}): Storage {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const pool = new Pool({
      connectionString: url,
      max: 10,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    // Each query text is parsed and planned once per connection (prepared-statements.ts).
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: namedStatementPool(pool) }) });
    return { db, engine: 'postgres', close: () => db.destroy() };
  }
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    const memory = path === ':memory:' || path === '';
    if (!memory) mkdirSync(dirname(resolve(path)), { recursive: true });
    const sqlite = new SQLite(memory ? ':memory:' : path);
    // WAL lets the tab's reads run while the bot writes; busy_timeout rides out short write locks.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    // Each query text is compiled once (prepared-statements.ts).
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: reusingStatements(sqlite) }) });
    return { db, engine: 'sqlite', close: () => db.destroy() };
  }
  throw new Error(`DATABASE_URL must start with sqlite: or postgres:// (got "${url.split(':')[0]}:")`);
}
