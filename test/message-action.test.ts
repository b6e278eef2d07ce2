import { keyPeople } from '../src/demo-tenant/school-generator';
import { startAppUnderTest, type AppUnderTest } from './support/running-app';

/** "Report a concern" on a Teams message, as Teams invokes it, through the real bot endpoint. */
describe('the Report a concern message action', () => {
  let t: AppUnderTest;
  beforeAll(async () => {
    t = await startAppUnderTest();
  });
  afterAll(() => t.close());

  const invoke = async (name: string, value: unknown) => {
    const teacher = keyPeople(t.school).teacher;
    const res = await fetch(`${t.app.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'invoke',
        name,
        id: `a-${Math.random()}`,
        channelId: 'msteams',
        serviceUrl: 'http://127.0.0.1:9/',
        from: { id: '29:teacher', aadObjectId: teacher.id, name: teacher.displayName },
        recipient: { id: '28:bot' },
        conversation: { id: '19:chat@thread.v2', conversationType: 'groupChat', tenantId: t.school.tenantId },
        value,
      }),
    });
    return { status: res.status, body: (await res.json()) as { task: { type: string; value: any } } };
  };

  it('opens the report form prefilled with the message, its author, time and link', async () => {
    const { status, body } = await invoke('composeExtension/fetchTask', {
      commandId: 'reportMessage',
      commandContext: 'message',
      messagePayload: {
        body: { content: '<p>send me a photo &amp; don&#39;t tell anyone</p>' },
        from: { user: { displayName: 'Unknown Adult' } },
        createdDateTime: '2026-11-23T21:14:00Z',
        linkToMessage: 'https://teams.microsoft.com/l/message/19:chat/1700000000000',
      },
    });
    expect(status).toBe(200);
    expect(body.task.type).toBe('continue');
    const card = JSON.stringify(body.task.value.card.content);
    expect(card).toContain('Reported message from Unknown Adult at 2026-11-23 21:14');
    expect(card).toContain('send me a photo & don');
    expect(card).toContain('https://teams.microsoft.com/l/message/19:chat/1700000000000');
    expect(card).toContain('Action.Submit');
  });

  it('records the concern once and thanks the reporter', async () => {
    const data = {
      submissionId: '0c8e5c1e-5d7a-4e43-9a55-2b4a4a4b9f01',
      kind: 'contact/grooming',
      whatHappened: 'Reported message from Unknown Adult asking a pupil for photos.',
      about: 'no',
      illegal: 'true',
    };
    const first = await invoke('composeExtension/submitAction', { commandId: 'reportMessage', data });
    expect(first.body).toEqual({ task: { type: 'message', value: 'Thank you. Your concern has been passed to the safeguarding team.' } });
    await invoke('composeExtension/submitAction', { commandId: 'reportMessage', data });
    const rows = await t.app.storage.db.selectFrom('incident').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ sub_category: 'grooming', urgent: 1 });
  });

  it('asks again, naming the field, when the report is incomplete', async () => {
    const { body } = await invoke('composeExtension/submitAction', {
      commandId: 'reportMessage',
      data: { submissionId: '0c8e5c1e-5d7a-4e43-9a55-2b4a4a4b9f02', kind: 'conduct/cyberbullying', whatHappened: 'short' },
    });
    expect(body.task.value).toMatch(/^Please check: whatHappened/);
  });
});
