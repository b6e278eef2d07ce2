import { useDemoGraph } from '../../test/support/demo-graph';
import { GraphAccess, isGraphError, type Page } from '../graph/graph-access';
import { tokenSourceFor } from '../graph/graph-auth';
import { answersWithIdAlone, DIRECTORY_DELTA_TOKEN_MS } from './directory-delta-handlers';
import type { DemoUser } from './school-model';

type Entry = { id: string; '@removed'?: { reason: string }; 'members@delta'?: Array<{ id: string; '@odata.type': string; '@removed'?: object }> } & Record<
  string,
  unknown
>;

const BASE = 'https://graph.microsoft.com/v1.0';
const graphWith = (roles: string[]) => new GraphAccess({ baseUrl: BASE, tokens: tokenSourceFor({ mode: 'demo', roles }, BASE), sleep: async () => undefined });

function newStarter(template: DemoUser, n: number): DemoUser {
  return {
    ...template,
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    displayName: `New Starter ${n}`,
    userPrincipalName: `new.starter${n}@demo-academy.org.uk`,
    mail: `new.starter${n}@demo-academy.org.uk`,
  };
}

describe('directory delta in the demo tenant (user-delta.md, group-delta.md, delta-query-overview.md)', () => {
  const ctx = useDemoGraph();

  /** Follows nextLinks to the deltaLink, keeping each page (delta-query-overview.md, "call pattern"). */
  async function round(start: string): Promise<{ pages: Array<Page<Entry>>; items: Entry[]; deltaLink: string }> {
    const pages: Array<Page<Entry>> = [];
    let next: string | undefined = start;
    while (next) {
      const page: Page<Entry> = await ctx.graph.get<Page<Entry>>(next);
      pages.push(page);
      expect(Boolean(page['@odata.nextLink']) !== Boolean(page['@odata.deltaLink'])).toBe(true);
      next = page['@odata.nextLink'];
    }
    return { pages, items: pages.flatMap((p) => p.value), deltaLink: pages.at(-1)!['@odata.deltaLink']! };
  }

  it('returns every user once over nextLink pages, with only the selected properties and id, then a deltaLink', async () => {
    const { pages, items, deltaLink } = await round('/users/delta?$select=displayName,userPrincipalName,userType');
    expect(pages.length).toBeGreaterThan(1);
    for (const p of pages.slice(0, -1)) {
      expect(p['@odata.nextLink']).toMatch(/\/users\/delta\?\$skiptoken=/);
      // The query parameters are encoded in the token, not repeated.
      expect(p['@odata.nextLink']).not.toContain('$select');
    }
    expect(deltaLink).toMatch(/\/users\/delta\?\$deltatoken=/);
    expect(items.map((u) => u.id).sort()).toEqual(ctx.school.users.map((u) => u.id).sort());
    expect(Object.keys(items[0]!).sort()).toEqual(['displayName', 'id', 'userPrincipalName', 'userType']);
  });

  it('reports a new user, a changed one and a deleted one (@removed) at the deltaLink, and nothing when nothing changed', async () => {
    const { deltaLink } = await round('/users/delta?$select=displayName,jobTitle');
    expect((await round(deltaLink)).items).toEqual([]);

    const starter = newStarter(ctx.school.users[0]!, 1);
    ctx.school.users.push(starter);
    const changed = ctx.school.users[1]!;
    changed.jobTitle = 'Head of Year 9';
    const leaver = ctx.school.users.splice(2, 1)[0]!;
    try {
      const second = await round(deltaLink);
      expect(second.items).toEqual(
        expect.arrayContaining([
          { id: starter.id, displayName: starter.displayName, jobTitle: starter.jobTitle },
          { id: changed.id, displayName: changed.displayName, jobTitle: 'Head of Year 9' },
          // delta-query-users.md: a deleted user can be restored, so the reason is `changed`.
          { id: leaver.id, '@removed': { reason: 'changed' } },
        ]),
      );
      expect(second.items).toHaveLength(3);
      expect((await round(second.deltaLink)).items).toEqual([]);
    } finally {
      ctx.school.users.splice(ctx.school.users.indexOf(starter), 1);
      ctx.school.users.splice(2, 0, leaver);
    }
  });

  it('does not bring a user back for a change to a property that was not selected', async () => {
    const { deltaLink } = await round('/users/delta?$select=displayName');
    const u = ctx.school.users[3]!;
    const was = u.jobTitle;
    u.jobTitle = 'Cover supervisor';
    try {
      expect((await round(deltaLink)).items).toEqual([]);
    } finally {
      u.jobTitle = was;
    }
  });

  it('lists each group with its members in members@delta, then only members added and removed (@removed)', async () => {
    const staff = ctx.school.groups.find((g) => g.kind === 'staff')!;
    const first = await round('/groups/delta?$select=displayName,members');
    const members = first.items.filter((g) => g.id === staff.id).flatMap((g) => g['members@delta'] ?? []);
    expect(members.map((m) => m.id).sort()).toEqual([...staff.memberIds].sort());
    expect(members[0]!['@odata.type']).toBe('#microsoft.graph.user');
    // A large group is split over pages, repeated with each part of its members.
    expect(first.items.filter((g) => g.id === staff.id).length + first.pages.length).toBeGreaterThan(2);

    const leaver = staff.memberIds.pop()!;
    const joiner = ctx.school.users.find((u) => u.role === 'student')!.id;
    staff.memberIds.push(joiner);
    try {
      const second = await round(first.deltaLink);
      expect(second.items).toEqual([
        {
          id: staff.id,
          // A change of members alone: the id and members@delta, with the properties for some groups.
          ...(answersWithIdAlone(staff.id) ? {} : { displayName: staff.displayName }),
          'members@delta': expect.arrayContaining([
            { '@odata.type': '#microsoft.graph.user', id: leaver, '@removed': { reason: 'deleted' } },
            { '@odata.type': '#microsoft.graph.user', id: joiner },
          ]),
        },
      ]);
      expect(second.items[0]!['members@delta']).toHaveLength(2);
    } finally {
      staff.memberIds.splice(staff.memberIds.indexOf(joiner), 1, leaver);
    }
  });

  it('reports an update with "at least the properties that have been updated": a change of members alone as the id and members@delta for some groups, with every property for others', async () => {
    const bare = ctx.school.groups.find((g) => g.kind !== 'staff' && answersWithIdAlone(g.id))!;
    const full = ctx.school.groups.find((g) => g.kind !== 'staff' && !answersWithIdAlone(g.id))!;
    const { deltaLink } = await round('/groups/delta?$select=displayName,mail,members&$deltatoken=latest');
    const joiner = ctx.school.users.find((u) => u.role === 'governor')!.id;
    bare.memberIds.push(joiner);
    full.memberIds.push(joiner);
    try {
      const { items } = await round(deltaLink);
      const added = [{ '@odata.type': '#microsoft.graph.user', id: joiner }];
      expect(items.find((g) => g.id === bare.id)).toEqual({ id: bare.id, 'members@delta': added });
      expect(items.find((g) => g.id === full.id)).toEqual({ id: full.id, displayName: full.displayName, mail: full.mail, 'members@delta': added });
    } finally {
      bare.memberIds.pop();
      full.memberIds.pop();
    }
  });

  it('tracks only the objects named by $filter=id eq, up to 50 of them', async () => {
    const [a, b] = ctx.school.users;
    const { items } = await round(`/users/delta?$filter=id eq '${a!.id}' or id eq '${b!.id}'&$select=displayName`);
    expect(items.map((u) => u.id).sort()).toEqual([a!.id, b!.id].sort());
    const many = ctx.school.users
      .slice(0, 51)
      .map((u) => `id eq '${u.id}'`)
      .join(' or ');
    await expect(ctx.graph.get(`/users/delta?$filter=${many}`)).rejects.toMatchObject({ statusCode: 400 });
    await expect(ctx.graph.get(`/users/delta?$filter=userType eq 'Guest'`)).rejects.toMatchObject({ statusCode: 400 });
    await expect(ctx.graph.get('/users/delta?$top=5')).rejects.toMatchObject({ statusCode: 400 });
  });

  it('gives a deltaLink and no users for $deltatoken=latest ("sync from now")', async () => {
    const page = await ctx.graph.get<Page<Entry>>('/users/delta?$deltatoken=latest');
    expect(page.value).toEqual([]);
    expect(page['@odata.deltaLink']).toMatch(/\$deltatoken=/);
  });

  it('answers 410 Gone with a Location to start again after a sync reset, and refuses a token older than seven days', async () => {
    const { deltaLink } = await round('/groups/delta?$select=members');
    ctx.tenant.expireDeltaLinks();
    const gone = await ctx.graph.get(deltaLink).catch((e: unknown) => e);
    expect(isGraphError(gone, 410)).toBe(true);

    const fresh = await round('/users/delta?$select=id');
    const now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(now + DIRECTORY_DELTA_TOKEN_MS + 60_000);
    try {
      const expired = await ctx.graph.get(fresh.deltaLink).catch((e: unknown) => e);
      expect(expired).toMatchObject({ statusCode: 410, code: 'syncStateNotFound' });
    } finally {
      clock.mockRestore();
    }
  });

  it('reports a deleted user as removed from their groups, and no longer answers for them (delta-query-groups.md)', async () => {
    const staff = ctx.school.groups.find((g) => g.kind === 'staff')!;
    const { deltaLink } = await round(`/groups/delta?$filter=id eq '${staff.id}'&$select=id,members`);
    const at = ctx.school.users.findIndex((u) => u.id === staff.memberIds[0]);
    const [leaver] = ctx.school.users.splice(at, 1);
    try {
      // "removed from the group - either by removing the membership or by deleting the user object itself"
      const second = await round(deltaLink);
      expect(second.items.flatMap((g) => g['members@delta'] ?? [])).toEqual([
        { '@odata.type': '#microsoft.graph.user', id: leaver!.id, '@removed': { reason: 'deleted' } },
      ]);
      await expect(ctx.graph.get(`/users/${leaver!.id}`)).rejects.toMatchObject({ statusCode: 404 });
      const members = await ctx.graph.all<{ id: string }>(`/groups/${staff.id}/transitiveMembers?$select=id`);
      expect(members.map((m) => m.id)).not.toContain(leaver!.id);
    } finally {
      ctx.school.users.splice(at, 0, leaver!);
    }
  });

  it('refuses a /users/delta token at /groups/delta (a token belongs to the query that issued it)', async () => {
    const { deltaLink } = await round('/users/delta?$select=displayName');
    const token = new URL(deltaLink).searchParams.get('$deltatoken')!;
    await expect(ctx.graph.get(`/groups/delta?$deltatoken=${token}`)).rejects.toMatchObject({ statusCode: 400 });
  });

  it('points the 410 of a sync reset at the initial query, with its $select and $filter and an empty $deltatoken ("Synchronization reset")', async () => {
    const [a, b] = ctx.school.users;
    const { deltaLink } = await round(`/users/delta?$filter=id eq '${a!.id}' or id eq '${b!.id}'&$select=displayName,jobTitle`);
    ctx.tenant.expireDeltaLinks();
    const gone = await fetch(deltaLink, { headers: { Authorization: 'Bearer demo-tenant-token' } });
    expect(gone.status).toBe(410);
    const restart = new URL(gone.headers.get('Location')!);
    expect(restart.pathname).toBe('/v1.0/users/delta');
    expect(restart.searchParams.get('$deltatoken')).toBe('');
    expect(restart.searchParams.get('$select')).toBe('displayName,jobTitle');
    expect(restart.searchParams.get('$filter')).toBe(`id eq '${a!.id}' or id eq '${b!.id}'`);
    // Followed, it is a first round again.
    const again = await round(restart.toString());
    expect(again.items.map((u) => u.id).sort()).toEqual([a!.id, b!.id].sort());
  });

  it('gives a deleted Microsoft 365 group the reason changed (restorable) and a deleted security group deleted (directory-deleteditems-restore.md)', async () => {
    const template = ctx.school.groups.find((g) => g.kind === 'club')!;
    const unified = { ...template, id: '00000000-0000-4000-8000-0000000000b1', groupTypes: ['Unified'], memberIds: [], ownerIds: [] };
    const security = {
      ...template,
      id: '00000000-0000-4000-8000-0000000000b2',
      groupTypes: [],
      mailEnabled: false,
      securityEnabled: true,
      memberIds: [],
      ownerIds: [],
    };
    ctx.school.groups.push(unified, security);
    const filter = `$filter=id eq '${unified.id}' or id eq '${security.id}'&$select=displayName`;
    const { deltaLink } = await round(`/groups/delta?${filter}`);
    ctx.school.groups.splice(ctx.school.groups.indexOf(unified), 2);
    const second = await round(deltaLink);
    expect(second.items).toEqual(
      expect.arrayContaining([
        { id: unified.id, '@removed': { reason: 'changed' } },
        { id: security.id, '@removed': { reason: 'deleted' } },
      ]),
    );
  });

  it('refuses $search and $count on /users/delta, which user-delta.md does not list (only $select and $filter by id)', async () => {
    await expect(ctx.graph.get('/users/delta?$search="displayName:ann"')).rejects.toMatchObject({ statusCode: 400 });
    await expect(ctx.graph.get('/users/delta?$count=true')).rejects.toMatchObject({ statusCode: 400 });
  });

  it('asks the permissions Microsoft lists: User.Read.All for users, GroupMember.Read.All for groups', async () => {
    await expect(graphWith(['GroupMember.Read.All']).get('/users/delta?$select=id')).rejects.toMatchObject({ statusCode: 403 });
    await expect(graphWith(['User.Read.All']).get('/groups/delta?$select=members')).rejects.toMatchObject({ statusCode: 403 });
    await expect(graphWith(['User.Read.All']).get('/users/delta?$select=id')).resolves.toBeDefined();
    await expect(graphWith(['GroupMember.Read.All']).get('/groups/delta?$select=members')).resolves.toBeDefined();
  });
});
