import type { Kysely } from 'kysely';
import type { Engine } from '../database';
import { makeAppendOnly } from './append-only';

/**
 * Acceptable use: published policy versions (immutable), acceptances (append-only evidence of who
 * signed which text), campaigns, and one delivery row per person and message kind: the durable job
 * queue for fan-out. Its unique key (campaign, person, kind) is what makes "no one messaged twice"
 * hold across crashes and instances.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  await db.schema
    .createTable('policy_version')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('policy_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('text_hash', 'text', (c) => c.notNull())
    .addColumn('clauses', 'text', (c) => c.notNull())
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('published_at', 'text', (c) => c.notNull())
    .addColumn('published_by', 'text', (c) => c.notNull())
    .addUniqueConstraint('policy_version_policy_version', ['policy_id', 'version'])
    .execute();
  await makeAppendOnly(db, engine, 'policy_version');

  await db.schema
    .createTable('acceptance')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // policy|version|person|cycle: a double click, a retry or a second instance is one acceptance.
    .addColumn('acceptance_key', 'text', (c) => c.notNull().unique())
    .addColumn('policy_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('person_id', 'text', (c) => c.notNull())
    .addColumn('upn', 'text', (c) => c.notNull())
    .addColumn('text_hash', 'text', (c) => c.notNull())
    .addColumn('accepted_at', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('acceptance_person').on('acceptance').columns(['person_id', 'policy_id']).execute();
  await makeAppendOnly(db, engine, 'acceptance');

  await db.schema
    .createTable('campaign')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('policy_version_id', 'text', (c) => c.notNull().references('policy_version.id'))
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('started_by', 'text', (c) => c.notNull())
    .addColumn('deadline', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('campaign_delivery')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaign.id'))
    .addColumn('person_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('not_before', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('activity_id', 'text')
    .addUniqueConstraint('campaign_delivery_once', ['campaign_id', 'person_id', 'kind'])
    .execute();
  await db.schema.createIndex('campaign_delivery_due').on('campaign_delivery').columns(['status', 'not_before']).execute();
}
