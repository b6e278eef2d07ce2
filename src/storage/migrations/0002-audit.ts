import type { Kysely } from 'kysely';

/** Tenant audit runs, their findings, and findings an admin has accepted for a reason. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_run')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('stats', 'text', (c) => c.notNull())
    .addColumn('coverage', 'text', (c) => c.notNull())
    .addColumn('delta_links', 'text', (c) => c.notNull())
    .addColumn('finding_count', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_run_tenant_time').on('audit_run').columns(['tenant_id', 'finished_at']).execute();

  await db.schema
    .createTable('audit_finding')
    .addColumn('run_id', 'text', (c) => c.notNull().references('audit_run.id'))
    .addColumn('finding_key', 'text', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('subject_name', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('policy_ref', 'text', (c) => c.notNull())
    .addColumn('fix', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_finding_pk', ['run_id', 'finding_key'])
    .execute();

  await db.schema
    .createTable('finding_acceptance')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('finding_key', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('accepted_by', 'text', (c) => c.notNull())
    .addColumn('accepted_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('finding_acceptance_key').on('finding_acceptance').column('finding_key').execute();
}
