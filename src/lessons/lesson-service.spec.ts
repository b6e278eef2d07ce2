import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { demoConfig } from '../../test/support/aup-world';
import { useDemoGraph } from '../../test/support/demo-graph';
import { engines, type TestStorage } from '../../test/support/storages';
import { keyPeople } from '../demo-tenant/school-generator';
import { GraphAppInstaller } from '../notify/app-installer';
import { RecordingNotifier } from '../notify/notifier';
import { SchoolDirectory, type Person } from '../school/school-directory';
import { AuditLog } from '../storage/audit-log';
import { InvalidLesson, LessonRefused, LessonService, NO_CHAT_WARNING, NotATeacher } from './lesson-service';
import { isGraphError } from '../graph/graph-access';
import type { AppInstaller } from '../notify/app-installer';

/** Policy 000 "5. Remote Working": lessons are recorded, announced, and stay inside the school. */
describe.each(engines)('remote lessons on %s', (_name, open) => {
  const ctx = useDemoGraph();
  let t: TestStorage;
  let notifier: RecordingNotifier;
  let directory: SchoolDirectory;
  let teacher: Person;
  let clock: Date;
  beforeEach(async () => {
    t = await open();
    notifier = new RecordingNotifier();
    directory = new SchoolDirectory(ctx.graph, demoConfig);
    teacher = (await directory.person(keyPeople(ctx.school).teacher.id))!;
    clock = new Date('2026-11-23T10:00:00Z');
  });
  afterEach(() => t.dispose());

  const service = (installer: AppInstaller | null = new GraphAppInstaller(ctx.graph, 'catalog-app')) =>
    new LessonService({
      db: t.storage.db,
      config: demoConfig,
      graph: ctx.graph,
      directory,
      notifier,
      logger: pino({ level: 'silent' }),
      installer: installer ?? undefined,
      clock: () => clock,
    });
  /** A class of Amy Clarke's with no guest in it (her first class has a guest tutor, seeded). */
  const cleanClass = () =>
    ctx.school.groups.find(
      (g) =>
        g.kind === 'class' && g.ownerIds.includes(teacher.id) && g.memberIds.every((id) => ctx.school.users.find((u) => u.id === id)?.userType === 'Member'),
    )!;
  const lessonInput = (over: Record<string, unknown> = {}) => ({
    submissionId: randomUUID(),
    classId: cleanClass().id,
    title: 'Poetry: Owen and Sassoon',
    ...over,
  });

  it('creates the Teams meeting with the lesson settings, in the class’s calendars, and adds the app to its chat', async () => {
    const { lesson, created } = await service().start(lessonInput(), teacher);
    expect(created).toBe(true);
    const meeting = ctx.school.onlineMeetings.find((m) => m.id === lesson.online_meeting_id)!;
    expect(meeting).toMatchObject({
      recordAutomatically: true,
      allowRecording: true,
      isEntryExitAnnounced: true,
      allowedPresenters: 'organizer',
      lobbyBypassSettings: { scope: 'organizationExcludingGuests', isDialInBypassEnabled: false },
    });
    const event = ctx.school.events.find((e) => e.id === lesson.event_id)!;
    expect(event.attendees.map((a) => a.emailAddress.address).sort()).toEqual(
      cleanClass()
        .memberIds.filter((id) => id !== teacher.id)
        .map((id) => ctx.school.users.find((u) => u.id === id)!.mail.toLowerCase())
        .sort(),
    );
    expect(ctx.school.appInstalledInChats.has(lesson.chat_id!)).toBe(true);
    expect((await new AuditLog(t.storage.db).list({ subjectType: 'lesson' }))[0]).toMatchObject({ action: 'lesson.created' });
  });

  it('reads the start time the teacher typed as the school’s local time, and sends it with the school’s time zone', async () => {
    clock = new Date('2026-06-15T07:00:00Z');
    const { lesson } = await service().start(lessonInput({ start: '2026-06-15T09:00' }), teacher);
    // 09:00 in London in June is 08:00 UTC.
    expect(lesson.starts_at).toBe('2026-06-15T08:00:00.000Z');
    const event = ctx.school.events.find((e) => e.id === lesson.event_id)!;
    expect(event.start).toEqual({ dateTime: '2026-06-15T08:00:00', timeZone: 'UTC' });
    expect(service().when(lesson.starts_at)).toBe('Mon, 15 Jun 2026, 09:00');
  });

  it('keeps guests in the lobby: organizationExcludingGuests, which Graph takes only with the Prefer header', async () => {
    const { lesson } = await service().start(lessonInput(), teacher);
    expect(ctx.school.onlineMeetings.find((m) => m.id === lesson.online_meeting_id)!.lobbyBypassSettings.scope).toBe('organizationExcludingGuests');
    // Without the header the demo tenant refuses the value, as Graph does for an evolvable enum member.
    const refused = await ctx.graph
      .patch(`/users/${teacher.id}/onlineMeetings/${lesson.online_meeting_id}`, { lobbyBypassSettings: { scope: 'organizationExcludingGuests' } })
      .catch((e: unknown) => e);
    expect(isGraphError(refused, 400)).toBe(true);
    // And reads it back as unknownFutureValue to a client that did not opt in.
    const read = await ctx.graph.get<{ lobbyBypassSettings: { scope: string } }>(`/users/${teacher.id}/onlineMeetings/${lesson.online_meeting_id}`);
    expect(read.lobbyBypassSettings.scope).toBe('unknownFutureValue');
  });

  it('tells the teacher at once when the app cannot join the lesson’s chat: no announcement at start, and what to do', async () => {
    const refusing: AppInstaller = { installFor: async () => 'not-allowed', installInChat: async () => 'not-allowed' };
    const refused = await service(refusing).start(lessonInput(), teacher);
    expect(refused.warning).toBe(NO_CHAT_WARNING);
    expect(refused.warning).toMatch(/will not post .*This lesson is recorded.* Tell the class yourself/);
    expect((await service(null).start(lessonInput(), teacher)).warning).toBe(NO_CHAT_WARNING);
    // Sent again, the same lesson still says so.
    expect((await service(refusing).start({ ...lessonInput(), submissionId: refused.lesson.submission_id }, teacher)).warning).toBe(NO_CHAT_WARNING);
    // The app in the chat: nothing to warn about.
    expect((await service().start(lessonInput(), teacher)).warning).toBeUndefined();
  });

  it('installs into the chat with the app’s chat RSC permissions consented; Graph refuses an install without them', async () => {
    const { lesson } = await service().start(lessonInput(), teacher);
    expect(ctx.school.appInstalledInChats.has(lesson.chat_id!)).toBe(true);
    const other = ctx.tenant.meetings.createEventAs(teacher.id, {
      subject: 'Staff briefing',
      isOnlineMeeting: true,
      start: { dateTime: '2026-11-24T08:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-11-24T08:30:00', timeZone: 'UTC' },
    });
    const thread = ctx.school.onlineMeetings.find((m) => m.joinWebUrl === other.onlineMeeting!.joinUrl)!.chatThreadId;
    const bare = await ctx.graph
      .post(`/chats/${encodeURIComponent(thread)}/installedApps`, {
        'teamsApp@odata.bind': 'https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/catalog-app',
      })
      .catch((e: unknown) => e);
    expect(isGraphError(bare, 400)).toBe(true);
    expect(ctx.school.appInstalledInChats.has(thread)).toBe(false);
  });

  it('makes the class’s co-teachers presenters too, and invites them', async () => {
    const cls = cleanClass();
    const coTeacher = ctx.school.users.find((u) => u.role === 'staff' && u.id !== teacher.id && !cls.memberIds.includes(u.id))!;
    cls.ownerIds.push(coTeacher.id);
    try {
      const { lesson } = await service().start(lessonInput(), teacher);
      const meeting = ctx.school.onlineMeetings.find((m) => m.id === lesson.online_meeting_id)!;
      expect(meeting.allowedPresenters).toBe('roleIsPresenter');
      const roles = new Map(meeting.participants!.attendees.map((a) => [a.identity?.user?.id, a.role]));
      expect(roles.get(coTeacher.id)).toBe('presenter');
      expect([...roles.values()].filter((r) => r === 'presenter')).toHaveLength(1);
      expect(ctx.school.events.find((e) => e.id === lesson.event_id)!.attendees.map((a) => a.emailAddress.address)).toContain(coTeacher.mail.toLowerCase());
    } finally {
      cls.ownerIds.pop();
    }
  });

  it('refuses a lesson for a class with a guest from outside the school, citing the policy', async () => {
    const withGuest = ctx.school.groups.find(
      (g) => g.kind === 'class' && g.memberIds.some((id) => ctx.school.users.find((u) => u.id === id)?.userType === 'Guest'),
    )!;
    await expect(service().start(lessonInput({ classId: withGuest.id }), teacher)).rejects.toThrow(LessonRefused);
    await expect(service().start(lessonInput({ classId: withGuest.id }), teacher)).rejects.toThrow(/rob\.tutor@tutoring-co\.example\.com.*Remote Working/);
    expect(await t.storage.db.selectFrom('lesson').selectAll().execute()).toEqual([]);
  });

  it('refuses an invitation to a look-alike domain, and accepts one to a subdomain of the school', async () => {
    await expect(service().start(lessonInput({ invite: ['head@demo-academy.org.uk.evil.com'] }), teacher)).rejects.toThrow(LessonRefused);
    await expect(service().start(lessonInput({ invite: ['someone@students.demo-academy.org.uk'] }), teacher)).resolves.toMatchObject({ created: true });
  });

  it('creates one lesson when the form is sent twice at once', async () => {
    const input = lessonInput();
    const s = service();
    const [a, b] = await Promise.all([s.start(input, teacher), s.start(input, teacher)]);
    expect(a.lesson.id).toBe(b.lesson.id);
    expect((await service().start(input, teacher)).created).toBe(false);
    expect(await t.storage.db.selectFrom('lesson').selectAll().execute()).toHaveLength(1);
  });

  it('says what is wrong with the form, and that only teachers start lessons', async () => {
    await expect(service().start(lessonInput({ title: 'x' }), teacher)).rejects.toThrow(/title: give the lesson a title/);
    await expect(service().start(lessonInput({ classId: 'not-my-class' }), teacher)).rejects.toThrow(InvalidLesson);
    const student = (await directory.person(keyPeople(ctx.school).student.id))!;
    await expect(service().start(lessonInput(), student)).rejects.toThrow(NotATeacher);
  });

  it('announces the recording when the lesson starts, and records that it did', async () => {
    const { lesson } = await service().start(lessonInput(), teacher);
    const said = await service().meetingStarted({ chatId: lesson.chat_id! });
    expect(said.text).toMatch(/This lesson is being recorded/);
    expect(said.lessonId).toBe(lesson.id);
    expect((await t.storage.db.selectFrom('lesson').selectAll().executeTakeFirstOrThrow()).announced_at).not.toBeNull();
    // Any other meeting the bot is in is reminded that a recording must be announced.
    expect((await service().meetingStarted({ chatId: '19:meeting_other@thread.v2' })).text).toMatch(/If it is recorded, the organiser must say so/);
  });

  it('announces at the scheduled start when no start event came', async () => {
    const { lesson } = await service().start(lessonInput({ start: '2026-11-23T11:00:00Z' }), teacher);
    notifier.conversations.add(lesson.chat_id!);
    clock = new Date('2026-11-23T11:00:30Z');
    expect((await service().tick()).announced).toBe(1);
    expect(notifier.posted.map((p) => p.to)).toContain(lesson.chat_id);
    expect((await service().tick()).announced).toBe(0);
  });

  it('tells the teacher and the admins when a lesson ended without a recording, and not when it has one', async () => {
    const s = service();
    const unrecorded = (await s.start(lessonInput({ title: 'Lesson without recording' }), teacher)).lesson;
    const recorded = (await s.start(lessonInput({ title: 'Lesson with recording' }), teacher)).lesson;
    await s.meetingEnded({ joinUrl: unrecorded.join_url });
    await s.meetingEnded({ joinUrl: recorded.join_url });
    ctx.tenant.meetings.addRecording(recorded.online_meeting_id);

    clock = new Date(clock.getTime() + 10 * 60_000);
    expect((await s.tick()).checked).toBe(0); // not yet: recordings take a while to appear
    clock = new Date(clock.getTime() + 31 * 60_000);
    expect(await s.tick()).toMatchObject({ checked: 2, missing: 1 });
    const notices = notifier.sent.filter((n) => n.summary.startsWith('No recording'));
    const itAdmin = keyPeople(ctx.school).itAdmin.id;
    expect(notices.map((n) => n.to).sort()).toEqual([teacher.id, itAdmin].sort());
    expect(JSON.stringify(notices[0]!.card)).toContain('Lesson without recording');
    const lessons = await s.lessonsOf(teacher);
    expect(lessons.past.map((l) => [l.title, l.recording_found])).toEqual(
      expect.arrayContaining([
        ['Lesson without recording', 0],
        ['Lesson with recording', 1],
      ]),
    );
  });
});
