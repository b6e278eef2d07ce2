import { setupServer } from 'msw/node';
import { GraphAccess, isGraphError } from '../graph/graph-access';
import { tokenSourceFor } from '../graph/graph-auth';
import { QUERY_RUNS_MS, RECORD_LATENCY_MS, type InboxRuleChannel } from './audit-log-handlers';
import { createDemoTenant } from './graph-handlers';
import { generateSchool } from './school-generator';

const BASE = 'https://graph.microsoft.com/v1.0';
const school = generateSchool({ size: { staff: 12, students: 30, governors: 5 } });
let time = Date.parse('2026-11-02T09:00:00Z');
const clock = () => new Date(time);
const tenant = createDemoTenant(school, { clock });
const server = setupServer(...tenant.handlers);
const graphWith = (roles?: string[]) =>
  new GraphAccess({ baseUrl: BASE, tokens: tokenSourceFor({ mode: 'demo', ...(roles ? { roles } : {}) }, BASE), sleep: async () => undefined });
const graph = graphWith();

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
beforeEach(() => {
  school.auditLog.length = 0;
  time += 24 * 3_600_000;
});

const teacherDrive = () => school.drives.find((d) => d.driveType === 'business' && d.items.some((i) => !i.isFolder))!;
let links = 0;
const shareAnyone = () => {
  const d = teacherDrive();
  const file = d.items.find((i) => !i.isFolder)!;
  tenant.changeSharing(d.id, file.id, (i) =>
    i.permissions.push({ id: `anon-${++links}`, roles: ['read'], link: { scope: 'anonymous', type: 'view', webUrl: 'https://x/a' } }),
  );
  return file;
};
const forwardRule = (userId: string, how: InboxRuleChannel) =>
  tenant.changeInboxRules(
    userId,
    (rules) =>
      rules.push({
        id: `rule-${time}`,
        displayName: 'to home',
        sequence: 1,
        isEnabled: true,
        hasError: false,
        isReadOnly: false,
        conditions: {},
        actions: { forwardTo: [{ emailAddress: { address: 'me@home.example' } }] },
      }),
    how,
  );

type Query = { id: string; status: string };
type Record = { operation: string; service: string; objectId: string; auditLogRecordType: string; auditData: { [k: string]: unknown } };
const since = (hours: number) => new Date(time - hours * 3_600_000).toISOString();
async function search(g: GraphAccess, body: object): Promise<Record[]> {
  const created = await g.post<Query>('/security/auditLog/queries', { filterStartDateTime: since(48), filterEndDateTime: clock().toISOString(), ...body });
  time += QUERY_RUNS_MS;
  expect((await g.get<Query>(`/security/auditLog/queries/${created.id}`)).status).toBe('succeeded');
  return g.all<Record>(`/security/auditLog/queries/${created.id}/records`);
}

describe('the unified audit log through Graph v1.0’s Audit Log Query API (security-auditcoreroot-post-auditlogqueries.md)', () => {
  it('creates a query (201, notStarted) that runs before it has succeeded, and whose records are read afterwards, page by page', async () => {
    for (let n = 0; n < 3; n++) shareAnyone();
    time += RECORD_LATENCY_MS.max;
    const created = await graph.post<Query & { operationFilters: string[] }>('/security/auditLog/queries', {
      displayName: 'sharing since the last audit',
      filterStartDateTime: since(48),
      filterEndDateTime: clock().toISOString(),
      operationFilters: ['AnonymousLinkCreated'],
    });
    expect(created).toMatchObject({ status: 'notStarted', operationFilters: ['AnonymousLinkCreated'] });
    expect((await graph.get<Query>(`/security/auditLog/queries/${created.id}`)).status).toBe('running');
    time += QUERY_RUNS_MS;
    expect((await graph.get<Query>(`/security/auditLog/queries/${created.id}`)).status).toBe('succeeded');
    const first = await graph.get<{ value: Record[]; '@odata.nextLink'?: string }>(`/security/auditLog/queries/${created.id}/records?$top=2`);
    expect(first.value).toHaveLength(2);
    expect(first['@odata.nextLink']).toBeDefined();
    expect(await graph.all<Record>(`/security/auditLog/queries/${created.id}/records`)).toHaveLength(3);
  });

  it('records a sharing change as SharePoint audits it: the operation, OneDrive as the service for a personal drive, the item in objectId', async () => {
    const file = shareAnyone();
    time += RECORD_LATENCY_MS.max;
    const [record] = await search(graph, { operationFilters: ['AnonymousLinkCreated'] });
    expect(record).toMatchObject({
      operation: 'AnonymousLinkCreated',
      service: 'OneDrive',
      auditLogRecordType: 'sharePointSharingOperation',
      objectId: file.webUrl,
    });
    expect(record!.auditData).toMatchObject({ SourceFileName: file.name, ItemType: 'File' });
  });

  it('names each kind of sharing by its own operation, and removals too', async () => {
    const d = teacherDrive();
    const file = d.items.find((i) => !i.isFolder)!;
    tenant.changeSharing(d.id, file.id, (i) =>
      i.permissions.push(
        { id: 'inv', roles: ['read'], invitation: { email: 'tutor@example.net', signInRequired: true } },
        { id: 'direct', roles: ['write'], grantedToV2: { user: { email: 'colleague@example.org', displayName: 'C' } } },
        {
          id: 'people',
          roles: ['read'],
          link: { scope: 'users', type: 'view', webUrl: 'https://x/p' },
          grantedToIdentitiesV2: [{ user: { email: 'aunt@example.net', displayName: 'A' } }],
        },
      ),
    );
    tenant.changeSharing(d.id, file.id, (i) => (i.permissions = i.permissions.filter((p) => p.id !== 'direct')));
    time += RECORD_LATENCY_MS.max;
    const operations = (await search(graph, {})).map((r) => r.operation).sort();
    expect(operations).toEqual(['AddedToSecureLink', 'SecureLinkCreated', 'SharingInvitationCreated', 'SharingRevoked', 'SharingSet']);
  });

  it('records inbox rule changes: New-InboxRule by cmdlet (exchangeAdmin), UpdateInboxRules when saved in Outlook (exchangeItem)', async () => {
    const [a, b] = school.users.filter((u) => u.userType === 'Member');
    forwardRule(a!.id, 'cmdlet');
    forwardRule(b!.id, 'outlook');
    time += RECORD_LATENCY_MS.max;
    const records = await search(graph, { operationFilters: ['New-InboxRule', 'Set-InboxRule', 'UpdateInboxRules'] });
    expect(records.map((r) => [r.operation, r.auditLogRecordType, r.service]).sort()).toEqual([
      ['New-InboxRule', 'exchangeAdmin', 'Exchange'],
      ['UpdateInboxRules', 'exchangeItem', 'Exchange'],
    ]);
  });

  it('records a rule a person makes in their own mailbox (Outlook on the web) without -Mailbox, its ObjectId naming the mailbox by display name, alias or id', async () => {
    const people = school.users.filter((u) => u.userType === 'Member').slice(3, 6);
    for (const u of people) forwardRule(u.id, 'web');
    time += RECORD_LATENCY_MS.max;
    const records = await search(graph, { operationFilters: ['New-InboxRule'] });
    expect(records).toHaveLength(3);
    for (const r of records) {
      expect(r).toMatchObject({ auditLogRecordType: 'exchangeAdmin', service: 'Exchange' });
      expect((r.auditData.Parameters as Array<{ Name: string }>).map((p) => p.Name)).toEqual(['Name']);
      expect(r.objectId).toMatch(/^[A-Z0-9.]+\/Microsoft Exchange Hosted Organizations\/[^/]+\/[^/\\]+\\to home$/);
    }
    const named = records.map((r) => r.objectId.split('/').pop()!.split('\\')[0]);
    expect(named.sort()).toEqual(
      expect.arrayContaining([expect.stringMatching(/ /), expect.stringMatching(/^[0-9a-f-]{36}$/), expect.stringMatching(/^[^@ ]+$/)]),
    );
    expect(named.some((n) => people.some((u) => u.userPrincipalName === n))).toBe(false);
  });

  it('finds a record only once it has arrived in the log, 60 to 90 minutes after the change (Purview, "Search the audit log")', async () => {
    shareAnyone();
    time += RECORD_LATENCY_MS.min - QUERY_RUNS_MS - 60_000;
    expect(await search(graph, {})).toEqual([]);
    time += RECORD_LATENCY_MS.max;
    expect(await search(graph, {})).toHaveLength(1);
  });

  it('keeps to the time window and the filters asked for', async () => {
    shareAnyone();
    time += RECORD_LATENCY_MS.max;
    expect(await search(graph, { filterStartDateTime: since(1) })).toEqual([]);
    expect(await search(graph, { operationFilters: ['SharingSet'] })).toEqual([]);
    expect(await search(graph, { serviceFilters: ['Exchange'] })).toEqual([]);
    expect(await search(graph, { serviceFilters: ['OneDrive'], recordTypeFilters: ['sharePointSharingOperation'] })).toHaveLength(1);
  });

  it('returns only the records of the services the app holds a permission for; without any, the query is refused (403)', async () => {
    shareAnyone();
    forwardRule(school.users[0]!.id, 'cmdlet');
    time += RECORD_LATENCY_MS.max;
    expect((await search(graphWith(['AuditLogsQuery-Exchange.Read.All']), {})).map((r) => r.service)).toEqual(['Exchange']);
    expect((await search(graphWith(['AuditLogsQuery-OneDrive.Read.All', 'AuditLogsQuery-Exchange.Read.All']), {})).map((r) => r.service).sort()).toEqual([
      'Exchange',
      'OneDrive',
    ]);
    expect(await search(graphWith(['AuditLogsQuery.Read.All']), {})).toHaveLength(2);
    const refused = await graphWith(['Sites.Read.All'])
      .post('/security/auditLog/queries', { filterStartDateTime: since(1) })
      .catch((e: unknown) => e);
    expect(isGraphError(refused, 403)).toBe(true);
  });

  it('holds a tenant to its allocation: 429 with Retry-After once 50 queries are queued or running (throttling-limits.md)', async () => {
    for (let n = 0; n < 50; n++) await graph.post('/security/auditLog/queries', { filterStartDateTime: since(1) });
    const refused = await fetch(`${BASE}/security/auditLog/queries`, {
      method: 'POST',
      headers: { authorization: 'Bearer demo', 'content-type': 'application/json' },
      body: JSON.stringify({ filterStartDateTime: since(1) }),
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    time += QUERY_RUNS_MS;
  });

  it('ends a query failed or cancelled when told to, with nothing to page through, or leaves it running for good (auditLogQueryStatus)', async () => {
    shareAnyone();
    time += RECORD_LATENCY_MS.max;
    tenant.auditLog.endNextQueries('failed');
    tenant.auditLog.endNextQueries('cancelled');
    tenant.auditLog.endNextQueries('never');
    const ids: string[] = [];
    for (let n = 0; n < 3; n++) ids.push((await graph.post<Query>('/security/auditLog/queries', { filterStartDateTime: since(48) })).id);
    time += 24 * 3_600_000 - 60_000;
    const statuses = await Promise.all(ids.map(async (id) => (await graph.get<Query>(`/security/auditLog/queries/${id}`)).status));
    expect(statuses).toEqual(['failed', 'cancelled', 'running']);
    expect(await graph.all(`/security/auditLog/queries/${ids[0]}/records`)).toEqual([]);
    // Then queries succeed again (the one left running counts among the tenant's 50 unfinished: run last).
    expect(await search(graph, {})).toHaveLength(1);
  });

  it('is in Graph v1.0’s schema: none of these requests was refused by the demo tenant’s schema check', () => {
    const audit = tenant.recorded.filter((r) => r.url.startsWith('/security/'));
    expect(audit.length).toBeGreaterThan(0);
    expect(audit.filter((r) => r.refusal)).toEqual([]);
  });
});
