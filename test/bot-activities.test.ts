import { randomUUID } from 'node:crypto';
import { keyPeople } from '../src/demo-tenant/school-generator';
import { startAppUnderTest, type AppUnderTest } from './support/running-app';

/** Card submissions and invokes, as Teams posts them to the bot endpoint: checked before use. */
describe('the bot checks every activity before acting on it', () => {
  let t: AppUnderTest;
  beforeAll(async () => {
    t = await startAppUnderTest();
  });
  afterAll(() => t.close());

  const post = async (activity: Record<string, unknown>, as: 'dsl' | 'teacher' = 'dsl') => {
    const person = keyPeople(t.school)[as];
    const res = await fetch(`${t.app.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        id: `a-${randomUUID()}`,
        channelId: 'msteams',
        serviceUrl: 'http://127.0.0.1:9/',
        from: { id: `29:${as}`, aadObjectId: person.id, name: person.displayName },
        recipient: { id: '28:bot' },
        conversation: { id: `19:${randomUUID()}@thread.v2`, conversationType: 'groupChat', tenantId: t.school.tenantId },
        channelData: { tenant: { id: t.school.tenantId } },
        ...activity,
      }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as any) : undefined };
  };
  const execute = (verb: string, data: unknown, as: 'dsl' | 'teacher' = 'dsl') =>
    post({ type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data } } }, as);
  const incidents = async () => (await t.app.storage.db.selectFrom('incident').select('id').execute()).length;

  it('answers an incident action with a null or missing incident id with a 400 card error, not a 500', async () => {
    for (const data of [{ incidentId: null }, {}, { incidentId: 42 }]) {
      const { status, body } = await execute('incident.acknowledge', data);
      expect(status).toBe(400);
      expect(body).toEqual({
        statusCode: 400,
        type: 'application/vnd.microsoft.error',
        value: { code: 'BadRequest', message: expect.stringMatching(/^Please check: incidentId: /) },
      });
    }
  });

  it('answers the DSL acting on an incident that does not exist with 404, not a foreign-key error', async () => {
    const { status, body } = await execute('incident.acknowledge', { incidentId: randomUUID() });
    expect(status).toBe(404);
    expect(body).toEqual({ statusCode: 404, type: 'application/vnd.microsoft.error', value: { code: 'NotFound', message: 'No incident has that id.' } });
  });

  it('refuses a report card whose fields have the wrong types, writing nothing', async () => {
    const before = await incidents();
    const { body } = await execute('incident.submit', { submissionId: randomUUID(), kind: 'contact/grooming', whatHappened: 12345, illegal: null }, 'teacher');
    expect(body).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest' } });
    expect(await incidents()).toBe(before);
  });

  it('refuses a lesson form whose fields have the wrong types, clearly, creating no lesson', async () => {
    const lessons = async () => (await t.app.storage.db.selectFrom('lesson').select('id').execute()).length;
    const before = await lessons();
    for (const data of [
      { submissionId: randomUUID(), classId: { id: 'x' }, title: 'Macbeth' },
      { submissionId: 42, classId: 'c1' },
      { submissionId: randomUUID(), classId: 'c1', when: 'later', date: { y: 2027 }, time: 9 },
    ]) {
      const { status, body } = await execute('lesson.start', data, 'teacher');
      expect(status).toBe(400);
      expect(body).toMatchObject({
        statusCode: 400,
        type: 'application/vnd.microsoft.error',
        value: { code: 'BadRequest', message: expect.stringMatching(/^Please check: (classId|submissionId|date|time): /) },
      });
    }
    expect(await lessons()).toBe(before);
  });

  it('refuses an accept with no policy version id, clearly', async () => {
    const { body } = await execute('aup.accept', { versionId: null }, 'teacher');
    expect(body).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error', value: { message: expect.stringMatching(/versionId/) } });
  });

  it.each([
    ['adaptiveCard/action', null],
    ['composeExtension/submitAction', null],
    ['composeExtension/submitAction', { commandId: 7 }],
    ['composeExtension/fetchTask', 'reportMessage'],
  ])('answers a malformed %s invoke with 400, not 500', async (name, value) => {
    const { status, body } = await post({ type: 'invoke', name, value });
    expect(status).toBe(400);
    expect(body).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error', value: { message: expect.any(String) } });
  });

  it('answers task modules and unknown invokes plainly, never 501', async () => {
    expect((await post({ type: 'invoke', name: 'task/fetch', value: { data: {} } })).body).toEqual({
      task: { type: 'message', value: 'That dialog is not known.' },
    });
    expect((await post({ type: 'invoke', name: 'composeExtension/query', value: {} })).status).toBe(400);
  });

  it('leaves out a reported message time that is not a date', async () => {
    const { body } = await post({
      type: 'invoke',
      name: 'composeExtension/fetchTask',
      value: {
        commandId: 'reportMessage',
        messagePayload: { body: { content: 'hi' }, from: { user: { displayName: 'X' } }, createdDateTime: 'yesterday-ish' },
      },
    });
    expect(JSON.stringify(body.task.value.card.content)).toContain('Reported message from X:');
  });

  describe("the school's tenant only", () => {
    const foreign = '99999999-8888-4777-a666-555555555555';

    it('answers an invoke from another tenant with 403 and records nothing', async () => {
      const before = await incidents();
      const { status, body } = await post({
        type: 'invoke',
        name: 'composeExtension/submitAction',
        conversation: { id: '19:foreign@thread.v2', conversationType: 'groupChat', tenantId: foreign },
        channelData: { tenant: { id: foreign } },
        value: {
          commandId: 'reportMessage',
          data: { submissionId: randomUUID(), kind: 'contact/grooming', whatHappened: 'Someone from outside the school asks for photos.' },
        },
      });
      expect(status).toBe(403);
      expect(body).toMatchObject({ type: 'application/vnd.microsoft.error', value: { code: 'Forbidden' } });
      expect(await incidents()).toBe(before);
      expect(await t.app.storage.db.selectFrom('conversation_reference').selectAll().where('conversation_id', '=', '19:foreign@thread.v2').execute()).toEqual(
        [],
      );
    });

    it('ignores a message from another tenant: no reference kept, nothing sent', async () => {
      const { status } = await post({
        type: 'message',
        text: 'help',
        conversation: { id: 'a:foreign-personal', conversationType: 'personal', tenantId: foreign },
        channelData: { tenant: { id: foreign } },
      });
      expect(status).toBeLessThan(300);
      expect(await t.app.storage.db.selectFrom('conversation_reference').selectAll().where('conversation_id', '=', 'a:foreign-personal').execute()).toEqual([]);
    });

    it("keeps a conversation only for people in the school's directory", async () => {
      const open = (aadObjectId: string, conversationId: string) =>
        post({
          type: 'invoke',
          name: 'composeExtension/fetchTask',
          from: { id: '29:x', aadObjectId },
          conversation: { id: conversationId, conversationType: 'groupChat', tenantId: t.school.tenantId },
          value: { commandId: 'reportMessage', messagePayload: {} },
        });
      await open(randomUUID(), '19:stranger@thread.v2');
      await open(keyPeople(t.school).teacher.id, '19:teacher@thread.v2');
      const kept = (await t.app.storage.db.selectFrom('conversation_reference').select('conversation_id').execute()).map((r) => r.conversation_id);
      expect(kept).toContain('19:teacher@thread.v2');
      expect(kept).not.toContain('19:stranger@thread.v2');
    });
  });

  it('holds a person to the same write allowance through the bot as through the tab', async () => {
    const answers: string[] = [];
    for (let i = 0; i < 40; i++) {
      const { body } = await post(
        {
          type: 'invoke',
          name: 'composeExtension/submitAction',
          value: {
            commandId: 'reportMessage',
            data: { submissionId: randomUUID(), kind: 'conduct/cyberbullying', whatHappened: `Unkind messages in the class chat, number ${i}.` },
          },
        },
        'teacher',
      );
      answers.push(body.task.value);
    }
    expect(answers.filter((a) => a.startsWith('Thank you')).length).toBeLessThanOrEqual(30);
    expect(answers.at(-1)).toMatch(/^Too many requests\. Please wait \d+ seconds?/);
  });
});
