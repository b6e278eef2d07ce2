import type { Kysely } from 'kysely';
import type { Engine } from '../database';

/**
 * Whether the app got into a lesson's meeting chat (without it there is no announcement at start,
 * and the teacher is told), and a queue for Graph change notifications: Graph wants an answer
 * within 3 seconds (change-notifications-delivery-webhooks.md), so a notification is stored,
 * answered 202, and processed afterwards.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  await db.schema.alterTable('lesson').addColumn('app_in_chat', 'integer').execute();
  await db.schema
    .createTable('graph_notification_queue')
    .addColumn('id', engine === 'postgres' ? 'bigserial' : 'integer', (c) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('claimed_at', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
