import type { Kysely, Transaction } from 'kysely';
import type { Database, DirectoryUserTable } from '../storage/schema';
import { PrecompiledQuery } from '../storage/precompiled-query';

/** A person as the local directory holds them: what classification and the tab read. */
export interface DirectoryUser {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail: string | null;
  userType: 'Member' | 'Guest';
  jobTitle: string | null;
  skuIds: string[];
}

export interface DirectoryMember {
  groupId: string;
  memberId: string;
  memberType: 'user' | 'group';
}

export interface SyncState {
  deltaLink: string | null;
  detail: string;
  syncedAt: string;
  generation: number;
}

/** Rows per insert: well under SQLite's 32,766 bound parameters and PostgreSQL's 65,535. */
const CHUNK = 500;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function row(u: DirectoryUser): DirectoryUserTable {
  return {
    id: u.id,
    display_name: u.displayName,
    user_principal_name: u.userPrincipalName,
    upn_lower: u.userPrincipalName.toLowerCase(),
    mail: u.mail,
    mail_lower: u.mail?.toLowerCase() ?? null,
    user_type: u.userType,
    job_title: u.jobTitle,
    licences: JSON.stringify(u.skuIds),
  };
}

function person(r: DirectoryUserTable): DirectoryUser {
  return {
    id: r.id,
    displayName: r.display_name,
    userPrincipalName: r.user_principal_name,
    mail: r.mail,
    userType: r.user_type === 'Guest' ? 'Guest' : 'Member',
    jobTitle: r.job_title,
    skuIds: JSON.parse(r.licences) as string[],
  };
}

/**
 * The school directory in the database (migration 0014): people from `/users/delta`, direct
 * members of the tracked groups from `/groups/delta`, and where each delta query resumes. Written
 * only by the refresher (src/school/directory-refresh.ts), read by SchoolDirectory on every click.
 */
const userByIdOrAddress = new PrecompiledQuery((db, v: { id: string; address: string }) =>
  db
    .selectFrom('directory_user')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', v.id), eb('upn_lower', '=', v.address), eb('mail_lower', '=', v.address)]))
    .limit(1),
);

export class DirectoryStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** By Entra object id, UPN or mail: once per click, so compiled once (precompiled-query.ts). */
  async user(idOrAddress: string): Promise<DirectoryUser | undefined> {
    const { rows } = await userByIdOrAddress.execute(this.db, { id: idOrAddress, address: idOrAddress.toLowerCase() });
    return rows[0] && person(rows[0]);
  }

  /** Everyone in the copy (SchoolDirectory indexes them once per generation). */
  async everyone(): Promise<DirectoryUser[]> {
    return (await this.db.selectFrom('directory_user').selectAll().execute()).map(person);
  }

  async names(): Promise<Map<string, { displayName: string; userPrincipalName: string }>> {
    const rows = await this.db.selectFrom('directory_user').select(['id', 'display_name', 'user_principal_name']).execute();
    return new Map(rows.map((r) => [r.id, { displayName: r.display_name, userPrincipalName: r.user_principal_name }]));
  }

  async members(): Promise<DirectoryMember[]> {
    const rows = await this.db.selectFrom('directory_member').selectAll().execute();
    return rows.map((r) => ({ groupId: r.group_id, memberId: r.member_id, memberType: r.member_type }));
  }

  async sync(name: string): Promise<SyncState | undefined> {
    const r = await this.db.selectFrom('directory_sync').selectAll().where('name', '=', name).executeTakeFirst();
    return r && { deltaLink: r.delta_link, detail: r.detail, syncedAt: r.synced_at, generation: Number(r.generation) };
  }

  /**
   * Whether both people and groups have had a full round, the refresh generation (another
   * instance's refresh moves it) and when the older of the two was last refreshed (how stale the
   * copy may be): one cheap query, asked every few seconds at most.
   */
  async state(): Promise<{ synced: boolean; generation: number; oldestSyncedAt: string | undefined }> {
    const r = await this.db
      .selectFrom('directory_sync')
      .select((eb) => [eb.fn.max('generation').as('g'), eb.fn.countAll().as('n'), eb.fn.min('synced_at').as('oldest')])
      .where('name', 'in', ['users', 'groups'])
      .executeTakeFirst();
    // synced_at is ISO 8601 in UTC: the smallest text is the oldest refresh of the two.
    return { synced: Number(r?.n ?? 0) === 2, generation: Number(r?.g ?? 0), oldestSyncedAt: r?.oldest ? String(r.oldest) : undefined };
  }

  /** A full round: the people are exactly these. */
  async replaceUsers(users: DirectoryUser[], sync: Omit<SyncState, 'generation'>): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('directory_user').execute();
      for (const part of chunks(users)) await tx.insertInto('directory_user').values(part.map(row)).execute();
      await this.saveSync(tx, 'users', sync);
    });
  }

  /**
   * A delta round: these people changed or joined, those left (one entry each: the refresher folds
   * a round's entries for one person into the last). Someone who left is no member of any group
   * either (delta-query-groups.md: deleting the user removes the membership), whether or not the
   * groups' round says so.
   */
  async applyUsers(changed: DirectoryUser[], removed: string[], sync: Omit<SyncState, 'generation'>): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      for (const part of chunks(removed)) {
        await tx.deleteFrom('directory_user').where('id', 'in', part).execute();
        await tx.deleteFrom('directory_member').where('member_id', 'in', part).execute();
      }
      for (const part of chunks(changed))
        await tx
          .insertInto('directory_user')
          .values(part.map(row))
          .onConflict((oc) =>
            oc.column('id').doUpdateSet((eb) => ({
              display_name: eb.ref('excluded.display_name'),
              user_principal_name: eb.ref('excluded.user_principal_name'),
              upn_lower: eb.ref('excluded.upn_lower'),
              mail: eb.ref('excluded.mail'),
              mail_lower: eb.ref('excluded.mail_lower'),
              user_type: eb.ref('excluded.user_type'),
              job_title: eb.ref('excluded.job_title'),
              licences: eb.ref('excluded.licences'),
            })),
          )
          .execute();
      await this.saveSync(tx, 'users', sync, changed.length + removed.length > 0);
    });
  }

  /** A full round of these groups: their direct members are exactly these. */
  async replaceMembers(members: DirectoryMember[], sync: Omit<SyncState, 'generation'>): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('directory_member').execute();
      for (const part of chunks(dedupe(members)))
        await tx
          .insertInto('directory_member')
          .values(part.map((m) => ({ group_id: m.groupId, member_id: m.memberId, member_type: m.memberType })))
          .execute();
      await this.saveSync(tx, 'groups', sync);
    });
  }

  /** A delta round of the tracked groups: members added, members removed, groups deleted. */
  async applyMembers(
    added: DirectoryMember[],
    removed: Array<Pick<DirectoryMember, 'groupId' | 'memberId'>>,
    deletedGroups: string[],
    sync: Omit<SyncState, 'generation'>,
  ): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      for (const part of chunks(deletedGroups)) await tx.deleteFrom('directory_member').where('group_id', 'in', part).execute();
      for (const m of removed) await tx.deleteFrom('directory_member').where('group_id', '=', m.groupId).where('member_id', '=', m.memberId).execute();
      for (const part of chunks(dedupe(added)))
        await tx
          .insertInto('directory_member')
          .values(part.map((m) => ({ group_id: m.groupId, member_id: m.memberId, member_type: m.memberType })))
          .onConflict((oc) => oc.columns(['group_id', 'member_id']).doNothing())
          .execute();
      await this.saveSync(tx, 'groups', sync, added.length + removed.length + deletedGroups.length > 0);
    });
  }

  private async saveSync(tx: Transaction<Database>, name: string, sync: Omit<SyncState, 'generation'>, changed = true): Promise<void> {
    const current = await tx
      .selectFrom('directory_sync')
      .select((eb) => eb.fn.max('generation').as('g'))
      .executeTakeFirst();
    const generation = Number(current?.g ?? 0) + (changed ? 1 : 0);
    await tx
      .insertInto('directory_sync')
      .values({ name, delta_link: sync.deltaLink, detail: sync.detail, synced_at: sync.syncedAt, generation: Math.max(generation, 1) })
      .onConflict((oc) =>
        oc.column('name').doUpdateSet({ delta_link: sync.deltaLink, detail: sync.detail, synced_at: sync.syncedAt, generation: Math.max(generation, 1) }),
      )
      .execute();
  }
}

function dedupe(members: DirectoryMember[]): DirectoryMember[] {
  const seen = new Map<string, DirectoryMember>();
  for (const m of members) seen.set(`${m.groupId} ${m.memberId}`, m);
  return [...seen.values()];
}
