import { resolve } from 'node:path';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import pino from 'pino';
import { sqliteStorage, type TestStorage } from './support/storages';
import { loadSchoolConfig } from '../src/config/load-school-config';
import { answersWithIdAlone } from '../src/demo-tenant/directory-delta-handlers';
import { createDemoTenant } from '../src/demo-tenant/graph-handlers';
import type { DemoInboxRule, DemoPermission } from '../src/demo-tenant/school-model';
import { generateSchool, sizeForUsers } from '../src/demo-tenant/school-generator';
import { ExchangeAdmin } from '../src/exchange/exchange-admin';
import { GraphAccess } from '../src/graph/graph-access';
import { tokenSourceFor } from '../src/graph/graph-auth';
import { APP_PERMISSIONS, AUDIT_LOG_QUERY_PERMISSIONS } from '../src/graph/permissions';
import { AuditService, type AuditOutcome } from '../src/audit/audit-service';
import { AuditStore } from '../src/audit/audit-store';
import { AuditWatermarks } from '../src/audit/audit-watermark';
import { MeetingWatch } from '../src/lessons/meeting-watch';
import { RecordingNotifier } from '../src/notify/notifier';
import { SchoolDirectory } from '../src/school/school-directory';
import { findingKey } from '../src/audit/findings';
import { eventually } from './support/eventually';

const config = loadSchoolConfig(resolve(__dirname, '../config/demo-school.yaml'));
const BASE = 'https://graph.microsoft.com/v1.0';
const HOUR = 3_600_000;
const WEBHOOK = 'https://esafety.school.test/api/graph/notifications';

/**
 * Issue 12, part 3: an incremental audit learns what changed from events (the unified audit log,
 * /groups/delta) and reads only that, yet reports every new and resolved finding a full run would.
 */
describe('an incremental audit (--since-last) after a 1% change of the school', () => {
  const school = generateSchool({ size: sizeForUsers(600) });
  let time = Date.parse('2026-11-02T08:00:00Z');
  const clock = () => new Date(time);
  const tenant = createDemoTenant(school, { clock });
  let watch: MeetingWatch | undefined;
  const server = setupServer(
    ...tenant.handlers,
    // The app's webhook for its staff-calendar subscriptions.
    http.post(WEBHOOK, async ({ request }) => {
      const token = new URL(request.url).searchParams.get('validationToken');
      if (token !== null) return new HttpResponse(token, { status: 200, headers: { 'content-type': 'text/plain' } });
      await watch?.receive(await request.json());
      return new HttpResponse(null, { status: 202 });
    }),
  );
  const graphWith = (roles?: string[]) =>
    new GraphAccess({
      baseUrl: BASE,
      tokens: tokenSourceFor({ mode: 'demo', ...(roles ? { roles } : {}) }, BASE),
      now: () => time,
      sleep: async (ms) => void (time += ms),
    });
  const exchange = new ExchangeAdmin({ tenantId: school.tenantId, tokens: { getAccessToken: async () => 'demo' }, sleep: async () => undefined });
  let t: TestStorage;
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());
  beforeEach(async () => {
    t = await sqliteStorage();
    school.subscriptions.length = 0;
    // The running app keeps a subscription to each member of staff's calendar (lessons); it has for a day.
    const graph = graphWith();
    watch = new MeetingWatch({
      db: t.storage.db,
      config,
      graph,
      directory: new SchoolDirectory(graph, config),
      notifier: new RecordingNotifier(),
      logger: pino({ level: 'silent' }),
      notificationUrl: () => WEBHOOK,
      clock,
    });
    await watch.ensureSubscriptions();
    time += 25 * HOUR;
  });
  afterEach(() => t.dispose());
  const serviceWith = (graph: GraphAccess) =>
    new AuditService({ graph, config, store: new AuditStore(t.storage.db), exchange, clock, watermarks: new AuditWatermarks(t.storage.db) });

  /** Requests the demo tenant served during `work`: each batch member counts, the $batch envelope does not. */
  async function counted<T>(work: () => Promise<T>): Promise<[T, number]> {
    const served = () => tenant.stats.requests - tenant.stats.batches + tenant.stats.batchMembers;
    const before = served();
    const result = await work();
    return [result, served() - before];
  }

  let n = 0;
  /** People change sharing, rules and membership in 1% of the school, and undo some findings. */
  async function changeOnePercent(full: AuditOutcome) {
    n += 1;
    school.drives
      .filter((_, i) => i % 100 === n)
      .forEach((d) => {
        const file = d.items.find((i) => !i.isFolder)!;
        tenant.changeSharing(d.id, file.id, (i) =>
          i.permissions.push({ id: `t-${n}-${i.id}`, roles: ['read'], link: { scope: 'anonymous', type: 'view', webUrl: 'https://x' } }),
        );
      });
    const anon = full.report.findings.find((f) => f.rule === 'sharing.item.anonymous-link')!;
    const [driveId, itemId] = anon.subject.id.split('/') as [string, string];
    tenant.changeSharing(driveId, itemId, (i) => (i.permissions = i.permissions.filter((p) => p.link?.scope !== 'anonymous')));
    const rule = (id: string): DemoInboxRule => ({
      id,
      displayName: 'forward home',
      sequence: 9,
      isEnabled: true,
      hasError: false,
      isReadOnly: false,
      conditions: {},
      actions: { forwardTo: [{ emailAddress: { address: 'me@home.example' } }] },
    });
    school.users
      .filter((u) => u.userType === 'Member')
      .filter((_, i) => i % 100 === n)
      .forEach((u) => tenant.changeInboxRules(u.id, (rules) => rules.push(rule(`t-${n}-${u.id}`))));
    const forwarding = full.report.findings.find((f) => f.rule === 'mail.inbox-rule.external-forward')!;
    tenant.changeInboxRules(forwarding.subject.id, (rules) => rules.splice(0, rules.length), 'cmdlet');
    const guest = school.users.find((u) => u.userType === 'Guest')!;
    school.groups.filter((_, i) => i % 100 === n).forEach((g) => g.memberIds.includes(guest.id) || g.memberIds.push(guest.id));
    // A member of staff organises a Teams meeting with someone outside the school.
    const staff = school.groups.find((g) => g.kind === 'staff')!.memberIds;
    tenant.meetings.createEventAs(staff[n]!, {
      subject: 'Moderation',
      isOnlineMeeting: true,
      attendees: [{ emailAddress: { address: 'moderator@board.example' } }],
    });
    await eventually(() => tenant.meetings.deliveries.length === tenant.meetings.notificationsSent, 'Graph to deliver the change notifications');
  }

  it('reports every new and resolved finding a full run would, for at most 5% of its requests and resource units', async () => {
    const service = serviceWith(graphWith());
    const [full, fullRequests] = await counted(() => service.run({ trigger: 'test' }));
    await changeOnePercent(full);
    time += 2 * HOUR;
    const [incremental, incrementalRequests] = await counted(() => service.run({ trigger: 'test', sinceLast: true }));
    const truth = await serviceWith(graphWith()).run({ trigger: 'test' });

    expect(incremental.report.findings.map(findingKey).sort()).toEqual(truth.report.findings.map(findingKey).sort());
    expect(incremental.changes.new.length).toBeGreaterThan(0);
    expect(incremental.changes.resolved.length).toBeGreaterThanOrEqual(2);
    expect(incremental.changes.new.map((f) => f.rule)).toEqual(
      expect.arrayContaining([
        'sharing.item.anonymous-link',
        'mail.inbox-rule.external-forward',
        'groups.guest-in-student-group',
        'meetings.external-attendee',
      ]),
    );
    expect(incremental.report.stats.resourceUnits).toBeLessThanOrEqual(0.05 * full.report.stats.resourceUnits);
    expect(incrementalRequests).toBeLessThanOrEqual(0.05 * fullRequests);
  });

  it('without audit log permission, says which areas fell back to reading everything, and still misses nothing', async () => {
    const roles = APP_PERMISSIONS.filter((p) => !AUDIT_LOG_QUERY_PERMISSIONS.includes(p));
    const service = serviceWith(graphWith([...roles, 'Sites.FullControl.All']));
    const full = await service.run({ trigger: 'test' });
    await changeOnePercent(full);
    time += 2 * HOUR;
    const incremental = await service.run({ trigger: 'test', sinceLast: true });
    const truth = await serviceWith(graphWith()).run({ trigger: 'test' });
    expect(incremental.report.findings.map(findingKey).sort()).toEqual(truth.report.findings.map(findingKey).sort());
    const said = Object.fromEntries(incremental.report.coverage.map((c) => [c.check, c.reason ?? '']));
    expect(said['sharing.items']).toMatch(/every drive's delta.*AuditLogsQuery-SharePoint\.Read\.All/);
    expect(said['mail.inbox-rules']).toMatch(/every mailbox's rules were read.*AuditLogsQuery-Exchange\.Read\.All/);
  });

  it.each([
    ['ends cancelled', 'cancelled', 'the audit log search ended cancelled'],
    ['is still running after 30 minutes', 'never', 'the audit log search did not finish in 30 minutes'],
  ] as const)('when the audit log search %s, reads sharing and rules in full, says why, and still misses nothing', async (_, ending, why) => {
    const service = serviceWith(graphWith());
    const full = await service.run({ trigger: 'test' });
    await changeOnePercent(full);
    time += 2 * HOUR;
    tenant.auditLog.endNextQueries(ending);
    const incremental = await service.run({ trigger: 'test', sinceLast: true });
    const truth = await serviceWith(graphWith()).run({ trigger: 'test' });
    expect(incremental.report.findings.map(findingKey).sort()).toEqual(truth.report.findings.map(findingKey).sort());
    const said = Object.fromEntries(incremental.report.coverage.map((c) => [c.check, c.reason ?? '']));
    expect(said['sharing.items']).toContain(`every drive's delta, not learnt from the audit log (${why})`);
    expect(said['mail.inbox-rules']).toContain(`every mailbox's rules were read: changes since the last run could not be learnt from the audit log (${why})`);
  });

  it('without Sites.FullControl.All, reads the items the audit log names, so a new and a removed anonymous link are reported as by a full run', async () => {
    // The school granted the audit log but not full control: drive delta does not report a change of sharing alone.
    const service = serviceWith(graphWith([...APP_PERMISSIONS, ...AUDIT_LOG_QUERY_PERMISSIONS.filter((p) => p !== 'AuditLogsQuery.Read.All')]));
    const full = await service.run({ trigger: 'test' });
    const anonymousLink = (id: string): DemoPermission => ({
      id,
      roles: ['read'],
      link: { scope: 'anonymous', type: 'view', webUrl: `https://demoacademy-my.sharepoint.com/:w:/g/${id}` },
    });
    // A file in a member of staff's OneDrive, in a folder (found by its path), and one in a team site's library.
    const oneDrive = school.drives.find(
      (d) => d.driveType === 'business' && d.items.some((i) => !i.isFolder && i.parentId !== d.rootId && !i.permissions.length),
    )!;
    const inFolder = oneDrive.items.find((i) => !i.isFolder && i.parentId !== oneDrive.rootId && !i.permissions.length)!;
    const teamSite = school.drives.find((d) => d.driveType === 'documentLibrary' && d.items.some((i) => !i.isFolder && !i.permissions.length))!;
    const inLibrary = teamSite.items.find((i) => !i.isFolder && !i.permissions.length)!;
    tenant.changeSharing(oneDrive.id, inFolder.id, (i) => i.permissions.push(anonymousLink('new-anon-1')));
    tenant.changeSharing(teamSite.id, inLibrary.id, (i) => i.permissions.push(anonymousLink('new-anon-2')));
    const removed = full.report.findings.find((f) => f.rule === 'sharing.item.anonymous-link')!;
    const [driveId, itemId] = removed.subject.id.split('/') as [string, string];
    tenant.changeSharing(driveId, itemId, (i) => (i.permissions = i.permissions.filter((p) => p.link?.scope !== 'anonymous')));
    time += 2 * HOUR;

    const incremental = await service.run({ trigger: 'test', sinceLast: true });
    const truth = await serviceWith(graphWith()).run({ trigger: 'test' });

    expect(incremental.report.findings.map(findingKey).sort()).toEqual(truth.report.findings.map(findingKey).sort());
    const anonymous = (fs: typeof incremental.changes.new) => fs.filter((f) => f.rule === 'sharing.item.anonymous-link').map((f) => f.subject.id);
    expect(anonymous(incremental.changes.new).sort()).toEqual([`${oneDrive.id}/${inFolder.id}`, `${teamSite.id}/${inLibrary.id}`].sort());
    expect(anonymous(incremental.changes.resolved)).toEqual([removed.subject.id]);
    const sharing = incremental.report.coverage.find((c) => c.check === 'sharing.items')!;
    expect(sharing.status).toBe('checked');
    expect(sharing.reason).toMatch(/learnt from the audit log/);
    // Three items read by path and two permission lists, not every drive's items.
    expect(incremental.report.stats.resourceUnits).toBeLessThanOrEqual(0.05 * full.report.stats.resourceUnits);
  });

  const forwardHome = (id: string): DemoInboxRule => ({
    id,
    displayName: 'to home',
    sequence: 3,
    isEnabled: true,
    hasError: false,
    isReadOnly: false,
    conditions: {},
    actions: { forwardTo: [{ emailAddress: { address: 'me@home.example' } }] },
  });

  it('finds a forwarding rule people made in their own mailbox (Outlook on the web: the audit log names it by display name, alias or id, not sign-in name), reading only their mailboxes', async () => {
    const service = serviceWith(graphWith());
    const full = await service.run({ trigger: 'test' });
    const forwarding = new Set(full.report.findings.filter((f) => f.rule === 'mail.inbox-rule.external-forward').map((f) => f.subject.id));
    const people = school.users.filter((u) => u.userType === 'Member' && u.role === 'student' && !forwarding.has(u.id)).slice(0, 3);
    for (const u of people) tenant.changeInboxRules(u.id, (rules) => rules.push(forwardHome(`web-${u.id}`)), 'web');
    time += 2 * HOUR;
    const [incremental, requests] = await counted(() => service.run({ trigger: 'test', sinceLast: true }));
    const truth = await serviceWith(graphWith()).run({ trigger: 'test' });

    expect(incremental.report.findings.map(findingKey).sort()).toEqual(truth.report.findings.map(findingKey).sort());
    expect(
      incremental.changes.new
        .filter((f) => f.rule === 'mail.inbox-rule.external-forward')
        .map((f) => f.subject.id)
        .sort(),
    ).toEqual(people.map((u) => u.id).sort());
    // Only their mailboxes were read: nothing said about falling back.
    expect(incremental.report.coverage.find((c) => c.check === 'mail.inbox-rules')).toEqual({ check: 'mail.inbox-rules', status: 'checked' });
    expect(requests).toBeLessThan(100);
  });

  it('reads every mailbox’s rules, and says so, when the audit log names a mailbox the directory does not know', async () => {
    const service = serviceWith(graphWith());
    await service.run({ trigger: 'test' });
    // Someone makes a rule, then leaves: the record names a mailbox no longer in the directory.
    const leaver = school.users.find((u) => u.userType === 'Member' && u.role === 'student' && !school.inboxRules.get(u.id)?.length)!;
    tenant.changeInboxRules(leaver.id, (rules) => rules.push(forwardHome(`leaver-${leaver.id}`)), 'outlook');
    school.users.splice(school.users.indexOf(leaver), 1);
    // And someone else's new rule the log names properly.
    const other = school.users.find((u) => u.userType === 'Member' && u.role === 'student' && !school.inboxRules.get(u.id)?.length)!;
    tenant.changeInboxRules(other.id, (rules) => rules.push(forwardHome(`other-${other.id}`)), 'cmdlet');
    time += 2 * HOUR;
    const incremental = await service.run({ trigger: 'test', sinceLast: true });
    const truth = await serviceWith(graphWith()).run({ trigger: 'test' });
    expect(incremental.report.findings.map(findingKey).sort()).toEqual(truth.report.findings.map(findingKey).sort());
    const rules = incremental.report.coverage.find((c) => c.check === 'mail.inbox-rules')!;
    expect(rules.status).toBe('checked');
    expect(rules.reason).toBe(
      `every mailbox's rules were read: the audit log named 1 mailbox(es) not found in the directory (${leaver.userPrincipalName.toLowerCase()})`,
    );
  });

  it('keeps and re-evaluates the findings of a group whose only change is its members (group delta gives its id and members@delta alone)', async () => {
    const service = serviceWith(graphWith());
    const full = await service.run({ trigger: 'test' });
    // A group with a finding, whose change of members alone Graph reports without its name.
    const finding = full.report.findings.find((f) => f.subject.type === 'group' && answersWithIdAlone(f.subject.id))!;
    expect(finding).toBeDefined();
    const group = school.groups.find((g) => g.id === finding.subject.id)!;
    const joiner = school.users.find((u) => u.role === 'student' && !group.memberIds.includes(u.id))!;
    group.memberIds.push(joiner.id);
    // And a group without findings gains a guest.
    const guest = school.users.find((u) => u.userType === 'Guest')!;
    const other = school.groups.find(
      (g) => g.kind === 'class' && answersWithIdAlone(g.id) && !g.memberIds.includes(guest.id) && !full.report.findings.some((f) => f.subject.id === g.id),
    )!;
    other.memberIds.push(guest.id);
    time += 2 * HOUR;
    const incremental = await service.run({ trigger: 'test', sinceLast: true });
    const truth = await serviceWith(graphWith()).run({ trigger: 'test' });

    expect(incremental.report.findings.map(findingKey).sort()).toEqual(truth.report.findings.map(findingKey).sort());
    expect(incremental.report.findings.filter((f) => f.subject.id === group.id).map((f) => f.subject.name)).toContain(group.displayName);
    expect(incremental.changes.new.filter((f) => f.subject.id === other.id).map((f) => [f.rule, f.subject.name])).toEqual([
      ['groups.guest-in-student-group', other.displayName],
    ]);
  });

  it('reads a drive whole after its delta link expired (410 resync): a shared item deleted meanwhile loses its finding at once, not at the weekly sweep', async () => {
    const service = serviceWith(graphWith());
    const full = await service.run({ trigger: 'test' });
    // A shared file with a finding is deleted, then the drive's delta link expires (SharePoint's do).
    const finding = full.report.findings.find((f) => f.rule === 'sharing.item.anonymous-link')!;
    const drive = school.drives.find((d) => finding.subject.id.startsWith(`${d.id}/`))!;
    const itemId = finding.subject.id.slice(drive.id.length + 1);
    tenant.deleteItem(drive.id, itemId);
    tenant.expireDeltaLinks();
    // Someone shares another file in that drive, so the audit log names its site and the drive is read.
    const other = drive.items.find((i) => !i.isFolder && !i.permissions.some((p) => !p.inheritedFrom))!;
    tenant.changeSharing(drive.id, other.id, (i) =>
      i.permissions.push({ id: `resync-${other.id}`, roles: ['read'], link: { scope: 'users', type: 'view', webUrl: 'https://x/u' } }),
    );
    time += 2 * HOUR;
    const incremental = await service.run({ trigger: 'test', sinceLast: true });
    const truth = await serviceWith(graphWith()).run({ trigger: 'test' });

    expect(incremental.report.findings.map(findingKey).sort()).toEqual(truth.report.findings.map(findingKey).sort());
    expect(incremental.report.findings.filter((f) => f.subject.id === finding.subject.id)).toEqual([]);
    expect(incremental.changes.resolved.map((f) => f.subject.id)).toContain(finding.subject.id);
  });

  it('forgets a shared item deleted since the last run when its drive is read from its delta link (the item comes with a deleted facet)', async () => {
    const service = serviceWith(graphWith());
    const full = await service.run({ trigger: 'test' });
    const finding = full.report.findings.find((f) => f.rule === 'sharing.item.anonymous-link')!;
    const drive = school.drives.find((d) => finding.subject.id.startsWith(`${d.id}/`))!;
    tenant.deleteItem(drive.id, finding.subject.id.slice(drive.id.length + 1));
    const other = drive.items.find((i) => !i.isFolder && !i.permissions.some((p) => !p.inheritedFrom))!;
    tenant.changeSharing(drive.id, other.id, (i) =>
      i.permissions.push({ id: `deleted-${other.id}`, roles: ['read'], link: { scope: 'users', type: 'view', webUrl: 'https://x/u' } }),
    );
    time += 2 * HOUR;
    const incremental = await service.run({ trigger: 'test', sinceLast: true });
    expect(incremental.report.findings.filter((f) => f.subject.id === finding.subject.id)).toEqual([]);
    expect(incremental.changes.resolved.map((f) => f.subject.id)).toContain(finding.subject.id);
  });

  it('reads everything again once the last full read is older than the sweep (audit.fullSweepDays, 7 by default)', async () => {
    const service = serviceWith(graphWith());
    const [, full] = await counted(() => service.run({ trigger: 'test' }));
    time += 8 * 24 * HOUR;
    const [, swept] = await counted(() => service.run({ trigger: 'test', sinceLast: true }));
    expect(swept).toBeGreaterThanOrEqual(full);
    time += HOUR;
    const [, next] = await counted(() => service.run({ trigger: 'test', sinceLast: true }));
    expect(next).toBeLessThan(full / 10);
  });

  it('forgets what was found about someone who has left: their forwarding rule is not carried over once their account is deleted', async () => {
    const service = serviceWith(graphWith());
    const full = await service.run({ trigger: 'test' });
    const forwarding = full.report.findings.find((f) => f.rule === 'mail.inbox-rule.external-forward')!;
    expect(forwarding).toBeDefined();
    // The account is deleted (a leaver): Graph no longer lists it, nor its mailbox.
    school.users.splice(
      school.users.findIndex((u) => u.id === forwarding.subject.id),
      1,
    );
    time += 2 * HOUR;
    const incremental = await service.run({ trigger: 'test', sinceLast: true });
    const truth = await serviceWith(graphWith()).run({ trigger: 'test' });
    expect(incremental.report.findings.filter((f) => f.subject.id === forwarding.subject.id)).toEqual([]);
    expect(incremental.report.findings.map(findingKey).sort()).toEqual(truth.report.findings.map(findingKey).sort());
  });
});
