import type { Kysely } from 'kysely';

/**
 * The drives' delta links, kept once per tenant instead of in every audit run (issue 16): at 50,000
 * users a run carried 6 MiB of links, and the trend read 30 runs to draw 30 points. Only the next
 * incremental run (`--since-last`) needs the links, and only the newest ones.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_delta_links')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey())
    // JSON: each drive's key (as the collector names its sources) to its newest delta link. One
    // value, because the audit reads and writes them all at once: a row per drive cost 2 s a run
    // at 50,000 drives to upsert.
    .addColumn('links', 'text', (c) => c.notNull())
    .execute();

  // The newest run of each tenant holds every link (each run merged the last run's with its own):
  // carried over, the next incremental run still starts from them.
  const before = db as unknown as Kysely<Before>;
  const tenants = await before.selectFrom('audit_run').select('tenant_id').distinct().execute();
  for (const { tenant_id } of tenants) {
    const newest = await before
      .selectFrom('audit_run')
      .select('delta_links')
      .where('tenant_id', '=', tenant_id)
      .orderBy('finished_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    await before.insertInto('audit_delta_links').values({ tenant_id, links: newest.delta_links }).execute();
  }
  await db.schema.alterTable('audit_run').dropColumn('delta_links').execute();
}

/** The two tables as this migration finds them. */
interface Before {
  audit_run: { id: string; tenant_id: string; finished_at: string; delta_links: string };
  audit_delta_links: { tenant_id: string; links: string };
}
