import { getResponse } from 'msw';
import { createDemoTenant } from './graph-handlers';
import { generateSchool } from './school-generator';
import { ThrottleControl } from './throttle-control';
import { PublishedLimits } from './throttle-limits';
import { identityCost, serviceOf, sharePointBudgets, sharePointCost } from '../graph/published-limits';

describe('the demo tenant’s model of Microsoft’s published limits', () => {
  it('gives an app 2,500 SharePoint resource units a minute in a tenant of 1,001-5,000 licences, 5,000 at 15,001-50,000, 6,250 above', () => {
    expect(sharePointBudgets(2_000).perMinute.quota).toBe(2_500);
    expect(sharePointBudgets(50_000).perMinute.quota).toBe(5_000);
    expect(sharePointBudgets(50_001).perMinute.quota).toBe(6_250);
    expect(sharePointBudgets(2_000).per24Hours.quota).toBe(2_400_000);
  });

  it('charges SharePoint 1 unit for an item or a delta with a token, 2 for a listing or a delta without one, 5 for permissions', () => {
    expect(sharePointCost('GET', '/users/u1/drive')).toBe(1);
    expect(sharePointCost('GET', '/drives/d1/root/delta?token=1.2')).toBe(1);
    expect(sharePointCost('GET', '/users/u1/drive/root/delta?$select=id')).toBe(2);
    expect(sharePointCost('GET', '/sites/s1/drives')).toBe(2);
    expect(sharePointCost('GET', '/drives/d1/items/i1/permissions')).toBe(5);
    // An item by its path is a single item, as by its id; a site's default library likewise.
    expect(sharePointCost('GET', '/drives/d1/root:/Documents/Notes%201.docx?$select=id,shared')).toBe(1);
    expect(sharePointCost('GET', '/sites/s1/drive?$select=id,webUrl')).toBe(1);
    expect(sharePointCost('GET', '/drives/d1/items/i1?$expand=permissions')).toBe(5);
  });

  it('knows which service a request counts against', () => {
    expect(serviceOf('/users/u1/drive/root/delta').service).toBe('sharepoint');
    expect(serviceOf('/users/U1/mailFolders/inbox/messageRules')).toEqual({ service: 'outlook', mailbox: 'u1' });
    expect(serviceOf('/users?$top=999').service).toBe('identity');
    expect(serviceOf('/groups/g1/members').service).toBe('identity');
    expect(serviceOf('/users/u1/onlineMeetings').service).toBe('other');
  });

  it('prices identity reads as published: GET users 2, group members 3, $select one less, never below 1', () => {
    expect(identityCost('GET', '/users')).toBe(2);
    expect(identityCost('GET', '/users?$select=id')).toBe(1);
    expect(identityCost('GET', '/groups/g/members?$select=id&$top=999')).toBe(2);
    expect(identityCost('GET', '/policies/authorizationPolicy?$select=id&$top=5')).toBe(1);
  });

  it('answers 429 once the minute’s resource units are spent, with Retry-After until they are back and RateLimit headers', () => {
    let now = 0;
    const limits = new PublishedLimits({ licences: 2_000, users: 2_000 }, () => now);
    for (let i = 0; i < 500; i++) expect(limits.check('GET', `/drives/d/items/i${i}/permissions`)).toBeUndefined();
    const refused = limits.check('GET', '/drives/d/items/x/permissions');
    // 2,500 units a minute refill at 41.7 a second: 5 units are back after 0.12 s, said as 1 s.
    expect(refused).toEqual({
      retryAfterSeconds: 1,
      service: 'sharepoint',
      headers: { 'RateLimit-Limit': '2500', 'RateLimit-Remaining': '0', 'RateLimit-Reset': '60' },
    });
    expect(limits.resourceUnits).toBe(2_500);
    now = 120;
    expect(limits.check('GET', '/drives/d/items/x/permissions')).toBeUndefined();
  });

  it('keeps Outlook’s 10,000 requests per 10 minutes per mailbox apart for each mailbox', () => {
    let now = 0;
    const limits = new PublishedLimits({ licences: 10, users: 10 }, () => now);
    // One request every millisecond: within the global 2,000 a second; the mailbox's budget runs out first.
    let admitted = 0;
    for (; !limits.check('GET', '/users/a/mailFolders/inbox/messageRules'); now += 1) admitted += 1;
    // 10,000 at the start plus what 10 s of refill (16.7 a second) gave back.
    expect(admitted).toBeGreaterThanOrEqual(10_000);
    expect(admitted).toBeLessThan(10_200);
    expect(limits.check('GET', '/users/a/mailFolders/inbox/messageRules')).toMatchObject({ service: 'outlook', retryAfterSeconds: 1 });
    expect(limits.check('GET', '/users/b/mailFolders/inbox/messageRules')).toBeUndefined();
  });

  it('reports the wall-time floor each service imposes on the work admitted, and which binds', () => {
    let now = 0;
    const later = new PublishedLimits({ licences: 2_000, users: 2_000 }, () => now);
    // A client that waits out every Retry-After, until 1,000 permission calls are through.
    for (let admitted = 0; admitted < 1_000;) {
      const refused = later.check('GET', `/drives/d/items/i${admitted}/permissions`);
      if (refused) now += refused.retryAfterSeconds * 1000;
      else admitted += 1;
    }
    // 5,000 units against 2,500 a minute, starting full: one minute at least.
    const { binding, perService } = later.floors();
    expect(binding).toEqual({ service: 'sharepoint', spent: 5_000, floorMs: 60_000 });
    expect(perService.find((f) => f.service === 'global')!.floorMs).toBe(0);
  });

  it('is what the tenant enforces once switched on, batch members counted one by one', () => {
    const t = new ThrottleControl(() => 0);
    t.publishedLimits({ licences: 100, users: 100 });
    expect(t.check('POST', '/$batch')).toBeUndefined();
    for (let i = 0; i < 250; i++) expect(t.check('GET', `/drives/d/items/i${i}/permissions`)).toBeUndefined();
    expect(t.check('GET', '/drives/d/items/x/permissions')).toBe(1);
    expect(t.admitted).toBe(250);
    expect(t.throttled).toBe(1);
  });
});

describe('SharePoint’s RateLimit headers in the demo tenant', () => {
  it('come with a batch member’s answer once the app has spent 80% of the minute’s units, not before', async () => {
    const school = generateSchool();
    const tenant = createDemoTenant(school);
    const limits = tenant.throttle.publishedLimits({ licences: 100, users: 100 }, () => 0)!;
    const drive = school.drives[0]!;
    const batch = async () => {
      const res = await getResponse(
        tenant.handlers,
        new Request('https://graph.microsoft.com/v1.0/$batch', {
          method: 'POST',
          headers: { authorization: 'Bearer demo', 'content-type': 'application/json' },
          body: JSON.stringify({ requests: [{ id: '1', method: 'GET', url: `/drives/${drive.id}/root/delta` }] }),
        }),
      );
      return ((await res!.json()) as { responses: Array<{ status: number; headers: Record<string, string> }> }).responses[0]!;
    };
    expect((await batch()).headers['RateLimit-Remaining']).toBeUndefined();
    // 1,250 units a minute for up to 1,000 licences: spend past 80% of them.
    for (let i = 0; i < 200; i++) limits.check('GET', `/drives/d/items/i${i}/permissions`);
    const near = await batch();
    expect(near.status).toBe(200);
    // 1,250 - 2 (the first delta) - 1,000 (200 permission calls) - 2 (this delta).
    expect(near.headers).toMatchObject({ 'RateLimit-Limit': '1250', 'RateLimit-Remaining': '246' });
  });
});
