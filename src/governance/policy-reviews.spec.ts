import pino from 'pino';
import { useDemoGraph } from '../../test/support/demo-graph';
import { aupWorld, demoConfig } from '../../test/support/aup-world';
import { engines, type TestStorage } from '../../test/support/storages';
import { keyPeople } from '../demo-tenant/school-generator';
import { RecordingNotifier } from '../notify/notifier';
import type { Person } from '../school/school-directory';
import { cardProblems } from '../../test/support/adaptive-card-check';
import { PolicyReviews, ReviewNotAllowed, type Republish } from './policy-reviews';

const logger = pino({ level: 'silent' });

/** Policies 001 and 003: the policy "should be reviewed annually or sooner" and approved by governors. */
describe.each(engines)('the annual policy review on %s', (_name, open) => {
  const ctx = useDemoGraph();
  let t: TestStorage;
  let notifier: RecordingNotifier;
  const people: Record<string, Person> = {};
  beforeEach(async () => {
    t = await open();
    notifier = new RecordingNotifier();
    const w = aupWorld(t.storage, ctx.graph, new RecordingNotifier());
    for (const [key, u] of Object.entries(keyPeople(ctx.school))) people[key] = (await w.directory.person(u.id))!;
  });
  afterEach(() => t.dispose());

  function world(clock: { now: Date }) {
    const w = aupWorld(t.storage, ctx.graph, new RecordingNotifier());
    w.clock.now = clock.now;
    const reviews = new PolicyReviews({
      db: t.storage.db,
      config: demoConfig,
      directory: w.directory,
      notifier,
      logger,
      options: { remindDaysAhead: 30, link: () => 'https://esafety.test/#governors-report' },
      clock: () => clock.now,
    });
    const republish: Republish = async (policyId, text, by) => {
      w.clock.now = clock.now;
      const { version, created } = await w.service.publish(policyId, text === undefined ? {} : { text }, by);
      return { version: version.version, created };
    };
    return { w, reviews, republish };
  }

  it('is due a year after publication; the owner is reminded once in Teams as the date nears, however often the check runs', async () => {
    const clock = { now: new Date('2025-11-10T09:00:00Z') };
    const { w, reviews } = world(clock);
    w.clock.now = clock.now;
    await w.library.publish('staff-aup', w.library.draftText('staff-aup'), people.itAdmin!.id);
    expect((await reviews.schedule()).find((s) => s.policyId === 'staff-aup')).toMatchObject({
      reviewBy: '2026-11-10',
      reviewBySource: 'publication + 1 year',
      status: 'upcoming',
    });
    expect(await reviews.remindOwners()).toBe(0);

    clock.now = new Date('2026-10-20T09:00:00Z'); // 21 days before: inside the 30-day window
    await Promise.all([reviews.remindOwners(), reviews.remindOwners()]);
    clock.now = new Date('2026-11-12T09:00:00Z'); // the date has passed: still once
    await reviews.remindOwners();
    const toOwner = notifier.sent.filter((s) => s.summary.includes('Acceptable Use Agreement for Staff'));
    // staff-aup's owner in the demo config is the IT manager.
    expect(toOwner.map((s) => s.to)).toEqual([people.itAdmin!.id]);
    expect(cardProblems(toOwner[0]!.card)).toEqual([]);
    expect(JSON.stringify(toOwner[0]!.card)).toContain('2026-11-10');
    expect((await reviews.schedule()).find((s) => s.policyId === 'staff-aup')!.status).toBe('overdue');
  });

  it("records the review (who, when, changed or not, governors' approval); the next one is due a year later", async () => {
    const clock = { now: new Date('2025-11-10T09:00:00Z') };
    const { w, reviews, republish } = world(clock);
    await w.library.publish('staff-aup', w.library.draftText('staff-aup'), people.itAdmin!.id);
    clock.now = new Date('2026-11-05T09:00:00Z');
    await expect(reviews.record('staff-aup', { changed: false }, people.teacher!, republish)).rejects.toBeInstanceOf(ReviewNotAllowed);
    const r = await reviews.record(
      'staff-aup',
      { changed: false, governorsApprovedOn: '2026-11-04', notes: 'still fit for purpose' },
      people.headteacher!,
      republish,
    );
    expect(r).toMatchObject({ policyId: 'staff-aup', changed: false, governorsApprovedOn: '2026-11-04', version: 1 });
    const row = await t.storage.db.selectFrom('policy_review').selectAll().executeTakeFirstOrThrow();
    expect(row.reviewed_by).toBe(people.headteacher!.id);
    expect((await reviews.schedule()).find((s) => s.policyId === 'staff-aup')).toMatchObject({
      reviewBy: '2027-11-05',
      reviewBySource: 'last review + 1 year',
      status: 'upcoming',
    });
    expect(await reviews.done('2026-11-01T00:00:00Z', '2027-01-01T00:00:00Z')).toHaveLength(1);
  });

  it('a changed policy is republished through the publish path, so its audience is asked to accept again', async () => {
    const clock = { now: new Date('2025-11-10T09:00:00Z') };
    const { w, reviews, republish } = world(clock);
    await w.library.publish('staff-aup', w.library.draftText('staff-aup'), people.itAdmin!.id);
    clock.now = new Date('2026-11-05T09:00:00Z');
    await expect(reviews.record('staff-aup', { changed: true }, people.headteacher!, republish)).rejects.toThrow(/same as the published version/);
    const r = await reviews.record(
      'staff-aup',
      {
        changed: true,
        governorsApprovedOn: '2026-11-04',
        text: `${w.library.draftText('staff-aup')}\n\n- I will report any concern about AI tools to the DSL.`,
      },
      people.headteacher!,
      republish,
    );
    expect(r).toMatchObject({ changed: true, version: 2 });
    expect(await t.storage.db.selectFrom('campaign').select('policy_version_id').execute()).toEqual(
      expect.arrayContaining([{ policy_version_id: 'staff-aup@2' }]),
    );
  });
});
