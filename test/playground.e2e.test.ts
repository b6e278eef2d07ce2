import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startDemo, type RunningDemo } from '../bin/start-demo';
import { generateSchool, keyPeople } from '../src/demo-tenant/school-generator';
import { ConversationReferences } from '../src/storage/conversation-references';
import { freePort, PlaygroundChat } from './support/playground-chat';

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

/** `npm run demo` as a person uses it: the bot answers in Microsoft's Agents Playground. */
describe('the demo in the Agents Playground', () => {
  let demo: RunningDemo;
  let chat: PlaygroundChat;
  beforeAll(async () => {
    ({ demo, chat } = await startPlaygroundDemo());
  }, 60_000);
  afterAll(async () => {
    chat?.close();
    await demo?.close();
  });

  it('answers "help" with an Adaptive Card listing the commands', async () => {
    await chat.say('help');
    const reply = await chat.nextFromBot((m) => !!m.attachments?.length);
    const card = reply.attachments![0]!;
    expect(card.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(JSON.stringify(card.content)).toContain('What I can do');
  });

  it('remembers the teacher’s personal chat for proactive cards, under her Entra id', async () => {
    await chat.say('hello');
    await chat.nextFromBot((m) => !!m.attachments?.length);
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
  afterAll(async () => {
    chat?.close();
    await demo?.close();
  });

  it('receives the scheduled audit summary as a card in his chat', async () => {
    // The bot learns Sam Patel's personal chat when he first speaks to it.
    await chat.say('help');
    await chat.nextFromBot((m) => !!m.attachments?.length);
    const waiting = chat.nextFromBot((m) => JSON.stringify(m.attachments ?? []).includes('Tenant audit: Demo Academy'), 60_000);
    const outcome = await demo.app.auditSchedule!.tick({ force: true });
    expect(outcome?.report.findings.length).toBe(demo.school.seededViolations.length);
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
  afterAll(async () => {
    chat?.close();
    await demo?.close();
  });

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
    expect(JSON.stringify(acknowledged.value)).toContain('Status: **acknowledged**');

    // The same form clicked again is the same incident.
    await chat.execute(form.messageId, 'incident.submit', { submissionId, kind: 'conduct/cyberbullying', whatHappened: 'Year 8 students posting unkind memes about a classmate in a group chat.', about: 'no', illegal: 'false' });
    expect(await demo.app.storage.db.selectFrom('incident').selectAll().execute()).toHaveLength(1);
  }, 60_000);
});
