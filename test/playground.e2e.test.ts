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
