import type { Kysely } from 'kysely';

/** Where each incident card landed, so a change can update every copy of it. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('incident_delivery').addColumn('recipient_id', 'text').execute();
  await db.schema.alterTable('incident_delivery').addColumn('activity_id', 'text').execute();
}
