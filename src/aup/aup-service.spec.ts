import { useDemoGraph } from '../../test/support/demo-graph';
import { aupWorld } from '../../test/support/aup-world';
import { cardProblems } from '../../test/support/adaptive-card-check';
import { eventually } from '../../test/support/eventually';
import { engines, type TestStorage } from '../../test/support/storages';
import { keyPeople } from '../demo-tenant/school-generator';
import { GraphAppInstaller } from '../notify/app-installer';
import { RecordingNotifier, Throttled, type Notifier } from '../notify/notifier';
import type { Person } from '../school/school-directory';
import { AuditLog } from '../storage/audit-log';
import { NotAllowed } from './aup-service';

const DAY = 86_400_000;

/** Policy 001 "Data Security": "we have a system so we know who has signed". */
describe.each(engines)('the acceptable use policy on %s', (_name, open) => {
  const ctx = useDemoGraph();
  let t: TestStorage;
  let notifier: RecordingNotifier;
  const people: Record<string, Person> = {};
  beforeEach(async () => {
    t = await open();
    notifier = new RecordingNotifier();
    const w = aupWorld(t.storage, ctx.graph, notifier);
    for (const [key, u] of Object.entries(keyPeople(ctx.school))) people[key] = (await w.directory.person(u.id))!;
  });
  afterEach(() => t.dispose());

  const staffCount = () => ctx.school.groups.find((g) => g.mail.startsWith('allstaff'))!.memberIds.length;
  const cardsTo = (n: RecordingNotifier, id: string) => n.sent.filter((s) => s.to === id);

  it('asks every member of staff, once, with a valid card showing the key clauses', async () => {
    const w = aupWorld(t.storage, ctx.graph, notifier);
    const { version, queued } = await w.service.publish('staff-aup', {}, people.itAdmin!);
    expect(version).toMatchObject({ id: 'staff-aup@1', version: 1 });
    expect(queued).toBe(staffCount());
    await w.campaigns.pump();
    expect(notifier.sent).toHaveLength(staffCount());
    expect(new Set(notifier.sent.map((s) => s.to)).size).toBe(staffCount());
    const card = cardsTo(notifier, people.teacher!.id)[0]!.card;
    expect(cardProblems(card)).toEqual([]);
    expect(JSON.stringify(card)).toContain('I will only use the school');
    // Publishing the same text again is the same version and asks nobody twice.
    expect((await w.service.publish('staff-aup', {}, people.itAdmin!)).created).toBe(false);
    await w.campaigns.pump();
    expect(notifier.sent).toHaveLength(staffCount());
  });

  it('records one acceptance however often "I accept" is pressed, with the text digest, in the audit log', async () => {
    const w = aupWorld(t.storage, ctx.graph, notifier);
    const { version } = await w.service.publish('staff-aup', {}, people.itAdmin!);
    const clicks = await Promise.all([1, 2, 3].map(() => w.service.accept(version.id, people.teacher!, 'teams-card')));
    expect(clicks.filter((c) => c.created)).toHaveLength(1);
    const rows = await t.storage.db.selectFrom('acceptance').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ person_id: people.teacher!.id, upn: people.teacher!.userPrincipalName, version: 1, text_hash: version.text_hash });
    expect(JSON.stringify(clicks[0]!.card)).toContain('Accepted version 1 on 2026-11-23');
    expect((await new AuditLog(t.storage.db).list({ subjectType: 'policy-version' })).map((e) => e.action)).toEqual(['policy.accepted']);
    await expect(t.storage.db.deleteFrom('acceptance').execute()).rejects.toMatchObject({ message: expect.stringMatching(/append-only/) });
  });

  it('asks again when the policy changes', async () => {
    let text = `${'Staff AUP. '.repeat(3)}\n1. Use school systems only.\n`;
    const w = aupWorld(t.storage, ctx.graph, notifier, { readPolicy: () => text });
    const v1 = (await w.service.publish('staff-aup', {}, people.itAdmin!)).version;
    await w.service.accept(v1.id, people.teacher!, 'teams-card');
    text += '2. Record every lesson.\n';
    const v2 = (await w.service.publish('staff-aup', {}, people.itAdmin!)).version;
    expect(v2.version).toBe(2);
    const mine = await w.service.myPolicies(people.teacher!);
    expect(mine.find((p) => p.policyId === 'staff-aup')).toMatchObject({ version: 2, status: 'pending' });
    await w.campaigns.pump();
    expect(cardsTo(notifier, people.teacher!.id).map((s) => JSON.stringify(s.card).includes('Version 2'))).toContain(true);
    // The old version can no longer be accepted.
    await expect(w.service.accept(v1.id, people.teacher!, 'teams-card')).rejects.toThrow(/replaced by version 2/);
  });

  it('asks students again each term (policy 002 "Communication": the AUP is agreed termly)', async () => {
    const w = aupWorld(t.storage, ctx.graph, notifier);
    const { version } = await w.service.publish('student-aup', {}, people.itAdmin!);
    await w.service.accept(version.id, people.student!, 'teams-card');
    expect((await w.service.myPolicies(people.student!))[0]).toMatchObject({ status: 'accepted' });
    w.clock.now = new Date('2027-01-05T09:00:00Z');
    expect((await w.service.myPolicies(people.student!))[0]).toMatchObject({ status: 'pending' });
    const again = await w.service.accept(version.id, people.student!, 'teams-card');
    expect(again.created).toBe(true);
    expect(await t.storage.db.selectFrom('acceptance').selectAll().execute()).toHaveLength(2);
  });

  it('reminds someone who has not accepted after 3 and 7 days, and not someone who has; then tells their line manager', async () => {
    const w = aupWorld(t.storage, ctx.graph, notifier);
    const { version } = await w.service.publish('staff-aup', {}, people.itAdmin!);
    await w.campaigns.pump();
    await w.service.accept(version.id, people.dsl!, 'teams-card');
    const sentBefore = notifier.sent.length;

    w.clock.now = new Date(w.clock.now.getTime() + 3 * DAY + 60_000);
    await w.campaigns.pump();
    const reminders = notifier.sent.slice(sentBefore);
    expect(reminders.map((s) => s.to)).toContain(people.teacher!.id);
    expect(reminders.map((s) => s.to)).not.toContain(people.dsl!.id);
    expect(JSON.stringify(cardsTo(notifier, people.teacher!.id).at(-1)!.card)).toContain('Reminder: please read and accept by 2026-12-07');

    w.clock.now = new Date(w.clock.now.getTime() + 11 * DAY);
    const beforeDeadline = notifier.sent.length;
    await w.campaigns.pump();
    // The head is every teacher's line manager in the demo school: she hears who is overdue, in
    // one card naming them all.
    const toHead = notifier.sent.slice(beforeDeadline).filter((s) => s.to === people.headteacher!.id && s.summary.includes('not accepted'));
    expect(toHead).toHaveLength(1);
    expect(toHead[0]!.summary).toBe(`${staffCount() - 2} people have not accepted ${version.title}`);
    expect(cardProblems(toHead[0]!.card)).toEqual([]);
    expect(JSON.stringify(toHead[0]!.card)).toContain('- Amy Clarke');
    expect(JSON.stringify(toHead[0]!.card)).not.toContain('Daniel Okafor');
    // She has no line manager herself: the admins hear about her.
    const toAdmin = notifier.sent.slice(beforeDeadline).filter((s) => s.to === people.itAdmin!.id && s.summary.includes('not accepted'));
    expect(toAdmin.map((s) => s.summary)).toEqual([`Helen Carter has not accepted ${version.title}`]);
    const coverage = await w.service.coverage('staff-aup', people.itAdmin!);
    expect(coverage.people.find((p) => p.personId === people.teacher!.id)!.status).toBe('overdue');
    expect(coverage.people.find((p) => p.personId === people.dsl!.id)!.status).toBe('accepted');
  });

  it('carries on after a crash mid-campaign: nobody missed, nobody asked twice', async () => {
    // The process dies during its 21st send: that send never returns, and nothing after it runs.
    let sends = 0;
    const dying: Notifier = {
      sendToPerson: (to, card, summary) => (++sends > 20 ? new Promise(() => undefined) : notifier.sendToPerson(to, card, summary)),
    };
    const first = aupWorld(t.storage, ctx.graph, dying, { settings: { concurrency: 1 } });
    await first.service.publish('staff-aup', {}, people.itAdmin!);
    void first.campaigns.pump();
    await eventually(() => sends > 20, 'the 21st send');
    expect(notifier.sent).toHaveLength(20);
    expect(await t.storage.db.selectFrom('campaign_delivery').select('status').where('status', '=', 'sending').execute()).toHaveLength(1);

    // The restarted process (a new world on the same database) finishes the job once the dead
    // process's claim has lapsed.
    const restarted = aupWorld(t.storage, ctx.graph, notifier);
    restarted.clock.now = new Date(restarted.clock.now.getTime() + 5 * 60_000);
    await restarted.campaigns.pump();
    const cards = notifier.sent.filter((s) => s.summary.startsWith('Please read'));
    expect(cards).toHaveLength(staffCount());
    expect(new Set(cards.map((s) => s.to)).size).toBe(staffCount());
  });

  it('waits when Teams says 429 and sends later, never failing the campaign', async () => {
    let throttledOnce = false;
    const throttling: Notifier = {
      sendToPerson: async (to, card, summary) => {
        if (!throttledOnce) {
          throttledOnce = true;
          throw new Throttled(7_000);
        }
        return notifier.sendToPerson(to, card, summary);
      },
    };
    const w = aupWorld(t.storage, ctx.graph, throttling, { settings: { concurrency: 1 } });
    await w.service.publish('staff-aup', {}, people.itAdmin!);
    const first = await w.campaigns.pump();
    expect(first.deferred).toBe(1);
    expect(notifier.sent).toHaveLength(staffCount() - 1);
    w.clock.now = new Date(w.clock.now.getTime() + 7_000);
    await w.campaigns.pump();
    expect(new Set(notifier.sent.map((s) => s.to)).size).toBe(staffCount());
  });

  it('installs the app for someone the bot cannot reach yet, then sends their card once Teams has told the bot', async () => {
    const reachable = new Set<string>();
    const onlyReachable: Notifier = {
      sendToPerson: async (to, card, summary) => (reachable.has(to) ? notifier.sendToPerson(to, card, summary) : 'no-conversation'),
    };
    const w = aupWorld(t.storage, ctx.graph, onlyReachable, { installer: new GraphAppInstaller(ctx.graph, 'catalog-app-id') });
    await w.service.publish('staff-aup', {}, people.itAdmin!);
    await w.campaigns.pump();
    expect(ctx.school.appInstalledFor.has(people.teacher!.id)).toBe(true);
    expect(notifier.sent).toHaveLength(0);
    // Teams has created her chat with the bot (the installation event stored it).
    reachable.add(people.teacher!.id);
    w.clock.now = new Date(w.clock.now.getTime() + 2 * 60_000);
    await w.campaigns.pump();
    expect(cardsTo(notifier, people.teacher!.id)).toHaveLength(1);
    // Someone whose chat never appears is listed as unreachable after three tries, not retried for ever.
    for (let i = 0; i < 3; i++) {
      w.clock.now = new Date(w.clock.now.getTime() + 2 * 60_000);
      await w.campaigns.pump();
    }
    const coverage = await w.service.coverage('staff-aup', people.itAdmin!);
    expect(coverage.people.find((p) => p.personId === people.dsl!.id)!.status).toBe('unreachable');
  });

  it('sends a new joiner the card of the running campaign', async () => {
    const w = aupWorld(t.storage, ctx.graph, notifier);
    await w.service.publish('staff-aup', {}, people.itAdmin!);
    await w.campaigns.pump();
    const staffGroup = ctx.school.groups.find((g) => g.mail.startsWith('allstaff'))!;
    const newcomer = ctx.school.users.find((u) => u.role === 'governor' && !staffGroup.memberIds.includes(u.id))!;
    staffGroup.memberIds.push(newcomer.id);
    try {
      const fresh = aupWorld(t.storage, ctx.graph, notifier);
      expect(await fresh.campaigns.enrolJoiners()).toBe(1);
      await fresh.campaigns.pump();
      expect(cardsTo(notifier, newcomer.id)).toHaveLength(1);
      expect(await fresh.campaigns.enrolJoiners()).toBe(0);
    } finally {
      staffGroup.memberIds.pop();
    }
  });

  it('shows coverage to admins and the head only; a student gets NotAllowed', async () => {
    const w = aupWorld(t.storage, ctx.graph, notifier);
    const { version } = await w.service.publish('staff-aup', {}, people.itAdmin!);
    await w.service.accept(version.id, people.teacher!, 'tab');
    const coverage = await w.service.coverage('staff-aup', people.headteacher!);
    expect(coverage.counts.staff).toMatchObject({ accepted: 1, pending: staffCount() - 1 });
    expect(coverage.overTime).toEqual([{ day: '2026-11-23', accepted: 1 }]);
    await expect(w.service.coverage('staff-aup', people.student!)).rejects.toThrow(NotAllowed);
    await expect(w.service.publish('staff-aup', {}, people.teacher!)).rejects.toThrow(NotAllowed);
    expect(await w.service.acceptancesCsv('staff-aup', people.itAdmin!)).toMatch(/^policy,version,personId,upn,acceptedAt,channel,textSha256\r\nstaff-aup,1,/);
  });

  it('does not let a student accept the staff AUP', async () => {
    const w = aupWorld(t.storage, ctx.graph, notifier);
    const { version } = await w.service.publish('staff-aup', {}, people.itAdmin!);
    await expect(w.service.accept(version.id, people.student!, 'tab')).rejects.toThrow(NotAllowed);
  });
});
