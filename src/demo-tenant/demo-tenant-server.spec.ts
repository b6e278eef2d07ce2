import { GraphAccess } from '../graph/graph-access';
import { tokenSourceFor } from '../graph/graph-auth';
import { startDemoTenantServer, type RunningDemoTenant } from './demo-tenant-server';
import { createDemoTenant } from './graph-handlers';
import { generateSchool } from './school-generator';

describe('the demo tenant over real HTTP', () => {
  const tenant = createDemoTenant(generateSchool());
  let running: RunningDemoTenant;
  beforeAll(async () => {
    running = await startDemoTenantServer(tenant);
  });
  afterAll(() => running.close());

  it('serves paged Graph collections to the Graph SDK on an http base URL', async () => {
    const graph = new GraphAccess({ baseUrl: running.graphBaseUrl, tokens: tokenSourceFor({ mode: 'demo' }, running.graphBaseUrl) });
    const users = await graph.all<{ id: string }>('/users?$top=100&$select=id');
    expect(users).toHaveLength(tenant.school.users.length);
    expect(graph.stats.requests).toBe(Math.ceil(tenant.school.users.length / 100));
  });

  it('answers 401 to a request without a token, as Graph does', async () => {
    const res = await fetch(`${running.graphBaseUrl}/users`);
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('InvalidAuthenticationToken');
  });

  it('throttles on request, with Retry-After', async () => {
    await fetch(`${running.url}/_demo/throttle`, { method: 'POST', body: JSON.stringify({ count: 1, retryAfterSeconds: 3 }) });
    const res = await fetch(`${running.graphBaseUrl}/organization`, { headers: { authorization: 'Bearer x' } });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
  });
});
