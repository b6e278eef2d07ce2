import { keyPeople } from '../src/demo-tenant/school-generator';
import { callAs, startAppUnderTest, type AppUnderTest } from './support/running-app';

/** The policies API as the tab uses it: publish, accept, prove who signed; each role its own. */
describe('the policies API', () => {
  let t: AppUnderTest;
  beforeAll(async () => {
    t = await startAppUnderTest();
  });
  afterAll(() => t.close());

  const call = (personaId: string, path: string, init: RequestInit = {}) => callAs(t.app, personaId, path, init);

  it('lets the IT admin publish the staff AUP, a teacher accept it in the tab, and the admin count it', async () => {
    const k = keyPeople(t.school);
    const published = await call(k.itAdmin.id, '/api/policies/staff-aup/publish', { method: 'POST', body: '{}' });
    expect(published).toMatchObject({ status: 200, body: { versionId: 'staff-aup@1', version: 1, created: true } });

    const mine = await call(k.teacher.id, '/api/my/policies');
    expect(mine.body.policies.find((p: any) => p.policyId === 'staff-aup')).toMatchObject({ status: 'pending', version: 1 });
    const accepted = await call(k.teacher.id, '/api/my/policies/staff-aup@1/accept', { method: 'POST', body: '{}' });
    expect(accepted).toMatchObject({ status: 200, body: { version: 1, created: true } });
    expect((await call(k.teacher.id, '/api/my/policies/staff-aup@1/accept', { method: 'POST', body: '{}' })).body.created).toBe(false);

    const coverage = await call(k.itAdmin.id, '/api/policies/staff-aup/coverage');
    expect(coverage.body.counts.staff.accepted).toBe(1);
    expect(coverage.body.people.find((p: any) => p.name === 'Amy Clarke')).toMatchObject({ status: 'accepted', acceptedVersion: 1 });
    const csv = await call(k.itAdmin.id, '/api/policies/staff-aup/acceptances');
    expect(csv.body.csv).toContain(`staff-aup,1,${k.teacher.id},${k.teacher.userPrincipalName}`);
  });

  it('answers a student who asks for coverage, or to publish, with 403', async () => {
    const student = keyPeople(t.school).student.id;
    expect((await call(student, '/api/policies/staff-aup/coverage')).status).toBe(403);
    expect((await call(student, '/api/policies/staff-aup/publish', { method: 'POST', body: '{}' })).status).toBe(403);
    expect((await call(student, `/api/people/${keyPeople(t.school).teacher.id}/acceptances`)).status).toBe(403);
  });

  it('names the problem with a bad publish request, without a stack trace', async () => {
    const admin = keyPeople(t.school).itAdmin.id;
    const bad = await call(admin, '/api/policies/staff-aup/publish', { method: 'POST', body: JSON.stringify({ text: 'short' }) });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/text: the policy text is too short/);
    expect(JSON.stringify(bad.body)).not.toMatch(/at .*\.ts:\d+/);
    expect((await call(admin, '/api/policies/no-such-policy/publish', { method: 'POST', body: '{}' })).status).toBe(400);
  });
});

/** Policies 000/002: parents counter-sign the student AUP, from a link emailed by the school. */
describe('parents counter-signing the student AUP', () => {
  let t: AppUnderTest;
  beforeAll(async () => {
    t = await startAppUnderTest();
  });
  afterAll(() => t.close());

  const call = (personaId: string, path: string, init: RequestInit = {}) => callAs(t.app, personaId, path, init);
  const form = (link: string, fields: Record<string, string>) =>
    fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

  it('emails each parent a single-use link; the parent reads and signs; the record links parent, child and version', async () => {
    const k = keyPeople(t.school);
    await call(k.itAdmin.id, '/api/policies/student-aup/publish', { method: 'POST', body: '{}' });
    const invited = await call(k.itAdmin.id, '/api/policies/student-aup/parents/invite', { method: 'POST', body: '{}' });
    expect(invited.body.queued).toBe(t.school.users.filter((u) => u.role === 'student').length);
    const jamiesParent = 'parent-of-jamie-brown@parents.example.net';
    for (let round = 0; round < 40 && !t.school.outbox.some((m) => m.to.includes(jamiesParent)); round++) await t.app.aupSchedule.tick();
    const mail = t.school.outbox.find((m) => m.to.includes(jamiesParent))!;
    expect(mail.subject).toBe('Please counter-sign Acceptable Use Agreement for Students for Jamie');
    const link = mail.body.match(/http:\/\/\S+\/parent\/[A-Za-z0-9_-]{43}/)![0];

    const page = await fetch(link);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Acceptable Use Agreement for Students');
    expect(html).toContain('Please read it with Jamie');
    // The agreement is formatted as its author wrote it: headings and a numbered list, never raw '#'.
    expect(html).toContain('<h2>Clauses</h2>');
    expect(html).toMatch(/<ol>\s*<li>I will only use the school's IT systems/);
    expect(html).not.toMatch(/(^|>|\n)#{1,2} /);

    expect((await form(link, { name: 'Sarah Brown' })).status).toBe(400); // the box was not ticked
    const signed = await form(link, { name: 'Sarah Brown', agree: 'yes' });
    expect(await signed.text()).toMatch(/You counter-signed Acceptable Use Agreement for Students \(version 1\) for Jamie/);
    // Once used, the link (forwarded, or read over a shoulder) no longer names the child.
    const again = await form(link, { name: 'Someone Else', agree: 'yes' });
    expect(await again.text()).not.toContain('Jamie');
    const reopened = await (await fetch(link)).text();
    expect(reopened).toMatch(/counter-signed with this link on \d{4}-\d{2}-\d{2}/);
    expect(reopened).not.toContain('Jamie');
    const rows = await t.app.storage.db.selectFrom('parent_countersignature').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ policy_version_id: 'student-aup@1', child_id: k.student.id, parent_email: jamiesParent, parent_name: 'Sarah Brown' });

    const coverage = await call(k.itAdmin.id, '/api/policies/student-aup/coverage');
    expect(coverage.body.parents).toEqual({ invited: invited.body.queued, signed: 1 });
  }, 60_000);

  it('refuses a made-up link with a plain page, not a stack trace', async () => {
    const res = await fetch(`${t.app.url}/parent/${'x'.repeat(43)}`);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('This link is not valid');
    expect(html).not.toMatch(/at .*\.ts:\d+/);
  });
});

/** Decision 1: the school mailbox is granted to the app in Exchange (RBAC for Applications), not in the token. */
describe("parents' emails when Exchange refuses the school mailbox", () => {
  let t: AppUnderTest;
  beforeAll(async () => {
    t = await startAppUnderTest();
  });
  afterAll(() => t.close());

  const call = (personaId: string, path: string, init: RequestInit = {}) => callAs(t.app, personaId, path, init);

  it('keeps every email queued, tells the admins why, and sends once the role is assigned', async () => {
    const k = keyPeople(t.school);
    const assignments = t.school.exchange.rbac.roleAssignments.splice(0);
    await call(k.itAdmin.id, '/api/policies/student-aup/publish', { method: 'POST', body: '{}' });
    await call(k.itAdmin.id, '/api/policies/student-aup/parents/invite', { method: 'POST', body: '{}' });
    const mailStatus = async () => (await call(k.itAdmin.id, '/api/admin/permissions')).body.mail.status;
    for (let round = 0; round < 40 && (await mailStatus()) === 'not-yet-sent'; round++) await t.app.aupSchedule.tick();
    expect(t.school.outbox).toEqual([]);
    expect(await t.app.storage.db.selectFrom('parent_link').select('id').where('sent_at', 'is not', null).execute()).toEqual([]);
    const report = (await call(k.itAdmin.id, '/api/admin/permissions')).body;
    expect(report.mail).toMatchObject({ grantedIn: 'exchange', status: 'refused', mailbox: 'esafety@demo-academy.org.uk', detail: '403 ErrorAccessDenied' });
    expect(report.mail.note).toMatch(/Exchange Online refused to send from esafety@demo-academy\.org\.uk .*"Application Mail\.Send".*stays queued/);

    t.school.exchange.rbac.roleAssignments.push(...assignments);
    for (let round = 0; round < 40 && t.school.outbox.length === 0; round++) await t.app.aupSchedule.tick();
    expect(t.school.outbox.length).toBeGreaterThan(0);
    expect((await call(k.itAdmin.id, '/api/admin/permissions')).body.mail.status).toBe('sent');
  });
});
