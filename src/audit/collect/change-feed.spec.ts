import { setupServer } from 'msw/node';
import { createDemoTenant } from '../../demo-tenant/graph-handlers';
import { generateSchool } from '../../demo-tenant/school-generator';
import { GraphAccess } from '../../graph/graph-access';
import { tokenSourceFor } from '../../graph/graph-auth';
import { mailboxesNamed, readChangeFeed } from './change-feed';

const BASE = 'https://graph.microsoft.com/v1.0';

/**
 * Issue #12: an incremental audit learns what changed from the unified audit log; when the log
 * cannot be searched, the run still completes, reading those areas in full and saying why.
 */
describe('the audit log as the incremental audit reads it', () => {
  // One clock for the tenant and the run: the run's pauses move it on (recorded, never slept).
  let time = Date.parse('2026-11-02T09:00:00Z');
  const tenant = createDemoTenant(generateSchool({ size: { staff: 5, students: 10, governors: 2 } }), { clock: () => new Date(time) });
  const server = setupServer(...tenant.handlers);
  const waits: number[] = [];
  const graph = new GraphAccess({
    baseUrl: BASE,
    tokens: tokenSourceFor({ mode: 'demo' }, BASE),
    now: () => time,
    sleep: async (ms) => {
      waits.push(ms);
      time += ms;
    },
  });
  const ctx = { tenant, graph, waits };
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());
  beforeEach(() => {
    tenant.throttle.clear();
    waits.length = 0;
    time += 24 * 60 * 60_000;
  });
  const window = () => ({ from: new Date(time - 24 * 60 * 60_000), to: new Date(time) });

  it('falls back to reading in full, with the reason, when the day’s searches are spent (429 for hours): never fatal, never a freeze', async () => {
    ctx.tenant.throttle.throttleNext(1, { retryAfterSeconds: 24 * 60 * 60, match: /POST \/security\/auditLog\/queries/ });
    const feed = await readChangeFeed(ctx.graph, window(), ctx.graph.now);
    expect(feed.sharingSites).toBeUndefined();
    expect(feed.ruleMailboxes).toBeUndefined();
    expect(feed.unavailable).toEqual({
      sharing: 'the audit log could not be searched (HTTP 429)',
      rules: 'the audit log could not be searched (HTTP 429)',
    });
    expect(ctx.waits).toEqual([]);
  });

  // security-auditlogquery.md: a query's status is notStarted, running, succeeded, failed, cancelled (or unknownFutureValue).
  it.each(['failed', 'cancelled'] as const)('falls back to reading in full, with the reason, when the search ends %s: never fatal', async (ending) => {
    ctx.tenant.auditLog.endNextQueries(ending);
    const feed = await readChangeFeed(ctx.graph, window(), ctx.graph.now);
    expect(feed.sharingSites).toBeUndefined();
    expect(feed.sharingItems).toBeUndefined();
    expect(feed.ruleMailboxes).toBeUndefined();
    expect(feed.unavailable).toEqual({ sharing: `the audit log search ended ${ending}`, rules: `the audit log search ended ${ending}` });
    // It stopped waiting once the search had ended (the demo's searches take a minute), not after 30 minutes.
    expect(ctx.waits.reduce((a, b) => a + b, 0)).toBeLessThan(5 * 60_000);
  });

  it('gives up on a search still running after 30 minutes, and falls back to reading in full, with the reason', async () => {
    ctx.tenant.auditLog.endNextQueries('never');
    const feed = await readChangeFeed(ctx.graph, window(), ctx.graph.now);
    expect(feed.ruleMailboxes).toBeUndefined();
    expect(feed.unavailable).toEqual({
      sharing: 'the audit log search did not finish in 30 minutes',
      rules: 'the audit log search did not finish in 30 minutes',
    });
    const waited = ctx.waits.reduce((a, b) => a + b, 0);
    expect(waited).toBeGreaterThanOrEqual(30 * 60_000);
    expect(waited).toBeLessThanOrEqual(31 * 60_000);
  });

  it('finds the mailbox a rule record names by sign-in name, alias, display name, object id or DN; a name nobody has is unknown, never guessed', () => {
    const jo = {
      id: '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
      userPrincipalName: 'jo.bloggs@school.org',
      mail: 'jo.bloggs@school.org',
      mailNickname: 'jbloggs',
      displayName: 'Jo Bloggs',
    };
    const sam = { id: 'a1', userPrincipalName: 'sam.smith@school.org', mail: 'sam.smith@school.org', mailNickname: 'sam.smith', displayName: 'Sam Smith' };
    const sam2 = { id: 'a2', userPrincipalName: 'sam.smith2@school.org', mail: null, displayName: 'Sam Smith' };
    const users = [jo, sam, sam2];
    const found = (name: string) => [...mailboxesNamed([name.toLowerCase()], users).ids].sort();
    expect(found('Jo.Bloggs@school.org')).toEqual([jo.id]);
    expect(found('jbloggs')).toEqual([jo.id]);
    expect(found('jo.bloggs')).toEqual([jo.id]);
    expect(found('EURPR05A001.PROD.OUTLOOK.COM/Microsoft Exchange Hosted Organizations/school.onmicrosoft.com/Jo Bloggs')).toEqual([jo.id]);
    expect(found('GBRP265A001.PROD.OUTLOOK.COM/Microsoft Exchange Hosted Organizations/school.onmicrosoft.com/6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f')).toEqual([
      jo.id,
    ]);
    expect(found('CN=jbloggs,OU=school.onmicrosoft.com,OU=Microsoft Exchange Hosted Organizations,DC=EURPR05A001,DC=PROD,DC=OUTLOOK,DC=COM')).toEqual([jo.id]);
    expect(found('/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=0123456789abcdef0123456789abcdef-jbloggs')).toEqual([
      jo.id,
    ]);
    // Two people share a display name: both mailboxes are read.
    expect(found('Sam Smith')).toEqual(['a1', 'a2']);
    expect(mailboxesNamed(['former.teacher@school.org', 'jbloggs'], users)).toEqual({ ids: new Set([jo.id]), unknown: ['former.teacher@school.org'] });
  });
});
