import { useDemoGraph } from '../../test/support/demo-graph';
import { keyPeople } from '../demo-tenant/school-generator';
import { sendBatch, type BatchRequest } from './graph-batch';

interface User {
  id: string;
  userPrincipalName: string;
  userType?: string;
  displayName?: string;
}

describe('Graph access against the demo tenant', () => {
  const ctx = useDemoGraph();

  it('follows @odata.nextLink across pages', async () => {
    const pages: number[] = [];
    for await (const page of ctx.graph.pages<User>('/users?$top=250&$select=id,userPrincipalName')) pages.push(page.value.length);
    expect(pages.length).toBeGreaterThan(2);
    expect(pages.reduce((a, b) => a + b, 0)).toBe(ctx.school.users.length);
  });

  it('returns only the $select-ed fields', async () => {
    const page = await ctx.graph.get<{ value: User[] }>('/users?$top=1&$select=id,userPrincipalName');
    expect(Object.keys(page.value[0]!).sort()).toEqual(['@odata.type', 'id', 'userPrincipalName']);
  });

  it('applies $filter as Graph does', async () => {
    const guests = await ctx.graph.all<User>("/users?$filter=userType eq 'Guest'&$select=id,userType");
    expect(guests.length).toBe(ctx.school.users.filter((u) => u.userType === 'Guest').length);
    expect(guests.every((g) => g.userType === 'Guest')).toBe(true);
    const teams = await ctx.graph.all<{ id: string }>("/groups?$filter=resourceProvisioningOptions/Any(x:x eq 'Team')");
    expect(teams.length).toBe(ctx.school.groups.filter((g) => g.resourceProvisioningOptions.includes('Team')).length);
  });

  it('answers 404 for a OneDrive that was never provisioned', async () => {
    const unprovisioned = ctx.school.users.find((u) => u.role === 'student' && !u.driveProvisioned)!;
    await expect(ctx.graph.get(`/users/${unprovisioned.id}/drive`)).rejects.toMatchObject({ statusCode: 404 });
  });

  it('retries an outer request throttled with 429 after its Retry-After', async () => {
    ctx.tenant.throttle.throttleNext(2, { retryAfterSeconds: 7, match: /GET \/organization/ });
    const org = await ctx.graph.get<{ value: Array<{ id: string }> }>('/organization');
    expect(org.value[0]!.id).toBe(ctx.school.tenantId);
    expect(ctx.waits).toEqual([7000, 7000]);
    expect(ctx.graph.stats.throttled).toBe(2);
  });

  it('gives a request Graph asks to wait hours for back as its 429 at once, and keeps serving the rest (throttling is never fatal, never a freeze)', async () => {
    ctx.tenant.throttle.throttleNext(1, { retryAfterSeconds: 24 * 60 * 60, match: /GET \/organization/ });
    await expect(ctx.graph.get('/organization')).rejects.toMatchObject({ statusCode: 429 });
    expect(ctx.waits).toEqual([]);
    const users = await ctx.graph.get<{ value: User[] }>('/users?$top=1&$select=id');
    expect(users.value).toHaveLength(1);
    expect(ctx.waits).toEqual([]);
  });

  it('sends per-user calls in batches of 20 and retries only the throttled members', async () => {
    const staff = ctx.school.users.filter((u) => u.role === 'staff').slice(0, 45);
    const requests: BatchRequest[] = staff.map((u) => ({ id: u.id, method: 'GET', url: `/users/${u.id}/mailFolders/inbox/messageRules` }));
    ctx.tenant.throttle.throttleNext(3, { retryAfterSeconds: 4, match: /messageRules/ });
    const results = await sendBatch(ctx.graph, requests);
    expect(results.size).toBe(45);
    expect([...results.values()].every((r) => r.status === 200)).toBe(true);
    // The 3 throttled members go back to the front of the queue and ride in the next batch:
    // 48 members sent in 3 batches, one pause of 4 s.
    expect(ctx.graph.stats.batches).toBe(3);
    expect(ctx.graph.stats.batchMembers).toBe(48);
    expect(ctx.waits).toEqual([4000]);
    expect(ctx.tenant.stats.batches).toBe(3);
  });

  it('gives back a member that stays throttled instead of failing the whole batch', async () => {
    const { teacher } = keyPeople(ctx.school);
    ctx.tenant.throttle.throttleNext(1000, { retryAfterSeconds: 1, match: new RegExp(`${teacher.id}/drive`) });
    const results = await sendBatch(ctx.graph, [
      { id: 'a', method: 'GET', url: `/users/${teacher.id}/drive` },
      { id: 'b', method: 'GET', url: '/organization' },
    ]);
    expect(results.get('a')!.status).toBe(429);
    expect(results.get('b')!.status).toBe(200);
  });

  it('refuses a batch of more than 20, as Graph does', async () => {
    const requests = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/organization' }));
    await expect(ctx.graph.client.api('/$batch').post({ requests })).rejects.toMatchObject({ statusCode: 400 });
  });

  it('reports a member that is not found with its own status', async () => {
    const results = await sendBatch(ctx.graph, [{ id: 'x', method: 'GET', url: '/users/00000000-0000-4000-a000-000000000000' }]);
    expect(results.get('x')!.status).toBe(404);
  });
});
