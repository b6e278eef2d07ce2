import { randomUUID } from 'node:crypto';
import { lessonsResponse, startLessonResponse } from '../src/contract';
import { keyPeople } from '../src/demo-tenant/school-generator';
import { eventually } from './support/eventually';
import { callAs, startAppUnderTest, type AppUnderTest } from './support/running-app';

/** Policy 000 "5. Remote Working", through the app's real endpoints on the demo tenant. */
describe('lessons and the watch on staff calendars', () => {
  let t: AppUnderTest;
  beforeAll(async () => {
    t = await startAppUnderTest();
    // At start-up the app subscribes to every member of staff's calendar.
    const staff = t.school.groups.find((g) => g.kind === 'staff')!.memberIds.length;
    await eventually(() => t.school.subscriptions.length === staff, 'the calendar subscriptions', 20_000);
  }, 30_000);
  afterAll(() => t.close());

  const call = (personaId: string, path: string, init: RequestInit = {}) => callAs(t.app, personaId, path, init);
  const warnings = async () =>
    (await t.app.storage.db.selectFrom('audit_log').selectAll().where('action', '=', 'meeting.external-attendee-warned').execute()).length;

  it('answers Graph’s validation request by echoing its token', async () => {
    const res = await fetch(`${t.app.url}/api/graph/notifications?validationToken=${encodeURIComponent('Validation: token 123')}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('Validation: token 123');
  });

  it('warns a member of staff who organises a Teams meeting with an outsider, once, and not for a third party’s meeting', async () => {
    const teacher = keyPeople(t.school).teacher;
    const event = t.meetings.createEventAs(teacher.id, {
      subject: 'Catch-up with the tutoring company',
      start: { dateTime: '2026-11-25T15:00:00' },
      end: { dateTime: '2026-11-25T15:30:00' },
      isOnlineMeeting: true,
      attendees: [{ emailAddress: { address: 'rob.tutor@tutoring-co.example.com', name: 'Rob Tutor' } }],
    });
    await eventually(async () => (await warnings()) === 1, 'the warning');
    const log = await t.app.storage.db.selectFrom('audit_log').selectAll().where('action', '=', 'meeting.external-attendee-warned').executeTakeFirstOrThrow();
    expect(log.subject_id).toBe(event.id);

    // Graph delivers the same notification again: still one warning.
    const sub = t.school.subscriptions.find((x) => x.resource === `/users/${teacher.id}/events`)!;
    const again = {
      value: [
        {
          subscriptionId: sub.id,
          clientState: sub.clientState,
          changeType: 'updated',
          resource: `Users/${teacher.id}/Events/${event.id}`,
          resourceData: { id: event.id },
        },
      ],
    };
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${t.app.url}/api/graph/notifications`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(again),
      });
      expect(res.status).toBe(202);
    }
    expect(await warnings()).toBe(1);

    // The local authority's own meeting, which she joins, is allowed.
    t.meetings.createEventAs(teacher.id, {
      subject: 'LA safeguarding forum',
      start: { dateTime: '2026-11-26T10:00:00' },
      end: { dateTime: '2026-11-26T11:00:00' },
      isOnlineMeeting: true,
      organizer: { address: 'board@localauthority.example.gov.uk', name: 'LA Board' },
      attendees: [{ emailAddress: { address: teacher.mail, name: teacher.displayName } }],
    });
    const sent = t.meetings.notificationsSent;
    await eventually(async () => (await t.app.storage.db.selectFrom('graph_notification_seen').selectAll().execute()).length >= 3, 'the second notification');
    expect(sent).toBe(2);
    expect(await warnings()).toBe(1);
    // Every notification was answered 202 well within Graph's 3 seconds.
    await eventually(() => t.meetings.deliveries.length >= 2, 'both deliveries answered');
    expect(t.meetings.deliveries.every((d) => d.status === 202 && !d.late)).toBe(true);
  });

  it('refuses a notification without the subscription’s secret, and never acts on it', async () => {
    const [sub] = t.school.subscriptions;
    const event = t.school.events.find((e) => e.calendarOwnerId === sub!.resource.split('/')[2])!;
    const forged = {
      value: [
        { subscriptionId: sub!.id, clientState: 'guessed', changeType: 'created', resource: `Users/x/Events/${event.id}`, resourceData: { id: event.id } },
      ],
    };
    const res = await fetch(`${t.app.url}/api/graph/notifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(forged),
    });
    expect(res.status).toBe(403);
    const garbage = await fetch(`${t.app.url}/api/graph/notifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"value":"nope"}',
    });
    expect(garbage.status).toBe(403);
  });

  it('lets a teacher start a lesson from the tab and list it; refuses a class with an outsider; a student gets 403', async () => {
    const k = keyPeople(t.school);
    const classes = (await call(k.teacher.id, '/api/lessons/classes')).body.classes as Array<{ id: string; displayName: string }>;
    expect(classes.length).toBeGreaterThanOrEqual(2);
    const guestClass = t.school.groups.find(
      (g) => g.kind === 'class' && g.memberIds.some((id) => t.school.users.find((u) => u.id === id)?.userType === 'Guest'),
    )!;
    const clean = classes.find((c) => c.id !== guestClass.id)!;

    const started = await call(k.teacher.id, '/api/lessons', {
      method: 'POST',
      body: JSON.stringify({ submissionId: randomUUID(), classId: clean.id, title: 'Macbeth, Act 1' }),
    });
    expect(started.status).toBe(200);
    const { lesson, warning } = startLessonResponse.parse(started.body);
    expect(t.school.onlineMeetings.find((m) => m.joinWebUrl === lesson.joinUrl)).toMatchObject({
      recordAutomatically: true,
      lobbyBypassSettings: { scope: 'organizationExcludingGuests' },
    });
    // The tab sees the lesson in its own words; the meeting's and chat's ids stay on the server.
    expect(lesson).toMatchObject({ title: 'Macbeth, Act 1', className: classes.find((c) => c.id === clean.id)!.displayName });
    expect(Object.keys(started.body.lesson).filter((key) => key.includes('_'))).toEqual([]);
    // The app joined the meeting chat: nothing to warn the teacher about.
    expect(warning).toBeUndefined();
    const listed = lessonsResponse.parse((await call(k.teacher.id, '/api/lessons')).body);
    expect(listed.upcoming.map((l) => l.title)).toContain('Macbeth, Act 1');
    // Times are shown in the school's zone.
    expect(listed.timeZone).toBe('Europe/London');

    const refused = await call(k.teacher.id, '/api/lessons', {
      method: 'POST',
      body: JSON.stringify({ submissionId: randomUUID(), classId: guestClass.id, title: 'Macbeth, Act 2' }),
    });
    expect(refused.status).toBe(422);
    // In plain words: who, why, what to do; never a policy number.
    expect(refused.body.error.message).toBe(
      'The lesson was not created: Rob Tutor, rob.tutor@tutoring-co.example.com (in the class team) is outside the school, and the Remote Working section of the E-Safety Policy keeps Teams for use within the school, and every lesson is recorded. Ask the IT team to remove them from the class team, or take them off the invitation, then start the lesson again (or choose another class).',
    );
    expect((await call(k.student.id, '/api/lessons')).status).toBe(403);
  });
});
