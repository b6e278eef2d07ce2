import { randomUUID } from 'node:crypto';
import { auditLogResponse } from '../src/contract';
import { keyPeople } from '../src/demo-tenant/school-generator';
import { APP_CLIENT_ID, fakeEntra } from './support/entra-tokens';
import { signInAs, startAppUnderTest, startJwksHost, type AppUnderTest } from './support/running-app';
import { demoFindingCount } from './support/demo-findings';

describe('the server', () => {
  describe('on the demo tenant', () => {
    let t: AppUnderTest;
    beforeAll(async () => {
      t = await startAppUnderTest();
    });
    afterAll(() => t.close());

    it('is healthy and ready once migrations are applied', async () => {
      expect(await (await fetch(`${t.app.url}/healthz`)).json()).toEqual({ status: 'ok' });
      expect(await (await fetch(`${t.app.url}/readyz`)).json()).toEqual({ status: 'ready', database: 'sqlite' });
    });

    it('stays ready but warns at /readyz when the school directory copy has not been refreshed for three intervals', async () => {
      await t.app.directoryRefresher!.refresh();
      // Refreshes kept failing: the copy was last refreshed an hour ago (three intervals: fifteen minutes).
      const anHourAgo = new Date(Date.now() - 60 * 60_000).toISOString();
      await t.app.storage.db.updateTable('directory_sync').set({ synced_at: anHourAgo }).execute();
      try {
        const ready = await fetch(`${t.app.url}/readyz`);
        expect(ready.status).toBe(200);
        expect(await ready.json()).toEqual({ status: 'ready', database: 'sqlite', directory: { stale: true, oldestSyncedAt: anHourAgo } });
      } finally {
        await t.app.directoryRefresher!.refresh();
      }
      expect(await (await fetch(`${t.app.url}/readyz`)).json()).toEqual({ status: 'ready', database: 'sqlite' });
    });

    it('asks a caller without a token to sign in (401)', async () => {
      const res = await fetch(`${t.app.url}/api/me`);
      expect(res.status).toBe(401);
    });

    it('tells a signed-in person who they are and which pages their role has', async () => {
      const token = await signInAs(t.app, keyPeople(t.school).dsl.id);
      const me = (await (await fetch(`${t.app.url}/api/me`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
        person: { roles: string[] };
        navigation: Array<{ id: string }>;
      };
      expect(me.person.roles).toContain('dsl');
      expect(me.navigation.map((n) => n.id)).toContain('incidents');
    });

    it('keeps the audit log from a student (403) and shows it to the IT admin', async () => {
      const people = keyPeople(t.school);
      const student = await signInAs(t.app, people.student.id);
      const admin = await signInAs(t.app, people.itAdmin.id);
      expect((await fetch(`${t.app.url}/api/audit-log`, { headers: { authorization: `Bearer ${student}` } })).status).toBe(403);
      const res = await fetch(`${t.app.url}/api/audit-log`, { headers: { authorization: `Bearer ${admin}` } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { entries: Array<{ action: string }> }).entries.map((e) => e.action)).toContain('server.started');
    });

    it('answers bad JSON with a clear error and no stack trace', async () => {
      const res = await fetch(`${t.app.url}/api/demo/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{bad' });
      expect(res.status).toBe(400);
      const text = await res.text();
      expect(text).toMatch(/Invalid JSON/);
      expect(text).not.toMatch(/\bat .*\.js:\d+/);
    });
  });

  describe('with a bot app id and Entra SSO configured (production shape)', () => {
    let t: AppUnderTest;
    let entra: Awaited<ReturnType<typeof fakeEntra>>;
    let jwksHost: Awaited<ReturnType<typeof startJwksHost>>;
    beforeAll(async () => {
      // CloudAdapter logs every refused activity with console.error; those refusals are the point here.
      jest.spyOn(console, 'error').mockImplementation(() => undefined);
      entra = await fakeEntra();
      jwksHost = await startJwksHost(entra.jwks);
      t = await startAppUnderTest(
        {
          bot: { appId: '22222222-3333-4444-a555-666666666666', appPassword: 'not-used', tenantId: 'b1f0c9a2-5d4e-4c3b-9a8f-0e1d2c3b4a50' },
          tab: { clientId: APP_CLIENT_ID, authorityHost: jwksHost.url },
        },
        false,
      );
    });
    afterAll(async () => {
      jest.restoreAllMocks();
      await t.close();
      await jwksHost.close();
    });

    const activity = {
      type: 'message',
      text: 'help',
      channelId: 'msteams',
      serviceUrl: 'https://smba.trafficmanager.net/uk/',
      from: { id: 'u' },
      recipient: { id: 'b' },
      conversation: { id: 'c' },
    };

    it('rejects a bot activity without a Bot Framework token (401)', async () => {
      const res = await fetch(`${t.app.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
      expect(res.status).toBe(401);
    });

    it('rejects a bot activity with a forged token (401)', async () => {
      const res = await fetch(`${t.app.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.' },
        body: JSON.stringify(activity),
      });
      expect(res.status).toBe(401);
    });

    it('accepts an Entra token for this app from the school tenant', async () => {
      const school = 'b1f0c9a2-5d4e-4c3b-9a8f-0e1d2c3b4a50';
      const teacher = keyPeople(t.school).teacher;
      const token = await entra.token({ tid: school, oid: teacher.id, iss: `${jwksHost.url}/${school}/v2.0` });
      const res = await fetch(`${t.app.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
    });

    it('refuses an Entra token from another tenant (403) or for another audience (401)', async () => {
      const school = 'b1f0c9a2-5d4e-4c3b-9a8f-0e1d2c3b4a50';
      const other = '99999999-8888-4777-a666-555555555555';
      const teacher = keyPeople(t.school).teacher;
      const foreign = await entra.token({ tid: other, oid: teacher.id, iss: `${jwksHost.url}/${other}/v2.0` });
      expect((await fetch(`${t.app.url}/api/me`, { headers: { authorization: `Bearer ${foreign}` } })).status).toBe(403);
      const wrongAudience = await entra.token({ tid: school, oid: teacher.id, iss: `${jwksHost.url}/${school}/v2.0`, aud: 'api://someone-else' });
      expect((await fetch(`${t.app.url}/api/me`, { headers: { authorization: `Bearer ${wrongAudience}` } })).status).toBe(401);
    });

    it('has no demo sign-in when the demo is not running', async () => {
      expect((await fetch(`${t.app.url}/api/demo/personas`)).status).toBe(404);
    });
  });
});

describe('the admin’s audit API', () => {
  let t: AppUnderTest;
  let admin: string;
  let student: string;
  beforeAll(async () => {
    t = await startAppUnderTest();
    admin = await signInAs(t.app, keyPeople(t.school).itAdmin.id);
    student = await signInAs(t.app, keyPeople(t.school).student.id);
  });
  afterAll(() => t.close());
  const call = (path: string, token: string, body?: unknown) =>
    fetch(`${t.app.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('keeps the audit from anyone who is not an admin (403)', async () => {
    expect((await call('/api/audit/latest', student)).status).toBe(403);
    expect((await call('/api/audit/run', student, {})).status).toBe(403);
  });

  it('runs an audit on request and shows its findings and trend', async () => {
    const run = await call('/api/audit/run', admin, {});
    expect(run.status).toBe(200);
    expect(((await run.json()) as { findings: number }).findings).toBe(demoFindingCount(t.school));
    const latest = (await (await call('/api/audit/latest', admin)).json()) as { findings: Array<{ key: string; rule: string }> };
    expect(latest.findings).toHaveLength(demoFindingCount(t.school));
    const trend = (await (await call('/api/audit/runs', admin)).json()) as { runs: Array<{ high: number }> };
    expect(trend.runs.at(-1)!.high).toBeGreaterThan(0);
  }, 60_000);

  it('raises a finding with a safeguarding angle as an incident for the DSL, once', async () => {
    const latest = (await (await call('/api/audit/latest', admin)).json()) as { findings: Array<{ key: string; rule: string }> };
    const key = latest.findings.find((f) => f.rule === 'groups.guest-in-student-group')!.key;
    const first = (await (await call('/api/audit/findings/raise-incident', admin, { findingKey: key, note: 'The tutor left in July.' })).json()) as {
      incidentId: string;
      created: boolean;
    };
    const again = (await (await call('/api/audit/findings/raise-incident', admin, { findingKey: key })).json()) as { incidentId: string; created: boolean };
    expect(first.created).toBe(true);
    expect(again).toEqual({ incidentId: first.incidentId, created: false });
    expect((await call('/api/audit/findings/raise-incident', student, { findingKey: key })).status).toBe(403);
    const rows = await t.app.storage.db.selectFrom('incident').selectAll().execute();
    expect(rows.map((r) => r.sub_category)).toEqual(['not-sure']);
  });

  it('accepts a finding with a reason and an expiry, and refuses a bad one with a clear message', async () => {
    const latest = (await (await call('/api/audit/latest', admin)).json()) as { findings: Array<{ key: string; rule: string }> };
    const key = latest.findings.find((f) => f.rule === 'meetings.external-attendee')!.key;
    const bad = await call('/api/audit/acceptances', admin, { findingKey: key, reason: 'ok', expiresAt: 'tomorrow' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^reason: say why/);
    const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
    expect((await call('/api/audit/acceptances', admin, { findingKey: key, reason: 'Exam board moderation, agreed by the head', expiresAt })).status).toBe(200);
    const after = (await (await call('/api/audit/latest', admin)).json()) as { findings: Array<{ key: string; accepted?: { reason: string } }> };
    expect(after.findings.find((f) => f.key === key)!.accepted?.reason).toBe('Exam board moderation, agreed by the head');
  });
});

describe('the incidents API', () => {
  let t: AppUnderTest;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    t = await startAppUnderTest();
    const k = keyPeople(t.school);
    for (const [key, u] of Object.entries(k)) tokens[key] = await signInAs(t.app, u.id);
  });
  afterAll(() => t.close());
  const call = (path: string, who: string, body?: unknown) =>
    fetch(`${t.app.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const report = {
    submissionId: '3f9d8c1a-1b2c-4d5e-8f90-123456789abc',
    category: 'contact',
    subCategory: 'grooming',
    whatHappened: 'An adult stranger asked a Year 7 pupil for photos on a game chat.',
    when: '2026-11-23T09:30:00Z',
    where: 'Online game chat',
    involved: [{ name: 'Jamie Brown', role: 'student' }],
  };

  it('takes a teacher’s report from the tab, once, and puts it in the DSL’s queue as urgent', async () => {
    const first = await call('/api/incidents', 'teacher', report);
    expect(first.status).toBe(200);
    expect(await (await call('/api/incidents', 'teacher', report)).json()).toMatchObject({ created: false });
    const queue = (await (await call('/api/incidents', 'dsl')).json()) as { incidents: Array<{ subCategory: string; urgent: boolean; status: string }> };
    expect(queue.incidents).toEqual([expect.objectContaining({ subCategory: 'grooming', urgent: true, status: 'new' })]);
  });

  it('answers a bad report with the field at fault and no stack trace', async () => {
    const res = await call('/api/incidents', 'teacher', { ...report, submissionId: 'nope' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'invalid-report', message: 'submissionId: submissionId must be a UUID' } });
  });

  it('keeps the queue and each incident from anyone outside the safeguarding team (403)', async () => {
    expect((await call('/api/incidents', 'student')).status).toBe(403);
    expect((await call('/api/incidents', 'itAdmin')).status).toBe(403);
    const queue = (await (await call('/api/incidents', 'dsl')).json()) as { incidents: Array<{ id: string }> };
    expect((await call(`/api/incidents/${queue.incidents[0]!.id}`, 'itAdmin')).status).toBe(403);
    const read = await call(`/api/incidents/${queue.incidents[0]!.id}`, 'deputyDsl');
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ subCategory: 'grooming', guidance: expect.arrayContaining([expect.stringMatching(/CEOP/)]) });
  });

  it('answers an unknown incident id with 404 to the safeguarding team, writes no read to the audit log, and tells others nothing', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const res = await call(`/api/incidents/${unknown}`, 'dsl');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'no-such-incident', message: 'No incident has that id.' } });
    const reads = await t.app.storage.db
      .selectFrom('audit_log')
      .select('subject_id')
      .where('action', '=', 'incident.read')
      .where('subject_id', '=', unknown)
      .execute();
    expect(reads).toEqual([]);
    // Whether or not the id exists, someone who may not read it gets the very same answer.
    const queue = (await (await call('/api/incidents', 'dsl')).json()) as { incidents: Array<{ id: string }> };
    const existing = await call(`/api/incidents/${queue.incidents[0]!.id}`, 'itAdmin');
    const missing = await call(`/api/incidents/${unknown}`, 'itAdmin');
    expect([missing.status, await missing.json()]).toEqual([existing.status, await existing.json()]);
  });

  it('logs safeguarding reads where only the safeguarding team can read whom they were about: the IT admin’s log names no child', async () => {
    expect((await call('/api/incidents/people/chronology?name=Jamie%20Brown', 'dsl')).status).toBe(200);
    const itAdminView = await call('/api/audit-log?limit=500', 'itAdmin');
    expect(itAdminView.status).toBe(200);
    const body = await itAdminView.json();
    const { entries } = auditLogResponse.parse(body);
    // The IT admin can see that the DSL looked, and when, but not at whom.
    const read = entries.find((e) => e.action === 'incident.person-chronology-read')!;
    expect(read).toMatchObject({ actorId: keyPeople(t.school).dsl.id, subjectId: null, detail: {}, withheld: true });
    expect(JSON.stringify(body)).not.toMatch(/Jamie/);
    // The safeguarding team reads the same entry in full; nobody else may.
    const team = auditLogResponse.parse(await (await call('/api/incidents/access-log', 'deputyDsl')).json());
    expect(team.entries.find((e) => e.action === 'incident.person-chronology-read')).toMatchObject({ subjectId: 'name:Jamie Brown', withheld: false });
    expect(team.entries.every((e) => e.action.startsWith('incident.') || e.subjectType === 'incident')).toBe(true);
    expect((await call('/api/incidents/access-log', 'itAdmin')).status).toBe(403);
  });

  it('validates the activity log’s limit: a whole number from 1 to 500', async () => {
    for (const limit of ['abc', '0', '501', '2.5']) {
      const res = await call(`/api/audit-log?limit=${limit}`, 'itAdmin');
      expect([limit, res.status, await res.json()]).toEqual([
        limit,
        400,
        { error: { code: 'invalid-request', message: 'limit: limit must be a whole number from 1 to 500' } },
      ]);
    }
    expect(auditLogResponse.parse(await (await call('/api/audit-log?limit=2', 'itAdmin')).json()).entries).toHaveLength(2);
  });

  it('lets a student confide, telling them only that it arrived', async () => {
    const res = await call('/api/confide', 'student', {
      submissionId: '6b1e2c3d-4f5a-4b6c-9d7e-8f9a0b1c2d3e',
      message: 'Someone keeps messaging me at night and it scares me.',
    });
    expect(await res.json()).toEqual({ received: true });
    expect((await call('/api/confide', 'teacher', { submissionId: '6b1e2c3d-4f5a-4b6c-9d7e-8f9a0b1c2d3f', message: 'x x x x x' })).status).toBe(403);
  });

  it('gives governors counts by term and category, with no names or words from the reports', async () => {
    // Policy 001: the governing body reviews the log, as numbers; the governors read it themselves.
    expect((await call('/api/incidents/governors-report', 'governor')).status).toBe(200);
    expect((await call('/api/incidents/governors-report', 'student')).status).toBe(403);
    const res = (await (await call('/api/incidents/governors-report?format=csv', 'governor')).json()) as { csv: string };
    expect(res.csv.split('\r\n')[0]).toBe('term,category,subCategory,incidents,medianHoursToAcknowledge,medianHoursToClose');
    expect(res.csv).toContain('2026-27 autumn,contact,grooming,1');
    expect(res.csv).not.toMatch(/Jamie|stranger|night/);
  });
});

describe('safeguarding roles (policy 002 "Handling Incidents")', () => {
  let t: AppUnderTest;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    t = await startAppUnderTest();
    for (const [key, u] of Object.entries(keyPeople(t.school))) tokens[key] = await signInAs(t.app, u.id);
  });
  afterAll(() => t.close());
  const call = async (path: string, who: string, body?: unknown) => {
    const res = await fetch(`${t.app.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const report = (over: Record<string, unknown>) => ({
    submissionId: randomUUID(),
    category: 'conduct',
    subCategory: 'cyberbullying',
    whatHappened: 'Unkind messages in the Year 8 class chat.',
    when: '2026-11-23T09:30:00Z',
    involved: [],
    ...over,
  });
  const listed = async (who: string) => ((await call('/api/incidents', who)).body.incidents as Array<{ id: string }>).map((i) => i.id);

  it('shows the headteacher the staff misuse sent to her, lets her act on it as the DSL does, and nothing else', async () => {
    const misuse = (await call('/api/incidents', 'teacher', report({ subCategory: 'staff-misuse', involved: [{ name: 'Tom Evans', role: 'staff' }] }))).body;
    const pupils = (await call('/api/incidents', 'teacher', report({ involved: [{ name: 'Jamie Brown', role: 'student' }] }))).body;
    expect(await listed('headteacher')).toEqual([misuse.incidentId]);
    expect((await call(`/api/incidents/${pupils.incidentId}`, 'headteacher')).status).toBe(403);
    const acted = await call(`/api/incidents/${misuse.incidentId}/actions`, 'headteacher', { action: 'acknowledge' });
    expect(acted.status).toBe(200);
    expect(acted.body).toMatchObject({ status: 'acknowledged', history: [expect.objectContaining({ kind: 'acknowledged', label: 'Acknowledged' })] });
    expect((await call(`/api/incidents/${pupils.incidentId}/actions`, 'headteacher', { action: 'acknowledge' })).status).toBe(403);
  });

  it('sends a concern that names the head to the chair of governors, never to the head, whatever role the reporter picked', async () => {
    const head = keyPeople(t.school).headteacher;
    const aboutHead = (await call('/api/incidents', 'teacher', report({ involved: [{ name: head.displayName, role: 'student' }] }))).body;
    expect(await listed('headteacher')).not.toContain(aboutHead.incidentId);
    expect((await call(`/api/incidents/${aboutHead.incidentId}`, 'headteacher')).status).toBe(403);
    expect(await listed('governor')).toEqual([aboutHead.incidentId]);
    const read = await call(`/api/incidents/${aboutHead.incidentId}`, 'governor');
    expect(read.body.people).toEqual([{ id: head.id, name: head.displayName, role: 'headteacher' }]);
  });

  it('marks only the headteacher when a concern is "about the headteacher", not everyone named', async () => {
    const k = keyPeople(t.school);
    const { incidentId } = (
      await call(
        '/api/incidents',
        'teacher',
        report({
          involved: [
            { name: 'Jamie Brown', role: 'student' },
            { name: 'the headteacher', role: 'headteacher' },
          ],
        }),
      )
    ).body;
    const people = (await call(`/api/incidents/${incidentId}`, 'governor')).body.people;
    expect(people).toEqual([
      { id: k.student.id, name: k.student.displayName, role: 'student' },
      { id: k.headteacher.id, name: k.headteacher.displayName, role: 'headteacher' },
    ]);
  });

  it('lets the DSL act in the tab with the card’s rules: a note needs words, an assignee must be staff, and every step is in the chronology', async () => {
    const k = keyPeople(t.school);
    const { incidentId } = (await call('/api/incidents', 'teacher', report({}))).body;
    expect(await call(`/api/incidents/${incidentId}/actions`, 'dsl', { action: 'note' })).toEqual({
      status: 400,
      body: { error: { code: 'invalid-report', message: 'note: write the note first' } },
    });
    expect((await call(`/api/incidents/${incidentId}/actions`, 'dsl', { action: 'delete' })).status).toBe(400);
    expect((await call(`/api/incidents/${incidentId}/actions`, 'dsl', { action: 'assign', assignee: k.student.userPrincipalName })).status).toBe(400);
    await call(`/api/incidents/${incidentId}/actions`, 'dsl', { action: 'assign', assignee: k.deputyDsl.userPrincipalName });
    await call(`/api/incidents/${incidentId}/actions`, 'deputyDsl', { action: 'escalate', escalateTo: "children's social care", text: 'Referral made.' });
    await call(`/api/incidents/${incidentId}/actions`, 'deputyDsl', { action: 'inform-parents' });
    const closed = await call(`/api/incidents/${incidentId}/actions`, 'dsl', { action: 'close', text: 'Resolved with both families.' });
    expect(closed.body.status).toBe('closed');
    expect(closed.body.history.map((h: { label: string }) => h.label)).toEqual(['Assigned', 'Escalated to', 'Parents or carers informed', 'Closed']);
    expect((await call(`/api/incidents/${incidentId}/actions`, 'student', { action: 'acknowledge' })).status).toBe(403);
  });
});
