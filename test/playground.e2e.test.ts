import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { demoPersonas, playgroundUsers, startDemo, type RunningDemo } from '../bin/start-demo';
import { generateSchool, keyPeople } from '../src/demo-tenant/school-generator';
import { ConversationReferences } from '../src/storage/conversation-references';
import { eventually } from './support/eventually';
import { callAs } from './support/running-app';
import { freePort, PlaygroundChat } from './support/playground-chat';
import { demoFindingCount } from './support/demo-findings';

/** Which playground user id a persona has when `currentUserId` is the one at the keyboard. */
const playgroundIdOf = (demo: RunningDemo, personId: string, currentUserId: string) =>
  playgroundUsers(demoPersonas(demo.school), currentUserId).find((u) => u.aadObjectId === personId)!.id;

/** A message in a group chat, as Teams hands it to a message action. */
const groomingMessage = {
  body: { content: '<p>you can tell me anything, send a pic &amp; delete this chat</p>' },
  from: { user: { displayName: 'Unknown Adult' } },
  createdDateTime: '2026-11-23T21:14:00Z',
  linkToMessage: 'https://teams.microsoft.com/l/message/19:group/1700000000000',
};

/** The demo with the playground on a free port, chatting as `playgroundUser` (the teacher by default). */
async function startPlaygroundDemo(playgroundUser?: string): Promise<{ demo: RunningDemo; chat: PlaygroundChat }> {
  const playgroundPort = await freePort();
  const demo = await startDemo({
    port: 0,
    tenantPort: 0,
    playgroundPort,
    ...(playgroundUser ? { playgroundUser } : {}),
    databaseUrl: `sqlite:${join(mkdtempSync(join(tmpdir(), 'esafety-demo-')), 'demo.db')}`,
    auditSchedule: 'manual',
    logger: pino({ level: 'silent' }),
  });
  const chat = new PlaygroundChat(`http://localhost:${playgroundPort}`);
  await chat.connect();
  return { demo, chat };
}

async function closePlayground(chat: PlaygroundChat | undefined, demo: RunningDemo | undefined): Promise<void> {
  chat?.close();
  await demo?.close();
}

/** Opens the personal chat the way a person does, so the bot knows it for proactive cards. */
async function greet(chat: PlaygroundChat, words = 'help'): Promise<void> {
  await chat.say(words);
  await chat.nextFromBot((m) => !!m.attachments?.length || !!m.text);
}

/** `npm run demo` as a person uses it: the bot answers in Microsoft's Agents Playground. */
describe('the demo in the Agents Playground', () => {
  let demo: RunningDemo;
  let chat: PlaygroundChat;
  beforeAll(async () => {
    ({ demo, chat } = await startPlaygroundDemo());
  }, 60_000);
  afterAll(() => closePlayground(chat, demo));

  it('answers "help" with an Adaptive Card listing the commands', async () => {
    await chat.say('help');
    const reply = await chat.nextFromBot((m) => !!m.attachments?.length);
    const card = reply.attachments![0]!;
    expect(card.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(JSON.stringify(card.content)).toContain('What I can do');
  });

  it('remembers the teacher’s personal chat for proactive cards, under her Entra id', async () => {
    await chat.say('hello');
    // A greeting gets a greeting, by name, not "I don't know".
    await chat.nextFromBot((m) => /^Hello Amy\b/.test(m.text ?? ''));
    const refs = new ConversationReferences(demo.app.storage.db);
    const teacher = keyPeople(demo.school).teacher;
    expect(await refs.find(teacher.id)).toMatchObject({ kind: 'personal', conversationId: 'conv-personal' });
  });
});

describe('the IT admin in the Agents Playground', () => {
  let demo: RunningDemo;
  let chat: PlaygroundChat;
  beforeAll(async () => {
    ({ demo, chat } = await startPlaygroundDemo(keyPeople(generateSchool()).itAdmin.id));
  }, 60_000);
  afterAll(() => closePlayground(chat, demo));

  it('receives the scheduled audit summary as a card in his chat', async () => {
    // The bot learns Sam Patel's personal chat when he first speaks to it.
    await chat.say('help');
    await chat.nextFromBot((m) => !!m.attachments?.length);
    const waiting = chat.nextFromBot((m) => JSON.stringify(m.attachments ?? []).includes('Tenant audit: Demo Academy'), 60_000);
    const outcome = await demo.app.auditSchedule!.tick({ force: true });
    expect(outcome?.report.findings.length).toBe(demoFindingCount(demo.school));
    const card = await waiting;
    expect(JSON.stringify(card.attachments![0]!.content)).toContain('Open findings');
  }, 90_000);
});

describe('an e-safety concern in the Agents Playground', () => {
  let demo: RunningDemo;
  let chat: PlaygroundChat;
  beforeAll(async () => {
    // Daniel Okafor is the DSL: he reports a concern himself and receives the incident card.
    ({ demo, chat } = await startPlaygroundDemo(keyPeople(generateSchool()).dsl.id));
  }, 60_000);
  afterAll(() => closePlayground(chat, demo));

  it('goes from the report form to the DSL’s card, and the DSL acknowledges it from the card', async () => {
    await chat.say('report');
    const form = await chat.nextFromBot((m) => JSON.stringify(m.attachments ?? []).includes('Report an e-safety concern'));
    const submissionId = JSON.stringify(form.attachments).match(/"submissionId":"([0-9a-f-]{36})"/)![1];
    const incidentCard = chat.nextFromBot((m) => JSON.stringify(m.attachments ?? []).includes('E-safety incident: conduct / cyberbullying'), 30_000);

    const thanks = await chat.execute(form.messageId, 'incident.submit', {
      submissionId,
      kind: 'conduct/cyberbullying',
      whatHappened: 'Year 8 students posting unkind memes about a classmate in a group chat.',
      involved: 'Jamie Brown',
      about: 'no',
      where: '8B class team chat',
      illegal: 'false',
    });
    expect(JSON.stringify(thanks.value)).toContain('passed to the safeguarding team');
    expect(JSON.stringify(thanks.value)).not.toMatch(/Okafor|deput|DSL/i);

    const card = await incidentCard;
    const incidentId = JSON.stringify(card.attachments).match(/"incidentId":"([0-9a-f-]{36})"/)![1];
    const acknowledged = await chat.execute(card.messageId, 'incident.acknowledge', { incidentId });
    expect(JSON.stringify(acknowledged.value)).toContain('Status: **Acknowledged**');

    // The same form clicked again is the same incident.
    await chat.execute(form.messageId, 'incident.submit', {
      submissionId,
      kind: 'conduct/cyberbullying',
      whatHappened: 'Year 8 students posting unkind memes about a classmate in a group chat.',
      about: 'no',
      illegal: 'false',
    });
    // (The demo also holds a seeded half-term of incidents for the governors' report.)
    expect(await demo.app.storage.db.selectFrom('incident').selectAll().where('submission_id', '=', submissionId!).execute()).toHaveLength(1);
  }, 60_000);
});

describe('reporting a message with the Report a concern action, in the Agents Playground', () => {
  let demo: RunningDemo;
  let chat: PlaygroundChat;
  let dslId: string;
  beforeAll(async () => {
    // Daniel Okafor (DSL) is at the keyboard; Amy Clarke reports a message in the group chat.
    dslId = keyPeople(generateSchool()).dsl.id;
    ({ demo, chat } = await startPlaygroundDemo(dslId));
    await greet(chat);
  }, 60_000);
  afterAll(() => closePlayground(chat, demo));

  it('opens the form prefilled with the message, records the concern once, and brings the DSL the card', async () => {
    const teacher = playgroundIdOf(demo, keyPeople(demo.school).teacher.id, dslId);
    const form = await chat.invokeMessageExtension(
      'composeExtension/fetchTask',
      { commandId: 'reportMessage', commandContext: 'message', messagePayload: groomingMessage },
      teacher,
    );
    const card = JSON.stringify(form.task!.value.card.content);
    expect(card).toContain('Reported message from Unknown Adult at 2026-11-23 21:14');
    const submissionId = card.match(/"submissionId":"([0-9a-f-]{36})"/)![1];

    const dslCard = chat.nextFromBot((m) => JSON.stringify(m.attachments ?? []).includes('E-safety incident: contact / grooming'), 30_000);
    const data = {
      submissionId,
      kind: 'contact/grooming',
      whatHappened: 'Reported message from Unknown Adult asking a pupil for a picture.',
      about: 'no',
      illegal: 'true',
    };
    const thanks = await chat.invokeMessageExtension('composeExtension/submitAction', { commandId: 'reportMessage', commandContext: 'message', data }, teacher);
    expect(thanks.task).toEqual({ type: 'message', value: 'Thank you. Your concern has been passed to the safeguarding team.' });
    expect(JSON.stringify(await dslCard)).toContain('Do not alert the suspect');

    await chat.invokeMessageExtension('composeExtension/submitAction', { commandId: 'reportMessage', commandContext: 'message', data }, teacher);
    const rows = await demo.app.storage.db.selectFrom('incident').selectAll().where('submission_id', '=', submissionId!).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ reporter_id: keyPeople(demo.school).teacher.id, urgent: 1 });
  }, 60_000);
});

describe('a concern about the headteacher, in the Agents Playground', () => {
  let demo: RunningDemo;
  let chat: PlaygroundChat;
  let chairId: string;
  beforeAll(async () => {
    // Margaret Hughes, chair of governors, is at the keyboard: the card must come to her.
    chairId = keyPeople(generateSchool()).governor.id;
    ({ demo, chat } = await startPlaygroundDemo(chairId));
    await greet(chat);
  }, 60_000);
  afterAll(() => closePlayground(chat, demo));

  it('goes to the chair of governors and the LADO only: never the head, nor the DSL', async () => {
    const k = keyPeople(demo.school);
    const teacher = playgroundIdOf(demo, k.teacher.id, chairId);
    const form = await chat.invokeMessageExtension(
      'composeExtension/fetchTask',
      { commandId: 'reportMessage', commandContext: 'message', messagePayload: { ...groomingMessage, from: { user: { displayName: 'Helen Carter' } } } },
      teacher,
    );
    const submissionId = JSON.stringify(form.task!.value.card.content).match(/"submissionId":"([0-9a-f-]{36})"/)![1];
    const chairCard = chat.nextFromBot((m) => JSON.stringify(m.attachments ?? []).includes('E-safety incident: conduct / staff-misuse'), 30_000);
    await chat.invokeMessageExtension(
      'composeExtension/submitAction',
      {
        commandId: 'reportMessage',
        commandContext: 'message',
        data: {
          submissionId,
          kind: 'conduct/staff-misuse',
          whatHappened: 'The headteacher messaged a pupil privately on a personal account.',
          involved: 'Helen Carter',
          about: 'headteacher',
          illegal: 'false',
        },
      },
      teacher,
    );
    expect(JSON.stringify(await chairCard)).toContain('Helen Carter (headteacher)');
    await eventually(() => demo.school.outbox.length === 1, 'the email to the LADO');
    expect(demo.school.outbox[0]!.to).toEqual(['lado@localauthority.example.gov.uk']);

    const deliveries = await demo.app.storage.db.selectFrom('incident_delivery').selectAll().execute();
    expect(deliveries.map((d) => (JSON.parse(d.recipient) as { as: string }).as).sort()).toEqual(['chair-of-governors', 'lado']);
    expect(deliveries.map((d) => d.recipient_id)).not.toContain(k.headteacher.id);
  }, 60_000);
});

describe('the staff acceptable use policy in the Agents Playground', () => {
  let demo: RunningDemo;
  let chat: PlaygroundChat;
  beforeAll(async () => {
    // Amy Clarke, a teacher, is at the keyboard; Sam Patel (IT admin) publishes from the tab.
    ({ demo, chat } = await startPlaygroundDemo());
    await greet(chat, 'hello');
  }, 60_000);
  afterAll(() => closePlayground(chat, demo));

  it('reaches the teacher as a card when the admin publishes; "I accept" turns it accepted; the admin counts it', async () => {
    const k = keyPeople(demo.school);
    const api = async (personaId: string, path: string, init: RequestInit = {}) => (await callAs(demo.app, personaId, path, init)).body;
    const card = chat.nextFromBot((m) => JSON.stringify(m.attachments ?? []).includes('Acceptable Use Agreement for Staff'), 30_000);
    const published = await api(k.itAdmin.id, '/api/policies/staff-aup/publish', { method: 'POST', body: '{}' });
    expect(published).toMatchObject({ versionId: 'staff-aup@1', created: true });

    const received = await card;
    expect(JSON.stringify(received.attachments)).toContain('I will only use the school');
    const accepted = await chat.execute(received.messageId, 'aup.accept', { versionId: 'staff-aup@1' });
    expect(JSON.stringify(accepted.value)).toMatch(/Accepted version 1 on \d{4}-\d{2}-\d{2}/);
    // A second click changes nothing.
    await chat.execute(received.messageId, 'aup.accept', { versionId: 'staff-aup@1' });
    expect(await demo.app.storage.db.selectFrom('acceptance').selectAll().execute()).toHaveLength(1);

    const coverage = await api(k.itAdmin.id, '/api/policies/staff-aup/coverage');
    expect(coverage.counts.staff.accepted).toBe(1);
    expect(coverage.people.find((p: any) => p.personId === k.teacher.id)).toMatchObject({ status: 'accepted', acceptedVersion: 1 });
  }, 60_000);
});

/** Policy 000 "5. Remote Working", with Amy Clarke (teacher) at the keyboard. */
describe('a remote lesson in the Agents Playground', () => {
  let demo: RunningDemo;
  let chat: PlaygroundChat;
  beforeAll(async () => {
    ({ demo, chat } = await startPlaygroundDemo());
    // The app subscribes to staff calendars once it listens.
    const staff = demo.school.groups.find((g) => g.kind === 'staff')!.memberIds.length;
    await eventually(() => demo.school.subscriptions.length === staff, 'the calendar subscriptions', 20_000);
  }, 60_000);
  afterAll(() => closePlayground(chat, demo));

  const meetingEvent = (name: 'meetingStart' | 'meetingEnd', joinUrl: string, title: string) => ({
    type: 'event',
    name: `application/vnd.microsoft.${name}`,
    // The playground has no meetings: its group chat stands in for the lesson's meeting chat.
    conversation: { id: 'conv-group', conversationType: 'groupChat', tenantId: demo.school.tenantId },
    from: { id: 'user-id-0', aadObjectId: keyPeople(demo.school).teacher.id },
    recipient: { id: '00000000-0000-4000-a000-00000000e5af', name: 'E-Safety' },
    channelData: { tenant: { id: demo.school.tenantId }, meeting: { id: 'meeting-1' } },
    value: {
      Id: 'meeting-1',
      JoinUrl: joinUrl,
      Title: title,
      MeetingType: 'Scheduled',
      [name === 'meetingStart' ? 'StartTime' : 'EndTime']: new Date().toISOString(),
    },
  });

  it('starts a lesson with the lesson settings, announces the recording at the start, and tells the teacher when no recording was made', async () => {
    const k = keyPeople(demo.school);
    await chat.say('lesson');
    const form = await chat.nextFromBot((m) => JSON.stringify(m.attachments ?? []).includes('Start a lesson'));
    const formJson = JSON.stringify(form.attachments);
    const submissionId = formJson.match(/"submissionId":"([0-9a-f-]{36})"/)![1];
    const cleanClass = demo.school.groups.find(
      (g) =>
        g.kind === 'class' && g.ownerIds.includes(k.teacher.id) && g.memberIds.every((id) => demo.school.users.find((u) => u.id === id)?.userType === 'Member'),
    )!;
    expect(formJson).toContain(cleanClass.displayName);

    // (The demo also holds a seeded half-term of lessons: this one is found by its title.)
    const created = await chat.execute(form.messageId, 'lesson.start', {
      submissionId,
      classId: cleanClass.id,
      title: 'Poetry: Owen and Sassoon',
      when: 'now',
      durationMinutes: 30,
    });
    expect(JSON.stringify(created.value)).toContain('Lesson ready: Poetry: Owen and Sassoon');
    const lesson = await demo.app.storage.db.selectFrom('lesson').selectAll().where('title', '=', 'Poetry: Owen and Sassoon').executeTakeFirstOrThrow();
    expect(demo.school.onlineMeetings.find((m) => m.id === lesson.online_meeting_id)).toMatchObject({
      recordAutomatically: true,
      isEntryExitAnnounced: true,
      allowedPresenters: 'organizer',
      lobbyBypassSettings: { scope: 'organizationExcludingGuests' },
    });

    // Teams says the meeting started: the announcement appears in the meeting chat.
    const announcement = chat.nextFromBot((m) => JSON.stringify(m.attachments ?? []).includes('This lesson is being recorded'), 15_000, 'conv-group');
    await chat.sendCustomActivity(meetingEvent('meetingStart', lesson.join_url, lesson.title));
    await announcement;
    expect(
      (await demo.app.storage.db.selectFrom('lesson').selectAll().where('title', '=', 'Poetry: Owen and Sassoon').executeTakeFirstOrThrow()).announced_at,
    ).not.toBeNull();

    // It ends with no recording; half an hour later the teacher hears in her chat.
    await chat.sendCustomActivity(meetingEvent('meetingEnd', lesson.join_url, lesson.title));
    await eventually(
      async () =>
        !!(await demo.app.storage.db.selectFrom('lesson').select('ended_at').where('title', '=', 'Poetry: Owen and Sassoon').executeTakeFirstOrThrow())
          .ended_at,
      'the end event',
    );
    const notice = chat.nextFromBot((m) => JSON.stringify(m.attachments ?? []).includes('ended without a recording'), 15_000);
    await demo.app.storage.db
      .updateTable('lesson')
      .set({ ended_at: new Date(Date.now() - 31 * 60_000).toISOString() })
      .where('title', '=', 'Poetry: Owen and Sassoon')
      .execute(); // half an hour passes
    await demo.app.lessonSchedule.tick();
    await notice;
  }, 90_000);

  it('warns the teacher at once when she organises a meeting with someone outside the school, and not for a third party’s meeting', async () => {
    const k = keyPeople(demo.school);
    const warning = chat.nextFromBot((m) => JSON.stringify(m.attachments ?? []).includes('A meeting with people outside the school'), 15_000);
    demo.meetings.createEventAs(k.teacher.id, {
      subject: 'Chat with the exam board',
      start: { dateTime: '2026-11-27T14:00:00' },
      end: { dateTime: '2026-11-27T14:30:00' },
      isOnlineMeeting: true,
      attendees: [{ emailAddress: { address: 'moderator@examboard.example.org', name: 'Moderator' } }],
    });
    expect(JSON.stringify(await warning)).toContain('moderator@examboard.example.org');

    demo.meetings.createEventAs(k.teacher.id, {
      subject: 'Exam board briefing',
      start: { dateTime: '2026-11-28T14:00:00' },
      end: { dateTime: '2026-11-28T15:00:00' },
      isOnlineMeeting: true,
      organizer: { address: 'events@examboard.example.org', name: 'Exam Board' },
      attendees: [{ emailAddress: { address: k.teacher.mail, name: k.teacher.displayName } }],
    });
    await eventually(
      async () => (await demo.app.storage.db.selectFrom('graph_notification_seen').selectAll().where('key', 'like', 'n:%').execute()).length === 2,
      'the second notification',
    );
    await expect(chat.nextFromBot((m) => JSON.stringify(m.attachments ?? []).includes('Exam board briefing'), 1_500)).rejects.toThrow(
      /no matching bot message/,
    );
  }, 60_000);
});
