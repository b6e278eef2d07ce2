import { ActivityTypes, TestAdapter, type Activity } from 'botbuilder';
import pino from 'pino';
import { z } from 'zod';
import { aupCardActions } from '../src/aup/cards/aup-card-actions';
import { aupCard } from '../src/aup/cards/aup-card';
import { cardActions } from '../src/cards/card-actions';
import { Conflict, InvalidInput, NotAllowed, NotFound, RefusedByPolicy, Unavailable } from '../src/errors/domain-errors';
import { incidentCardActions } from '../src/incidents/cards/incident-card-actions';
import { incidentCard } from '../src/incidents/cards/incident-card';
import { reportCard } from '../src/incidents/cards/report-card';
import { lessonCardActions } from '../src/lessons/cards/lesson-card-actions';
import { lessonFormCard } from '../src/lessons/cards/lesson-cards';
import type { Person } from '../src/school/school-directory';
import { TooManyRequests } from '../src/server/rate-limits';
import { ConversationReferences } from '../src/storage/conversation-references';
import { sqliteStorage, type TestStorage } from '../test/support/storages';
import { invokeAnswerFor, sentenceFor } from './bot-errors';
import { BotRouter, personOf, type BotTurn } from './card-action-router';
import { ESafetyBot } from './esafety-bot';
import { amy } from '../test/support/teacher-amy';

/** Every Action.Execute verb anywhere in a card (body, action sets, actions). */
function verbsOn(card: unknown): string[] {
  if (Array.isArray(card)) return card.flatMap(verbsOn);
  if (!card || typeof card !== 'object') return [];
  const node = card as Record<string, unknown>;
  return [...(node.type === 'Action.Execute' && typeof node.verb === 'string' ? [node.verb] : []), ...Object.values(node).flatMap(verbsOn)];
}

describe("each feature's card actions are one typed contract", () => {
  it("every button on a feature's cards has its verb in the feature's contract, and every verb a button", () => {
    const view = {
      id: 'i1',
      category: 'content',
      subCategory: 'sgii',
      whatHappened: 'x',
      when: '2026-11-23T10:00:00Z',
      where: '',
      involved: [],
      urgent: false,
      guidance: [],
      status: 'new' as const,
      history: [],
    };
    const onCards = {
      incident: [...verbsOn(incidentCard(view)), ...verbsOn(reportCard('s1'))],
      aup: verbsOn(aupCard({ versionId: 'staff-aup@1', title: 'Staff AUP', version: 1, clauses: ['Be kind'], textUrl: 'https://x.example/aup' })),
      lesson: verbsOn(lessonFormCard('s1', [{ id: 'c1', displayName: '7X English' }])),
    };
    expect(new Set(onCards.incident)).toEqual(new Set(incidentCardActions.verbs));
    expect(new Set(onCards.aup)).toEqual(new Set(aupCardActions.verbs));
    expect(new Set(onCards.lesson)).toEqual(new Set(lessonCardActions.verbs));
  });
});

describe('the bot router', () => {
  const planted = cardActions('plant', { 'plant.water': z.object({ litres: z.number().max(5) }) });
  const turn = (person: Person | undefined = amy): BotTurn & { sent: unknown[] } => {
    const sent: unknown[] = [];
    return { context: {} as never, person, sent, send: async (m) => void sent.push(m) };
  };

  it("checks a verb's data with its contract before the handler runs", async () => {
    const watered: number[] = [];
    const router = new BotRouter().cardActions(planted, { 'plant.water': async ({ litres }) => (watered.push(litres), { message: `${litres} l` }) });
    expect(await router.cardAction(amy, 'plant.water', { litres: 'lots' })).toMatchObject({
      statusCode: 400,
      type: 'application/vnd.microsoft.error',
      value: { code: 'BadRequest', message: expect.stringMatching(/^Please check: litres: /) },
    });
    expect(watered).toEqual([]);
    expect(await router.cardAction(amy, 'plant.water', { litres: 2 })).toEqual({
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
      value: '2 l',
    });
    expect(watered).toEqual([2]);
  });

  it('answers a verb no feature declares, and someone not in the directory, without running a handler', async () => {
    const router = new BotRouter().cardActions(planted, { 'plant.water': async () => fail('must not run') });
    expect(await router.cardAction(amy, 'plant.prune', {})).toMatchObject({ statusCode: 200, value: 'That button is not known any more.' });
    expect(await router.cardAction(amy, 'incident.close', {})).toMatchObject({ statusCode: 200, value: 'That button is not known any more.' });
    expect(await router.cardAction(undefined, 'plant.water', { litres: 1 })).toEqual({
      statusCode: 403,
      type: 'application/vnd.microsoft.error',
      value: { code: 'Forbidden', message: 'Sorry: you are not in this school’s directory.' },
    });
  });

  it("a command's domain error is said to the person as a sentence", async () => {
    const router = new BotRouter().command({ command: 'policies', description: 'p', run: async (t) => void personOf(t) });
    const stranger = { ...turn(), person: undefined, sent: [] as unknown[] };
    stranger.send = async (m) => void stranger.sent.push(m);
    expect(await router.runCommand(stranger, 'Policies', '')).toBe(true);
    expect(stranger.sent).toEqual(['Sorry: you are not in this school’s directory.']);
    expect(await router.runCommand(stranger, 'sing', '')).toBe(false);
  });

  it('refuses to route one feature or one command twice', () => {
    expect(() =>
      new BotRouter()
        .cardActions(planted, { 'plant.water': async () => ({ message: '' }) })
        .cardActions(planted, { 'plant.water': async () => ({ message: '' }) }),
    ).toThrow(/twice/);
    expect(() =>
      new BotRouter()
        .command({ command: 'x', description: '', run: async () => undefined })
        .command({ command: 'x', description: '', run: async () => undefined }),
    ).toThrow(/twice/);
  });
});

describe('bot-errors: a domain error becomes the bot’s answer in one place', () => {
  it.each([
    ['invalid', new InvalidInput('note: write the note first'), 400, 'BadRequest', 'Please check: note: write the note first.'],
    ['not-allowed', new NotAllowed('lessons are started by teachers'), 403, 'Forbidden', 'Sorry: lessons are started by teachers.'],
    ['not-found', new NotFound('no incident has that id'), 404, 'NotFound', 'No incident has that id.'],
    ['conflict', new Conflict('an audit is already running'), 409, 'Conflict', 'An audit is already running.'],
    [
      'refused',
      new RefusedByPolicy('This lesson would include people outside the school.'),
      422,
      'RefusedByPolicy',
      'This lesson would include people outside the school.',
    ],
    [
      'unavailable',
      new Unavailable('Lessons are not available: please ask the IT team.'),
      503,
      'ServiceUnavailable',
      'Lessons are not available: please ask the IT team.',
    ],
  ])('%s', (_kind, error, statusCode, code, sentence) => {
    expect(sentenceFor(error)).toBe(sentence);
    expect(invokeAnswerFor(error)).toEqual({ statusCode, type: 'application/vnd.microsoft.error', value: { code, message: sentence } });
  });

  it('a rate limit is 429 with its wait; anything else is a fault and is rethrown, never shown', () => {
    expect(invokeAnswerFor(new TooManyRequests(3))).toMatchObject({
      statusCode: 429,
      value: { code: 'TooManyRequests', message: expect.stringMatching(/wait 3 seconds/) },
    });
    const fault = new Error('relation "incident" does not exist');
    expect(() => invokeAnswerFor(fault)).toThrow(fault);
    expect(() => sentenceFor(fault)).toThrow(fault);
  });
});

describe('the bot looks the sender up once per activity', () => {
  let t: TestStorage;
  let lookups: string[];
  let adapter: TestAdapter;
  const tenantId = 'b1f0c9a2-5d4e-4c3b-9a8f-0e1d2c3b4a50';
  const from = { id: 'user1', name: 'Amy Clarke', aadObjectId: 'aad-amy' };
  const envelope = { from, conversation: { id: 'c1', conversationType: 'personal', tenantId }, channelData: { tenant: { id: tenantId } } };

  beforeEach(async () => {
    t = await sqliteStorage();
    lookups = [];
    const router = new BotRouter()
      .command({ command: 'whoami', description: 'who', run: async (turn) => turn.send(personOf(turn).displayName) })
      .cardActions(cardActions('plant', { 'plant.water': z.object({}) }), {
        'plant.water': async (_data, turn) => ({ message: `watered by ${turn.person.displayName}` }),
      });
    const bot = new ESafetyBot({
      schoolName: 'Demo Academy',
      tenantId,
      personOf: async (id) => (lookups.push(id), id === 'aad-amy' ? amy : undefined),
      conversations: new ConversationReferences(t.storage.db),
      logger: pino({ level: 'silent' }),
      router,
    });
    adapter = new TestAdapter(async (context) => bot.run(context));
  });
  afterEach(() => t.dispose());

  it('for a command: the conversation is kept and the command answered with one lookup', async () => {
    await adapter.send({ type: ActivityTypes.Message, text: 'whoami', ...envelope } as Partial<Activity>).assertReply((a) => expect(a.text).toBe('Amy Clarke'));
    expect(lookups).toEqual(['aad-amy']);
  });

  it('for a card action: the handler is given the person found once', async () => {
    await adapter
      .send({
        type: ActivityTypes.Invoke,
        name: 'adaptiveCard/action',
        value: { action: { type: 'Action.Execute', verb: 'plant.water', data: {} } },
        ...envelope,
      } as Partial<Activity>)
      .assertReply((a) => {
        expect(a.type).toBe(ActivityTypes.InvokeResponse);
        expect((a.value as { body: unknown }).body).toEqual({
          statusCode: 200,
          type: 'application/vnd.microsoft.activity.message',
          value: 'watered by Amy Clarke',
        });
      });
    expect(lookups).toEqual(['aad-amy']);
  });

  it('greets a person who says hello, by name, instead of "I don\'t know" (#13)', async () => {
    for (const hello of ['hello', 'Hi!', 'hey there', 'Good morning']) {
      await adapter
        .send({ type: ActivityTypes.Message, text: hello, ...envelope } as Partial<Activity>)
        .assertReply((a) => expect(a.text).toBe('Hello Amy. Type **help** to see what I can do.'));
    }
    expect(adapter.activeQueue).toHaveLength(0);
  });
});
