import { CONTROLS } from '../src/audit/controls/catalogue';
import { randomUUID } from 'node:crypto';
import { keyPeople } from '../src/demo-tenant/school-generator';
import { AUDIT_ONLY_PERMISSIONS } from '../src/graph/permissions';
import { callAs, startAppUnderTest, type AppUnderTest } from './support/running-app';

const call = (t: AppUnderTest, personaId: string, path: string, init: RequestInit = {}) => callAs(t.app, personaId, path, init);

/**
 * Issue #7: a school may grant only the audit's read permissions. The demo tenant then answers 403
 * for everything else, as Graph would; the app says what it cannot do, and never fails for it.
 */
/** The demo's Teams policy export (config/demo-teams-policies.json) fails each Teams control once. */
const DEMO_TEAMS_FINDINGS = CONTROLS.filter((c) => c.area === 'teams.policies').length;

describe('an audit-only deployment', () => {
  let t: AppUnderTest;
  beforeAll(async () => {
    t = await startAppUnderTest({}, true, { graphRoles: AUDIT_ONLY_PERMISSIONS });
  });
  afterAll(() => t.close());

  it('reports at start which parts of the app its permissions allow', async () => {
    const report = (await call(t, keyPeople(t.school).itAdmin.id, '/api/admin/permissions')).body;
    expect(report.granted).toEqual(AUDIT_ONLY_PERMISSIONS);
    const unavailable = report.capabilities.filter((c: any) => !c.available).map((c: any) => `${c.feature}: ${c.what} (missing ${c.missing.join(', ')})`);
    // Every audit check; only incremental sharing changes want Sites.FullControl.All (driveitem-delta.md), and
    // learning changes from the unified audit log its AuditLogsQuery-* permissions (both optional).
    expect(report.capabilities.filter((c: any) => c.feature === 'audit' && !c.available).map((c: any) => c.missing)).toEqual([
      ['Sites.FullControl.All'],
      ['AuditLogsQuery-SharePoint.Read.All', 'AuditLogsQuery-OneDrive.Read.All', 'AuditLogsQuery-Exchange.Read.All'],
    ]);
    expect(unavailable).toEqual(
      expect.arrayContaining([
        'lessons: creating lessons (missing Calendars.ReadWrite, OnlineMeetings.ReadWrite.All, EduRoster.Read.All)',
        'policies: installing the app for people the bot cannot reach (missing TeamsAppInstallation.ReadWriteSelfForUser.All)',
      ]),
    );
    // Mail.Send is granted in Exchange (RBAC for Applications), never in the token: not "missing", checked at the first send.
    expect(unavailable.some((u: string) => u.includes('Mail.Send'))).toBe(false);
    expect(report.mail).toMatchObject({ grantedIn: 'exchange', status: 'not-yet-sent', mailbox: 'esafety@demo-academy.org.uk' });
    expect(report.mail.note).toMatch(/granted in Exchange Online .* checked at the first send from esafety@demo-academy\.org\.uk/);
  });

  it('runs the whole audit', async () => {
    const admin = keyPeople(t.school).itAdmin.id;
    const run = await call(t, admin, '/api/audit/run', { method: 'POST', body: '{}' });
    expect(run.status).toBe(200);
    expect(run.body.findings).toBe(t.school.seededViolations.length + DEMO_TEAMS_FINDINGS);
    const latest = (await call(t, admin, '/api/audit/latest')).body;
    // Teams meeting policies are never in Graph: the export the demo's configuration names is read instead.
    expect(latest.run.coverage.filter((c: any) => c.status !== 'checked').map((c: any) => c.check)).toEqual([]);
  });

  it('tells a teacher plainly that lessons are not available, and keeps serving', async () => {
    const k = keyPeople(t.school);
    const cls = t.school.groups.find(
      (g) =>
        g.kind === 'class' && g.ownerIds.includes(k.teacher.id) && g.memberIds.every((id) => t.school.users.find((u) => u.id === id)?.userType === 'Member'),
    )!;
    const res = await call(t, k.teacher.id, '/api/lessons', {
      method: 'POST',
      body: JSON.stringify({ submissionId: randomUUID(), classId: cls.id, title: 'Macbeth' }),
    });
    expect(res.status).toBe(503);
    expect(res.body.error.message).toMatch(/Lessons are not available: the app has not been granted Calendars\.ReadWrite/);
    expect((await fetch(`${t.app.url}/healthz`)).status).toBe(200);
  });
});

describe('an audit without permission to read mailbox rules', () => {
  let t: AppUnderTest;
  beforeAll(async () => {
    t = await startAppUnderTest({}, true, { graphRoles: AUDIT_ONLY_PERMISSIONS.filter((p) => p !== 'MailboxSettings.Read') });
  });
  afterAll(() => t.close());

  it('lists the check it could not make instead of failing or passing it', async () => {
    const admin = keyPeople(t.school).itAdmin.id;
    const run = await call(t, admin, '/api/audit/run', { method: 'POST', body: '{}' });
    expect(run.status).toBe(200);
    const latest = (await call(t, admin, '/api/audit/latest')).body;
    expect(latest.run.coverage.filter((c: any) => c.status === 'not-checked' && c.check !== 'teams.policies')).toEqual([
      { check: 'mail.inbox-rules', status: 'not-checked', reason: 'not checked: missing MailboxSettings.Read' },
    ]);
    expect(run.body.findings).toBe(t.school.seededViolations.filter((v) => v.rule !== 'mail.inbox-rule.external-forward').length + DEMO_TEAMS_FINDINGS);
  });
});
