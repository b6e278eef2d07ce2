import { aupWorld } from '../../test/support/aup-world';
import { cardProblems } from '../../test/support/adaptive-card-check';
import { useDemoGraph } from '../../test/support/demo-graph';
import { engines, type TestStorage } from '../../test/support/storages';
import { keyPeople } from '../demo-tenant/school-generator';
import type { AdaptiveCardJson } from '../cards/render-card';
import { RecordingNotifier, type Delivery } from '../notify/notifier';
import { DIGEST_CARD_MAX_CHARS, DIGEST_MAX_CARDS, overdueDigestCards } from './cards/aup-card';

const DAY = 86_400_000;
const STAFF = 2_000;

/** The list of people a digest card names, one line each. */
const listed = (card: AdaptiveCardJson) => (card.body as Array<{ id?: string; text: string }>).find((b) => b.id === 'people')!.text.split('\r');

/** Chats as Teams has them: some people never opened one with the bot, and a card can fail to go. */
class SchoolChats extends RecordingNotifier {
  readonly noChat = new Set<string>();
  /** The card (1st, 2nd, ...) to someone that fails once, as a 502 from Bot Framework would. */
  readonly failing = new Map<string, number>();
  private readonly tried = new Map<string, number>();
  override async sendToPerson(to: string, card: AdaptiveCardJson, summary: string): Promise<Delivery> {
    if (this.noChat.has(to)) return 'no-conversation';
    const n = (this.tried.get(to) ?? 0) + 1;
    this.tried.set(to, n);
    if (this.failing.get(to) === n) {
      this.failing.delete(to);
      throw new Error('502 Bad Gateway');
    }
    return super.sendToPerson(to, card, summary);
  }
}

/**
 * Policy 001 "Data Security": "we know who has signed", and someone acts on who has not. At a
 * school of 2,000 staff where nobody has a line manager in Entra and nobody accepted by the
 * deadline, the admins hear about everyone, in a few cards each, not 2,000 cards each (Teams lets
 * a bot send 1,800 messages an hour to one chat: msteams-docs bots/how-to/rate-limit.md).
 */
describe.each(engines)('overdue notices as digests on %s', (_name, open) => {
  const ctx = useDemoGraph({ size: { staff: STAFF, students: 30, governors: 5 } });
  let t: TestStorage;
  let notifier: SchoolChats;
  let admins: string[];
  let staff: Array<{ id: string; displayName: string; userPrincipalName: string; managerId: string | null }>;
  beforeAll(() => {
    for (const u of ctx.school.users) u.managerId = null;
    staff = ctx.school.users.filter((u) => u.role === 'staff');
    // Three IT admins, each in their own chat with the bot.
    const group = ctx.school.groups.find((g) => g.mail.startsWith('itadmins'))!;
    group.memberIds.push(staff[10]!.id, staff[11]!.id);
    admins = [...group.memberIds];
  });
  beforeEach(async () => {
    t = await open();
    notifier = new SchoolChats();
  });
  afterEach(() => t.dispose());

  /** Publishes the staff AUP and moves to just past its deadline, the cards and reminders gone out. */
  async function pastTheDeadline(settings: { overdueNotify: 'manager' | 'admins' }) {
    const w = aupWorld(t.storage, ctx.graph, notifier, { settings });
    const itAdmin = (await w.directory.person(keyPeople(ctx.school).itAdmin.id))!;
    expect((await w.service.publish('staff-aup', {}, itAdmin)).queued).toBe(STAFF);
    // The cards and reminders went out (not what this is about): only the overdue notices are due.
    await t.storage.db.updateTable('campaign_delivery').set({ status: 'sent' }).where('kind', '!=', 'overdue').execute();
    w.clock.now = new Date(w.clock.now.getTime() + 14 * DAY + 60_000);
    return w;
  }

  it('sends each admin a few digest cards naming all 2,000 overdue people, asking the directory once per person', async () => {
    const w = await pastTheDeadline({ overdueNotify: 'manager' });
    const before = ctx.graph.stats.requests;
    const outcome = await w.campaigns.pump();
    const graphCalls = ctx.graph.stats.requests - before;

    expect(outcome).toMatchObject({ sent: STAFF, deferred: 0 });
    expect(new Set(notifier.sent.map((s) => s.to))).toEqual(new Set(admins));
    for (const admin of admins) {
      const cards = notifier.sent.filter((s) => s.to === admin).map((s) => s.card);
      expect(cards.length).toBeGreaterThanOrEqual(1);
      expect(cards.length).toBeLessThanOrEqual(DIGEST_MAX_CARDS);
      for (const card of cards) {
        expect(cardProblems(card)).toEqual([]);
        expect(JSON.stringify(card).length).toBeLessThanOrEqual(DIGEST_CARD_MAX_CHARS);
      }
      const lines = cards.flatMap(listed);
      expect(lines).toHaveLength(STAFF);
      // Everyone is named; a name two people share comes with each one's sign-in name.
      const named = new Set(lines);
      const unnamed = staff.filter(
        (p) =>
          !named.has(`- ${p.displayName}`) &&
          !named.has(`- ${p.displayName} (${p.userPrincipalName.split('@')[0]})`) &&
          !named.has(`- ${p.displayName} (${p.userPrincipalName})`),
      );
      expect(unnamed).toEqual([]);
    }
    // Each person's manager asked once (none is set), names from one listing of the directory:
    // not a lookup of the person and one of their manager for every row.
    expect(graphCalls).toBeLessThanOrEqual(STAFF + 20);

    // The notices are sent: the next round sends nothing again.
    const sent = notifier.sent.length;
    w.clock.now = new Date(w.clock.now.getTime() + 60_000);
    await w.campaigns.pump();
    expect(notifier.sent).toHaveLength(sent);
  }, 180_000);

  it('asks no one for managers when the school sends overdue notices to its admins', async () => {
    const w = await pastTheDeadline({ overdueNotify: 'admins' });
    const before = ctx.graph.stats.requests;
    await w.campaigns.pump();
    expect(ctx.graph.stats.requests - before).toBeLessThanOrEqual(10);
    for (const admin of admins) expect(notifier.sent.filter((s) => s.to === admin).flatMap((s) => listed(s.card))).toHaveLength(STAFF);
  }, 180_000);

  it('tells each admin about each overdue person once when one card to one admin fails: the retry goes to that admin only, for the people not yet named', async () => {
    const w = await pastTheDeadline({ overdueNotify: 'admins' });
    notifier.failing.set(admins[1]!, 2);
    const first = await w.campaigns.pump();
    expect(first.deferred).toBeGreaterThan(0);
    const firstRound = notifier.sent.length;

    w.clock.now = new Date(w.clock.now.getTime() + 3_600_000);
    const second = await w.campaigns.pump();
    expect(second.deferred).toBe(0);
    expect(new Set(notifier.sent.slice(firstRound).map((s) => s.to))).toEqual(new Set([admins[1]]));

    for (const admin of admins) expect(notifier.sent.filter((s) => s.to === admin).flatMap((s) => listed(s.card))).toHaveLength(STAFF);
    const rows = await t.storage.db.selectFrom('campaign_delivery').select('status').where('kind', '=', 'overdue').execute();
    expect(rows.filter((r) => r.status === 'sent')).toHaveLength(STAFF);
  }, 180_000);

  it('tells the admins, saying why, about the people whose line manager has no chat with the bot', async () => {
    const manager = staff[30]!;
    const managed = staff.slice(20, 25);
    for (const p of managed) p.managerId = manager.id;
    notifier.noChat.add(manager.id);
    try {
      const w = await pastTheDeadline({ overdueNotify: 'manager' });
      expect(await w.campaigns.pump()).toMatchObject({ sent: STAFF, unreachable: 0, deferred: 0 });
      for (const admin of admins) {
        const cards = notifier.sent.filter((s) => s.to === admin).map((s) => s.card);
        const lines = cards.flatMap(listed);
        expect(lines).toHaveLength(STAFF);
        for (const p of managed) expect(lines.some((l) => l.startsWith(`- ${p.displayName}`))).toBe(true);
        expect(JSON.stringify(cards[0])).toContain(`their line manager has no chat with this app yet (${manager.displayName})`);
        expect(JSON.stringify(cards[0])).toContain('no line manager is set in Entra ID');
      }
    } finally {
      for (const p of managed) p.managerId = null;
    }
  }, 180_000);
});

describe('an overdue digest card', () => {
  const view = (n: number) => ({
    title: 'Staff acceptable use policy',
    version: 2,
    deadline: '2026-12-07',
    coverageUrl: 'https://esafety.test/#policies/staff-aup',
    people: Array.from({ length: n }, (_, i) => ({ displayName: `Person ${String(i).padStart(5, '0')}`, userPrincipalName: `p${i}@school.test` })),
  });

  it('names one person in one card, in words', () => {
    const [card, ...rest] = overdueDigestCards(view(1));
    expect(rest).toEqual([]);
    expect(JSON.stringify(card)).toContain('Person 00000 has not accepted it by the deadline, 2026-12-07');
    expect(JSON.stringify(card)).not.toContain('You receive this');
    expect(cardProblems(card!)).toEqual([]);
  });

  it('says why an admin receives it, when they stand in for a line manager', () => {
    const [card] = overdueDigestCards({ ...view(2), why: 'You receive this as an admin because no line manager is set in Entra ID.' });
    expect(JSON.stringify(card)).toContain('You receive this as an admin because no line manager is set in Entra ID.');
    expect(cardProblems(card!)).toEqual([]);
  });

  it('stops at a few cards, each within the size Teams takes, and counts the rest for the policy page', () => {
    const cards = overdueDigestCards(view(20_000));
    expect(cards).toHaveLength(DIGEST_MAX_CARDS);
    for (const card of cards) expect(JSON.stringify(card).length).toBeLessThanOrEqual(DIGEST_CARD_MAX_CHARS);
    const named = cards.flatMap(listed).length;
    expect(JSON.stringify(cards.at(-1))).toContain(`…and ${20_000 - named} more, listed on the policy page.`);
    expect(JSON.stringify(cards[0])).toContain('20,000 people have not accepted it');
    expect(JSON.stringify(cards[0])).toContain(`List 1 of ${DIGEST_MAX_CARDS}`);
  });

  it('adds enough of the sign-in name to tell apart people who share a name, and only to them', () => {
    const lines = listed(
      overdueDigestCards({
        ...view(0),
        people: [
          { displayName: 'Amy Clarke', userPrincipalName: 'amy.clarke@school.test' },
          { displayName: 'Tom Evans', userPrincipalName: 'tom.evans2@school.test' },
          { displayName: 'Tom Evans', userPrincipalName: 'tom.evans@school.test' },
          { displayName: 'Jo Ali', userPrincipalName: 'jo.ali@school.test' },
          { displayName: 'Jo Ali', userPrincipalName: 'jo.ali@students.school.test' },
        ],
      })[0]!,
    );
    expect(lines).toEqual([
      '- Amy Clarke',
      '- Jo Ali (jo.ali@school.test)',
      '- Jo Ali (jo.ali@students.school.test)',
      '- Tom Evans (tom.evans)',
      '- Tom Evans (tom.evans2)',
    ]);
  });
});
