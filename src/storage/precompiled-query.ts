import { type Compilable, type CompiledQuery, type Kysely, type QueryResult } from 'kysely';
import type { Database } from './schema';

/** Marks a parameter of a precompiled query in its compiled form (never a value a school writes). */
const SLOT = '\u0001esafety-slot:';
const END = '\u0002';
/** The slot a parameter is, when it is one whole placeholder and nothing else. */
const slotOf = (value: string): string | undefined => {
  if (!value.startsWith(SLOT) || !value.endsWith(END)) return undefined;
  const name = value.slice(SLOT.length, -END.length);
  return name.includes(SLOT) || name.includes(END) ? undefined : name;
};

type Parameter = { slot: string } | { value: unknown };
interface Compiled {
  sql: string;
  query: CompiledQuery['query'];
  queryId: CompiledQuery['queryId'];
  parameters: Parameter[];
}

/** Ids for plugin instances, so a database's plugin chain can name its compiled forms. */
const pluginIds = new WeakMap<object, number>();
let pluginsSeen = 0;
const pluginChain = (plugins: readonly object[]): string =>
  plugins
    .map((p) => {
      let id = pluginIds.get(p);
      if (id === undefined) pluginIds.set(p, (id = ++pluginsSeen));
      return id;
    })
    .join(' ');

/**
 * A query Kysely builds and compiles once per database, then runs with new values: its SQL text is
 * the same every time (values are parameters), so building the query tree and compiling it again on
 * every click was wasted work. At the start of term that work was a fifth of an acceptance's CPU.
 *
 * The query is built with placeholders (`slots.x` stands for `values.x`); each must end up a
 * parameter of its own, as a value compared, inserted or set. A query whose shape depends on its
 * values (IN lists, optional clauses) cannot be precompiled: compiling one that reads a placeholder
 * for anything but a parameter throws.
 *
 * Kysely's plugins see the query once, when it is compiled (`transformQuery`), and every result
 * (`transformResult`, with the compile's query id): count statements by their results.
 */
export class PrecompiledQuery<V extends Record<string, unknown>, O> {
  // One compiled form per database adapter (SQLite's `?`, PostgreSQL's `$1`) and plugin chain; a
  // transaction has its database's.
  private readonly compiled = new WeakMap<object, Map<string, Compiled>>();

  constructor(private readonly build: (db: Kysely<Database>, slots: V) => Compilable<O>) {}

  async execute(db: Kysely<Database>, values: V): Promise<QueryResult<O>> {
    const compiled = this.compiledFor(db);
    const parameters = compiled.parameters.map((p) => {
      if ('value' in p) return p.value;
      const value = values[p.slot];
      // Kysely leaves out an undefined value; a precompiled query cannot: null is said, not implied.
      if (value === undefined) throw new Error(`precompiled query: no value for "${p.slot}"`);
      return value;
    });
    return db.executeQuery<O>({ sql: compiled.sql, query: compiled.query, parameters, queryId: compiled.queryId });
  }

  private compiledFor(db: Kysely<Database>): Compiled {
    const executor = db.getExecutor();
    let byChain = this.compiled.get(executor.adapter);
    if (!byChain) this.compiled.set(executor.adapter, (byChain = new Map()));
    const chain = pluginChain(executor.plugins);
    let compiled = byChain.get(chain);
    if (!compiled) {
      compiled = compile(db, this.build);
      byChain.set(chain, compiled);
    }
    return compiled;
  }
}

function compile<V extends Record<string, unknown>, O>(db: Kysely<Database>, build: (db: Kysely<Database>, slots: V) => Compilable<O>): Compiled {
  const read = new Set<string>();
  const slots = new Proxy({} as V, {
    get: (_target, name) => {
      if (typeof name !== 'string') return undefined;
      read.add(name);
      return `${SLOT}${name}${END}`;
    },
  });
  const query = build(db, slots).compile();
  const parameters: Parameter[] = query.parameters.map((value) => {
    if (typeof value !== 'string' || !value.includes(SLOT)) return { value };
    const slot = slotOf(value);
    if (slot === undefined) throw new Error(`precompiled query: a placeholder was used inside a value (${JSON.stringify(value)})`);
    return { slot };
  });
  const bound = new Set(parameters.flatMap((p) => ('slot' in p ? [p.slot] : [])));
  const unbound = [...read].filter((name) => !bound.has(name));
  if (unbound.length) throw new Error(`precompiled query: ${unbound.join(', ')} read while building but not a parameter`);
  if (query.sql.includes(SLOT)) throw new Error('precompiled query: a placeholder ended up in the SQL text');
  return { sql: query.sql, query: query.query, queryId: query.queryId, parameters };
}
