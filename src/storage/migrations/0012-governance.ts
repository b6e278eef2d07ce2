import type { Kysely } from 'kysely';

/**
 * The governing body's view (issue 18): the annual policy review (policies 001 and 003: "reviewed
 * annually or sooner", approved by governors), the once-only reminder to its owner, and staff and
 * governors' online-safety training records (policy 002: the head ensures "all staff receive
 * suitable training").
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('policy_review')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('policy_id', 'text', (c) => c.notNull())
    .addColumn('reviewed_at', 'text', (c) => c.notNull())
    .addColumn('reviewed_by', 'text', (c) => c.notNull())
    // 1: the text changed and was republished; 0: reviewed and kept as it is.
    .addColumn('changed', 'integer', (c) => c.notNull())
    .addColumn('governors_approved_on', 'text')
    .addColumn('notes', 'text', (c) => c.notNull())
    // The version the review left in force (the republished one when changed).
    .addColumn('version', 'integer')
    .execute();
  await db.schema.createIndex('policy_review_policy').on('policy_review').columns(['policy_id', 'reviewed_at']).execute();

  // One reminder per policy per review date: the primary key makes a second one impossible,
  // whichever instance runs the check.
  await db.schema
    .createTable('policy_review_reminder')
    .addColumn('policy_id', 'text', (c) => c.notNull())
    .addColumn('review_by', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text', (c) => c.notNull())
    .addColumn('delivery', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('policy_review_reminder_pk', ['policy_id', 'review_by'])
    .execute();

  await db.schema
    .createTable('training_record')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // The same person, course and date imported twice is one record.
    .addColumn('record_key', 'text', (c) => c.notNull().unique())
    .addColumn('person_id', 'text', (c) => c.notNull())
    .addColumn('upn', 'text', (c) => c.notNull())
    .addColumn('course', 'text', (c) => c.notNull())
    .addColumn('completed_on', 'text', (c) => c.notNull())
    .addColumn('expires_on', 'text')
    .addColumn('evidence_url', 'text', (c) => c.notNull())
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('training_record_person').on('training_record').columns(['person_id', 'completed_on']).execute();
}
