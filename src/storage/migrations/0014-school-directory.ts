import type { Kysely } from 'kysely';

/**
 * The school directory kept from Graph's delta queries (issue 16: the click path never waits for
 * Graph): the people with what classification reads, the direct members of the configured groups
 * (and of groups nested in them: transitive membership is worked out locally), and where each
 * delta query resumes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('directory_user')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('user_principal_name', 'text', (c) => c.notNull())
    // Lower-cased copies: people are looked up by sign-in name or address whatever the case.
    .addColumn('upn_lower', 'text', (c) => c.notNull())
    .addColumn('mail', 'text')
    .addColumn('mail_lower', 'text')
    .addColumn('user_type', 'text', (c) => c.notNull())
    .addColumn('job_title', 'text')
    // JSON array of the licence sku ids (classification by licence when groups are not configured).
    .addColumn('licences', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('directory_user_upn').on('directory_user').column('upn_lower').execute();
  await db.schema.createIndex('directory_user_mail').on('directory_user').column('mail_lower').execute();

  await db.schema
    .createTable('directory_member')
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text', (c) => c.notNull())
    // 'user' or 'group' (a nested group, whose own members are kept too).
    .addColumn('member_type', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('directory_member_pk', ['group_id', 'member_id'])
    .execute();
  await db.schema.createIndex('directory_member_member').on('directory_member').column('member_id').execute();

  await db.schema
    .createTable('directory_sync')
    // 'users', or 'groups' (the tracked groups, by id, in `detail`).
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('delta_link', 'text')
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('synced_at', 'text', (c) => c.notNull())
    // Bumped by every refresh that changed something: other instances drop their caches when it moves.
    .addColumn('generation', 'integer', (c) => c.notNull())
    .execute();
}
