import type { Kysely } from 'kysely';
import type { Engine } from '../database';
import { makeAppendOnly } from './append-only';

/**
 * Parents counter-sign the student AUP (policies 000 and 002, appendices). Parents are not in the
 * tenant: each gets a single-use link by email. `parent_link` is the queue and the link (only a
 * digest of the token is kept); `parent_countersignature` is the evidence, append-only, linking
 * parent, child and version.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  await db.schema
    .createTable('parent_link')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('policy_version_id', 'text', (c) => c.notNull().references('policy_version.id'))
    .addColumn('child_id', 'text', (c) => c.notNull())
    .addColumn('parent_email', 'text', (c) => c.notNull())
    .addColumn('parent_name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .addColumn('used_at', 'text')
    .addUniqueConstraint('parent_link_once', ['policy_version_id', 'child_id', 'parent_email'])
    .execute();

  await db.schema
    .createTable('parent_countersignature')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('policy_version_id', 'text', (c) => c.notNull())
    .addColumn('child_id', 'text', (c) => c.notNull())
    .addColumn('parent_email', 'text', (c) => c.notNull())
    .addColumn('parent_name', 'text', (c) => c.notNull())
    .addColumn('text_hash', 'text', (c) => c.notNull())
    .addColumn('signed_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('parent_countersignature_once', ['policy_version_id', 'child_id', 'parent_email'])
    .execute();
  await makeAppendOnly(db, engine, 'parent_countersignature');
}
