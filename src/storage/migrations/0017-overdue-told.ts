import type { Kysely } from 'kysely';

/**
 * Who has been told about an overdue person (issue #16): an overdue notice goes as digests to
 * several people (their line manager, or each admin), so a retry must go only to those not yet
 * told. A JSON array of recipients' ids, null for every other row. It has a column of its own
 * rather than borrowing `activity_id`, which names the one Teams message a card became.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('campaign_delivery').addColumn('told', 'text').execute();
}
