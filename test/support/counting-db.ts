import type { Kysely, KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';

/**
 * The work a piece of code asks of the database, counted without a clock: statements sent, rows
 * they returned, rows changed, and how many times the code looked at a returned row (each index
 * read of a result array). A scan of every row for every incident shows as rows touched growing
 * with the square of the data, however fast the machine is.
 */
export interface DatabaseWork {
  statements: number;
  rowsRead: number;
  rowsChanged: number;
  rowsTouched: number;
}

/**
 * `mostTouches` stops code that looks at rows far more often than that at once (an error from the
 * row it was reading), rather than letting a quadratic scan run for minutes before it is seen.
 */
export function countingDb<DB>(db: Kysely<DB>, limits: { mostTouches?: number } = {}): { db: Kysely<DB>; work: DatabaseWork; reset(): void } {
  const work: DatabaseWork = { statements: 0, rowsRead: 0, rowsChanged: 0, rowsTouched: 0 };
  const plugin: KyselyPlugin = {
    transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
      return args.node;
    },
    // Counted by results: a precompiled query (src/storage/precompiled-query.ts) is transformed once, run many times.
    async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      work.statements += 1;
      const { result } = args;
      work.rowsRead += result.rows.length;
      work.rowsChanged += Number(result.numAffectedRows ?? 0n);
      const rows = new Proxy(result.rows, {
        get(target, key, receiver) {
          if (typeof key === 'string' && /^\d+$/.test(key) && ++work.rowsTouched > (limits.mostTouches ?? Infinity))
            throw new Error(`looked at result rows more than ${limits.mostTouches} times: a scan of the rows for each row?`);
          return Reflect.get(target, key, receiver) as unknown;
        },
      });
      return { ...result, rows };
    },
  };
  return {
    db: db.withPlugin(plugin),
    work,
    reset() {
      Object.assign(work, { statements: 0, rowsRead: 0, rowsChanged: 0, rowsTouched: 0 });
    },
  };
}
