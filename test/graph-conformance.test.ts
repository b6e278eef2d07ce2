import { randomUUID } from 'node:crypto';
import { keyPeople } from '../src/demo-tenant/school-generator';
import { graphSchema } from '../src/demo-tenant/graph-schema';
import { eventually } from './support/eventually';
import { callAs, startAppUnderTest, type AppUnderTest } from './support/running-app';
import { demoFindingCount } from './support/demo-findings';

/**
 * Issue #11: every request the app sends must exist in Graph v1.0's published schema (entity sets,
 * singletons, keys, navigation properties, casts, bound functions and actions; each $select,
 * $expand, $filter and $orderby property on its type). The demo tenant records each request and
 * refuses what the schema lacks with Graph's own 400; here the app's main journeys run against it.
 */
describe("the app's Graph requests, against Graph v1.0's schema", () => {
  let t: AppUnderTest;
  beforeAll(async () => {
    t = await startAppUnderTest();
    const staff = t.school.groups.find((g) => g.kind === 'staff')!.memberIds.length;
    await eventually(() => t.school.subscriptions.length === staff, 'the calendar subscriptions', 20_000);
  }, 30_000);
  afterAll(() => t.close());

  const call = (personaId: string, path: string, init: RequestInit = {}) => callAs(t.app, personaId, path, init);
  const post = (personaId: string, path: string, body: unknown = {}) => call(personaId, path, { method: 'POST', body: JSON.stringify(body) });
  const refusals = () => t.recorded.filter((r) => r.refusal);

  it('runs an audit, the AUP, an incident with the LADO mail, a lesson and the meeting watch with no request Graph would refuse', async () => {
    const k = keyPeople(t.school);

    // The audit: users, groups, mail rules, drives and sharing, calendars and meetings, settings.
    const audit = await post(k.itAdmin.id, '/api/audit/run');
    expect(audit.status).toBe(200);
    expect(audit.body.findings).toBe(demoFindingCount(t.school));

    // The AUP: publish, accept, parents invited from the Education API's related contacts and emailed.
    expect((await post(k.itAdmin.id, '/api/policies/staff-aup/publish')).status).toBe(200);
    expect((await post(k.teacher.id, '/api/my/policies/staff-aup@1/accept')).status).toBe(200);
    expect((await post(k.itAdmin.id, '/api/policies/student-aup/publish')).status).toBe(200);
    expect((await post(k.itAdmin.id, '/api/policies/student-aup/parents/invite')).status).toBe(200);
    for (let round = 0; round < 40 && !t.school.outbox.some((m) => m.to.some((a) => a.startsWith('parent-of-'))); round++) await t.app.aupSchedule.tick();
    expect(t.school.outbox.some((m) => m.to.some((a) => a.startsWith('parent-of-')))).toBe(true);

    // An incident about the headteacher: the chair of governors in Teams, the LADO by email.
    const incident = await post(k.teacher.id, '/api/incidents', {
      submissionId: randomUUID(),
      category: 'conduct',
      subCategory: 'staff-misuse',
      whatHappened: 'The head shared pupils’ photos from a personal phone.',
      when: '2026-11-23T16:00:00Z',
      involved: [{ name: 'Helen Carter', role: 'headteacher' }],
    });
    expect(incident.status).toBe(200);
    await eventually(() => t.school.outbox.some((m) => m.to.includes('lado@localauthority.example.gov.uk')), 'the LADO mail', 20_000);

    // A lesson: the teacher's classes, the class's members and owners, the event, the meeting settings.
    const classes = (await call(k.teacher.id, '/api/lessons/classes')).body.classes as Array<{ id: string }>;
    const guestClass = t.school.groups.find(
      (g) => g.kind === 'class' && g.memberIds.some((id) => t.school.users.find((u) => u.id === id)?.userType === 'Guest'),
    );
    const clean = classes.find((c) => c.id !== guestClass?.id)!;
    expect((await post(k.teacher.id, '/api/lessons', { submissionId: randomUUID(), classId: clean.id, title: 'Macbeth, Act 1' })).status).toBe(200);

    // The meeting watch: a member of staff's own meeting with an outsider is read back and warned about.
    const before = t.recorded.length;
    t.meetings.createEventAs(k.teacher.id, {
      subject: 'Catch-up with the tutoring company',
      start: { dateTime: '2026-11-25T15:00:00' },
      end: { dateTime: '2026-11-25T15:30:00' },
      isOnlineMeeting: true,
      attendees: [{ emailAddress: { address: 'rob.tutor@tutoring-co.example.com', name: 'Rob Tutor' } }],
    });
    await eventually(() => t.recorded.slice(before).some((r) => r.url.startsWith(`/users/${k.teacher.id}/events/`)), 'the event read back');

    // The school directory kept from Graph's deltas (issue 16): people, and the configured groups' members.
    await t.app.directoryRefresher!.refresh();

    // Each journey reached Graph, and nothing it sent is missing from Graph's schema.
    const urls = t.recorded.map((r) => `${r.method} ${r.url.split('?')[0]}`);
    for (const expected of [
      /^GET \/users$/,
      /^POST \/\$batch$/,
      /\/root\/delta$/,
      /\/permissions$/,
      /^GET \/education\/users\/[^/]+$/,
      /\/sendMail$/,
      /\/taughtClasses$/,
      /^POST \/users\/[^/]+\/events$/,
      /^PATCH \/users\/[^/]+\/onlineMeetings\//,
      /^POST \/subscriptions$/,
      /^GET \/users\/delta$/,
      /^GET \/groups\/delta$/,
    ]) {
      expect(urls.some((u) => expected.test(u))).toBe(true);
    }
    expect(t.recorded.some((r) => r.inBatch)).toBe(true);
    expect(refusals()).toEqual([]);
  }, 120_000);

  const graph = (path: string) => fetch(`${t.tenant.graphBaseUrl}${path}`, { headers: { authorization: 'Bearer demo' } });

  it('refuses a made-up path with 400, as Graph does', async () => {
    const res = await graph(`/users/${keyPeople(t.school).teacher.id}/lessons`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'BadRequest', message: "Resource not found for the segment 'lessons'." } });
  });

  it('refuses a made-up $select property with 400, as Graph does', async () => {
    const res = await graph('/users?$select=id,favouriteColour');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code: 'BadRequest', message: "Could not find a property named 'favouriteColour' on type 'microsoft.graph.user'." },
    });
  });

  it('refuses /me: the app signs in as itself, with no signed-in user', async () => {
    const res = await graph('/me/drive');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'BadRequest', message: '/me request is only valid with delegated authentication flow.' } });
  });

  it('refuses a made-up request inside a $batch, member by member', async () => {
    const res = await fetch(`${t.tenant.graphBaseUrl}/$batch`, {
      method: 'POST',
      headers: { authorization: 'Bearer demo', 'content-type': 'application/json' },
      body: JSON.stringify({
        requests: [
          { id: '1', method: 'GET', url: '/users?$select=id' },
          { id: '2', method: 'GET', url: '/users?$filter=house eq 1' },
        ],
      }),
    });
    const { responses } = (await res.json()) as { responses: Array<{ id: string; status: number; body: { error?: { message: string } } }> };
    expect(responses.find((r) => r.id === '1')!.status).toBe(200);
    expect(responses.find((r) => r.id === '2')).toMatchObject({
      status: 400,
      body: { error: { message: "Could not find a property named 'house' on type 'microsoft.graph.user'." } },
    });
  });

  it('checks against the schema Microsoft published, at a recorded commit', () => {
    expect(graphSchema.source.commit).toMatch(/^[0-9a-f]{40}$/);
  });
});
