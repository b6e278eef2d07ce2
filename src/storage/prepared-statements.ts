import { randomBytes } from 'node:crypto';
import type SQLite from 'better-sqlite3';
import type { Pool, PoolClient, QueryConfig } from 'pg';

/**
 * Statements prepared once per connection instead of on every call. Kysely compiles each query to
 * the same SQL text every time (values are parameters), and then better-sqlite3 compiled it again
 * and PostgreSQL parsed and planned it again, for every statement of every click. Here the same
 * text reuses its prepared statement: better-sqlite3's Statement, PostgreSQL's named statement.
 * Both are bounded, so queries built with varying text (IN lists) cannot grow them without end.
 */
const MAX_STATEMENTS = 500;
/** The click path's statements take a handful of parameters; a chunk of 500 rows takes thousands. */
const MOST_PARAMETERS_NAMED = 64;

/** better-sqlite3 with its prepared statements kept by SQL text (one connection: never two users at once). */
export function reusingStatements(database: SQLite.Database): SQLite.Database {
  const statements = new Map<string, SQLite.Statement>();
  const prepare = database.prepare.bind(database);
  return new Proxy(database, {
    get(target, property) {
      if (property !== 'prepare') {
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (source: string) => {
        let statement = statements.get(source);
        if (statement) {
          // Most recently used last, so the oldest goes first when full.
          statements.delete(source);
        } else {
          statement = prepare(source);
          if (statements.size >= MAX_STATEMENTS) statements.delete(statements.keys().next().value!);
        }
        statements.set(source, statement);
        return statement;
      };
    },
  });
}

const DML = /^\s*(select|insert|update|delete|with)\b/i;
const DDL = /^\s*(create|alter|drop|truncate)\b/i;
// PostgreSQL refuses a named statement whose result columns a migration changed (SQLSTATE 0A000).
const STALE_PLAN = /cached plan must not change result type/;

/**
 * A pg pool whose clients run Kysely's queries as named statements: parsed and planned once per
 * connection, then only bound and executed. A schema change (here, or seen as a stale plan from
 * another instance's migration) starts new names, and a query outside a transaction that met a
 * stale plan is run once more under the new name.
 */
export function namedStatementPool(pool: Pool): Pool {
  const names = new Map<string, string>();
  let generation = 0;
  // Names of this pool's own: two pools (instances) never mean different SQL by one name.
  const prefix = `k${randomBytes(4).toString('hex')}`;
  const nameOf = (text: string, parameters: number): string | undefined => {
    // Chunked inserts and IN lists vary in length: one-off texts would take every name for good.
    if (!DML.test(text) || parameters > MOST_PARAMETERS_NAMED) return undefined;
    let name = names.get(text);
    if (!name && names.size < MAX_STATEMENTS) {
      name = `${prefix}_${generation}_${names.size}`;
      names.set(text, name);
    }
    return name;
  };
  const renew = () => {
    generation += 1;
    names.clear();
  };
  const prepared = new WeakSet<PoolClient>();
  const inTransaction = new WeakMap<PoolClient, boolean>();
  const prepare = (client: PoolClient): PoolClient => {
    if (prepared.has(client)) return client;
    prepared.add(client);
    const query = client.query.bind(client) as (config: QueryConfig | string, values?: unknown[]) => Promise<unknown>;
    (client as unknown as { query: unknown }).query = async (textOrConfig: unknown, values?: unknown[]) => {
      if (typeof textOrConfig !== 'string' || !Array.isArray(values)) return query(textOrConfig as QueryConfig, values);
      const text = textOrConfig;
      if (/^\s*(begin|start\s+transaction)\b/i.test(text)) inTransaction.set(client, true);
      else if (/^\s*(commit|rollback)\b/i.test(text)) inTransaction.set(client, false);
      if (DDL.test(text)) renew();
      const name = nameOf(text, values.length);
      if (!name) return query(text, values);
      try {
        return await query({ name, text, values });
      } catch (e) {
        if (!STALE_PLAN.test((e as Error).message)) throw e;
        renew();
        if (inTransaction.get(client)) throw e;
        const renamed = nameOf(text, values.length);
        return renamed ? query({ name: renamed, text, values }) : query(text, values);
      }
    };
    return client;
  };
  return new Proxy(pool, {
    get(target, property) {
      if (property === 'connect')
        return async (...args: unknown[]) => {
          if (args.length) return (target.connect as (...a: unknown[]) => unknown)(...args);
          return prepare(await target.connect());
        };
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
