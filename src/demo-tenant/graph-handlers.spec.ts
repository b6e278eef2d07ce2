import { resolve } from 'node:path';
import { useDemoGraph } from '../../test/support/demo-graph';
import { runAudit } from '../audit/run-audit';
import { loadSchoolConfig } from '../config/load-school-config';
import { GraphAccess, isGraphError } from '../graph/graph-access';
import { tokenSourceFor } from '../graph/graph-auth';
import { APP_PERMISSIONS, AUDIT_ONLY_PERMISSIONS } from '../graph/permissions';
import { GraphMailer, MailNotPermitted } from '../notify/mailer';
import { keyPeople } from './school-generator';

const config = loadSchoolConfig(resolve(__dirname, '../../config/demo-school.yaml'));
const BASE = 'https://graph.microsoft.com/v1.0';
/** The app with exactly these Entra application permissions in its token. */
const graphWith = (roles: string[]) => new GraphAccess({ baseUrl: BASE, tokens: tokenSourceFor({ mode: 'demo', roles }, BASE), sleep: async () => undefined });
const mail = { to: [{ name: 'LADO', email: 'lado@localauthority.example.gov.uk' }], subject: 'Test', text: 'Hello' };

describe('mail sent under Exchange RBAC for Applications (decision 1)', () => {
  const ctx = useDemoGraph();

  it('sends from the school mailbox with no Mail.Send in the token, because Exchange grants "Application Mail.Send" on that mailbox', async () => {
    const mailer = new GraphMailer(graphWith(APP_PERMISSIONS), config.mail!.sender);
    await mailer.send(mail);
    expect(ctx.school.outbox.map((m) => m.from)).toEqual([config.mail!.sender]);
    expect(mailer.check.status).toBe('sent');
  });

  it('is refused (403 ErrorAccessDenied) from any other mailbox, and the refusal says what to do', async () => {
    const mailer = new GraphMailer(graphWith(APP_PERMISSIONS), keyPeople(ctx.school).headteacher.mail);
    await expect(mailer.send(mail)).rejects.toThrow(MailNotPermitted);
    await expect(mailer.send(mail)).rejects.toThrow(/refused to send from helen\.carter@.*"Application Mail\.Send".*stays queued/);
    expect(mailer.check).toMatchObject({ status: 'refused', detail: '403 ErrorAccessDenied' });
    expect(ctx.school.outbox).toEqual([]);
  });

  it('refuses the school mailbox too when the role assignment is removed', async () => {
    const saved = ctx.school.exchange.rbac.roleAssignments.splice(0);
    try {
      await expect(new GraphMailer(graphWith(APP_PERMISSIONS), config.mail!.sender).send(mail)).rejects.toThrow(MailNotPermitted);
    } finally {
      ctx.school.exchange.rbac.roleAssignments.push(...saved);
    }
  });
});

describe('an Exchange application access policy (why docs/permissions.md says not to create one)', () => {
  const ctx = useDemoGraph();

  it('limits Mail.*, MailboxSettings.* and Calendars.* together: restricting mail to the school mailbox locks the audit out of every other mailbox', async () => {
    const notifications = ctx.school.users.find((u) => u.mail === config.mail!.sender)!;
    ctx.school.exchange.applicationAccessPolicies.push({
      AppId: '0e5afe70-0000-4000-8000-00000000a99a',
      AccessRight: 'RestrictAccess',
      scopeMemberIds: [notifications.id],
    });
    try {
      const teacher = keyPeople(ctx.school).teacher;
      const refused = await ctx.graph.get(`/users/${teacher.id}/mailFolders/inbox/messageRules`).catch((e: unknown) => e);
      expect(isGraphError(refused, 403) && (refused as { code?: string }).code).toBe('ErrorAccessDenied');
      const { report } = await runAudit({ graph: ctx.graph, config, exchange: ctx.exchange });
      const notChecked = report.coverage.filter((c) => c.status === 'not-checked').map((c) => c.check);
      expect(notChecked).toEqual(expect.arrayContaining(['mail.inbox-rules', 'meetings.calendars']));
    } finally {
      ctx.school.exchange.applicationAccessPolicies.length = 0;
    }
  });
});

describe('online meetings and the Teams application access policy, per organiser', () => {
  const ctx = useDemoGraph();

  it('reports an organiser the policy does not cover as not checked, keeps the rest, and still finds outsiders from calendar events', async () => {
    const k = keyPeople(ctx.school);
    const organisers = [...new Set(ctx.school.onlineMeetings.map((m) => m.organizerUserId))];
    ctx.school.teamsAppAccessPolicy = { global: false, organizerIds: organisers.filter((id) => id !== k.teacher.id) };
    try {
      const { report } = await runAudit({ graph: ctx.graph, config, exchange: ctx.exchange });
      const meetings = report.coverage.find((c) => c.check === 'meetings.calendars')!;
      expect(meetings.status).toBe('partial');
      expect(meetings.reason).toContain(k.teacher.userPrincipalName);
      expect(meetings.reason).not.toContain(k.headteacher.userPrincipalName);
      // Amy Clarke's meeting with the exam board: found from her calendar alone.
      expect(report.findings.filter((f) => f.rule === 'meetings.external-attendee')).toHaveLength(1);
      // Another teacher's unrecorded lesson: found, since their organiser is covered.
      expect(report.findings.filter((f) => f.rule === 'meetings.lesson-not-recorded')).toHaveLength(1);
    } finally {
      ctx.school.teamsAppAccessPolicy = { global: true, organizerIds: [] };
    }
  });
});

describe('sharing as a real tenant reports it', () => {
  const ctx = useDemoGraph();

  it('asks for permissions only of items shared in their own right: an empty shared facet (a hierarchy root, removed sharing) is not sharing', async () => {
    const { snapshot, report } = await runAudit({ graph: ctx.graph, config, exchange: ctx.exchange });
    const withOwnSharing = ctx.school.drives.flatMap((d) => d.items.filter((i) => i.permissions.some((p) => !p.inheritedFrom)).map((i) => `${d.id}/${i.id}`));
    expect(snapshot.sharedItems.map((i) => `${i.driveId}/${i.itemId}`).sort()).toEqual(withOwnSharing.sort());
    expect(report.stats.resourceUnits).toBeLessThan(5 * (withOwnSharing.length + ctx.school.drives.length));
  });

  it('finds sharing in a site the search index has not seen yet, by enumerating sites with getAllSites', async () => {
    const newest = ctx.school.sites[ctx.school.sites.length - 1]!;
    const drive = ctx.school.drives.find((d) => d.id === newest.driveIds[0])!;
    const file = drive.items.find((i) => !i.isFolder)!;
    ctx.tenant.changeSharing(drive.id, file.id, (i) =>
      i.permissions.push({ id: 'p-site', roles: ['read'], link: { scope: 'anonymous', type: 'view', webUrl: 'https://x/anon' } }),
    );
    const { report } = await runAudit({ graph: ctx.graph, config, exchange: ctx.exchange });
    expect(report.findings.map((f) => f.subject.id)).toContain(`${drive.id}/${file.id}`);
  });
});

describe('an item by its path (driveitem-get.md, GET /drives/{drive-id}/root:/{item-path})', () => {
  const ctx = useDemoGraph();

  it('walks the path from the library root with Files.Read.All, says whether the item has sharing of its own, and answers 404 for a path that names nothing', async () => {
    const drive = ctx.school.drives.find(
      (d) => d.driveType === 'business' && d.items.some((i) => !i.isFolder && i.parentId !== d.rootId && !i.permissions.length),
    )!;
    const folder = drive.items.find((i) => i.isFolder && i.parentId === drive.rootId)!;
    const file = drive.items.find((i) => i.parentId === folder.id && !i.isFolder && !i.permissions.length)!;
    const path = [folder.name, file.name].map(encodeURIComponent).join('/');
    const reader = graphWith(['Files.Read.All']);
    const before = await reader.get<{ id: string; webUrl: string; shared?: object }>(`/drives/${drive.id}/root:/${path}?$select=id,webUrl,shared`);
    expect(before).toEqual({ id: file.id, webUrl: file.webUrl });
    ctx.tenant.changeSharing(drive.id, file.id, (i) =>
      i.permissions.push({ id: 'p-path', roles: ['read'], link: { scope: 'anonymous', type: 'view', webUrl: 'https://x/p' } }),
    );
    expect(await reader.get(`/drives/${drive.id}/root:/${path}:?$select=id,shared`)).toEqual({ id: file.id, shared: { scope: 'anonymous' } });
    const missing = await reader.get(`/drives/${drive.id}/root:/${folder.name}/nothing.docx`).catch((e: unknown) => e);
    expect(isGraphError(missing, 404)).toBe(true);
    const refused = await graphWith(['User.Read.All'])
      .get(`/drives/${drive.id}/root:/${path}`)
      .catch((e: unknown) => e);
    expect(isGraphError(refused, 403)).toBe(true);
  });
});

describe('re-auditing sharing since the last run', () => {
  const ctx = useDemoGraph();

  it('reads a drive again from the start when its delta link has expired (410 Gone), never taking it as unchanged', async () => {
    const first = await runAudit({ graph: ctx.graph, config, exchange: ctx.exchange });
    const k = keyPeople(ctx.school);
    const drive = ctx.school.drives.find((d) => d.ownerUserId === k.governor.id) ?? ctx.school.drives.find((d) => d.ownerUserId === k.headteacher.id)!;
    const file = drive.items.filter((i) => !i.isFolder)[1]!;
    ctx.tenant.changeSharing(drive.id, file.id, (i) =>
      i.permissions.push({ id: 'p-aunt', roles: ['read'], grantedToV2: { user: { email: 'aunt@gmail.com', displayName: 'aunt' } } }),
    );
    ctx.tenant.expireDeltaLinks();
    const again = await runAudit({ graph: ctx.graph, config, exchange: ctx.exchange, previousDeltaLinks: first.snapshot.deltaLinks });
    expect(again.report.findings.map((f) => f.subject.id)).toContain(`${drive.id}/${file.id}`);
    expect(again.snapshot.changedDriveItems).toContain(`${drive.id}/${file.id}`);
  });

  it('marks an incremental sharing result partial without Sites.FullControl.All, whose absence hides changes of sharing from delta', async () => {
    const graph = graphWith(AUDIT_ONLY_PERMISSIONS);
    const first = await runAudit({ graph, config, exchange: ctx.exchange });
    expect(first.report.coverage.find((c) => c.check === 'sharing.items')!.status).toBe('checked');
    const drive = ctx.school.drives.find((d) => d.ownerUserId === keyPeople(ctx.school).dsl.id)!;
    const file = drive.items.filter((i) => !i.isFolder)[2]!;
    ctx.tenant.changeSharing(drive.id, file.id, (i) =>
      i.permissions.push({ id: 'p-uncle', roles: ['read'], grantedToV2: { user: { email: 'uncle@gmail.com', displayName: 'uncle' } } }),
    );
    const again = await runAudit({ graph, config, exchange: ctx.exchange, previousDeltaLinks: first.snapshot.deltaLinks });
    expect(again.report.coverage.find((c) => c.check === 'sharing.items')).toEqual({
      check: 'sharing.items',
      status: 'partial',
      reason: expect.stringMatching(/Sites\.FullControl\.All.*full audit/),
    });
    const withFullControl = await runAudit({
      graph: graphWith([...AUDIT_ONLY_PERMISSIONS, 'Sites.FullControl.All']),
      config,
      exchange: ctx.exchange,
      previousDeltaLinks: first.snapshot.deltaLinks,
    });
    expect(withFullControl.report.coverage.find((c) => c.check === 'sharing.items')!.status).toBe('checked');
    expect(withFullControl.report.findings.map((f) => f.subject.id)).toContain(`${drive.id}/${file.id}`);
  });
});

describe('a group deleted in the tenant (group-get.md)', () => {
  const ctx = useDemoGraph();

  it('is not found any more (404), nor its members or owners, nor is it listed as a member of another group', async () => {
    const club = ctx.school.groups.find((g) => g.kind === 'club')!;
    const parent = ctx.school.groups.find((g) => g.kind === 'staff')!;
    parent.memberIds.push(club.id);
    const at = ctx.school.groups.indexOf(club);
    try {
      expect(await ctx.graph.get(`/groups/${club.id}?$select=id`)).toMatchObject({ id: club.id });
      expect((await ctx.graph.all<{ id: string }>(`/groups/${parent.id}/members?$select=id`)).map((m) => m.id)).toContain(club.id);
      ctx.school.groups.splice(at, 1);
      for (const path of [`/groups/${club.id}?$select=id`, `/groups/${club.id}/members?$select=id`, `/groups/${club.id}/owners?$select=id`]) {
        await expect(ctx.graph.get(path)).rejects.toMatchObject({ statusCode: 404 });
      }
      expect((await ctx.graph.all<{ id: string }>(`/groups/${parent.id}/members?$select=id`)).map((m) => m.id)).not.toContain(club.id);
    } finally {
      if (!ctx.school.groups.includes(club)) ctx.school.groups.splice(at, 0, club);
      parent.memberIds.pop();
    }
  });
});
