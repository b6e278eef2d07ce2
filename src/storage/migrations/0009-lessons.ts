import type { Kysely } from 'kysely';

/**
 * Remote lessons (policy 000 "5. Remote Working": all lessons are recorded) and the Graph change
 * notification subscriptions that watch staff calendars for meetings with outsiders.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('lesson')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // The teacher's form: the same submission twice is one lesson.
    .addColumn('submission_id', 'text', (c) => c.notNull().unique())
    .addColumn('teacher_id', 'text', (c) => c.notNull())
    .addColumn('class_id', 'text', (c) => c.notNull())
    .addColumn('class_name', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('online_meeting_id', 'text', (c) => c.notNull())
    .addColumn('join_url', 'text', (c) => c.notNull())
    .addColumn('chat_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('announced_at', 'text')
    .addColumn('ended_at', 'text')
    .addColumn('recording_checked_at', 'text')
    .addColumn('recording_found', 'integer')
    .execute();
  await db.schema.createIndex('lesson_join_url').on('lesson').column('join_url').execute();
  await db.schema.createIndex('lesson_teacher').on('lesson').columns(['teacher_id', 'starts_at']).execute();

  await db.schema
    .createTable('graph_subscription')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().unique())
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('client_state', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();

  // Graph may deliver a notification more than once: each is acted on once.
  await db.schema
    .createTable('graph_notification_seen')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('seen_at', 'text', (c) => c.notNull())
    .execute();
}
