import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import pino from 'pino';
import { countingDb } from '../../test/support/counting-db';
import { useDemoGraph } from '../../test/support/demo-graph';
import { seedIncidents } from '../../test/support/incident-seed';
import { engines, type TestStorage } from '../../test/support/storages';
import { loadSchoolConfig } from '../config/load-school-config';
import { keyPeople } from '../demo-tenant/school-generator';
import { RecordingNotifier, type Notifier } from '../notify/notifier';
import { SchoolDirectory, type Person } from '../school/school-directory';
import { ActivityLogViews } from '../storage/activity-log-views';
import { AuditLog } from '../storage/audit-log';
import { MOST_ATTEMPTS } from './incident-delivery';
import { IncidentLogKeys } from './incident-log-key';
import { IncidentService } from './incident-service';
import { IncidentStore } from './incident-store';

const logKeys = new IncidentLogKeys('the school key vault secret, 32+ characters long');
const config = loadSchoolConfig(resolve(__dirname, '../../config/demo-school.yaml'));
const MINUTE = 60_000;
const report = () => ({
  submissionId: randomUUID(),
  category: 'conduct',
  subCategory: 'cyberbullying',
  whatHappened: 'Name-calling in the Year 8 class chat after school.',
  when: '2026-11-23T16:00:00Z',
  channel: 'tab',
});
/** Someone who has never opened a chat with the bot: Teams has nowhere to put the card. */
const noChat = (calls: Array<{ to: string; at: Date }>, clock: () => Date): Notifier => ({
  sendToPerson: async (to) => {
    calls.push({ to, at: clock() });
    return 'no-conversation';
  },
});

/**
 * Issue #16: a card nobody can receive is tried again later and later (a minute, doubling, at most
 * six hours), not on every report; after the last attempt it has failed, and the safeguarding
 * team is told once.
 */
describe.each(engines)('incident cards nobody can receive yet, on %s', (_name, open) => {
  const ctx = useDemoGraph();
  let t: TestStorage;
  let clock: Date;
  let directory: SchoolDirectory;
  let teacher: Person;
  beforeEach(async () => {
    t = await open();
    clock = new Date('2026-11-23T09:00:00Z');
    directory = new SchoolDirectory(ctx.graph, config);
    teacher = (await directory.person(keyPeople(ctx.school).teacher.id))!;
  });
  afterEach(() => t.dispose());

  const service = (notifier: Notifier, deps: { db?: TestStorage['storage']['db']; logger?: pino.Logger } = {}) =>
    new IncidentService({
      db: deps.db ?? t.storage.db,
      engine: t.storage.engine,
      config,
      directory,
      notifier,
      logger: deps.logger ?? pino({ level: 'silent' }),
      clock: () => clock,
      logKeys,
    });

  it('with 1,000 cards waiting out their back-off, a new report claims only its own cards', async () => {
    // 1,000 cards to a pupil who has never opened a chat with the bot: each tried once, next due in a minute.
    const pupil = keyPeople(ctx.school).student;
    await seedIncidents(
      t.storage.db,
      Array.from({ length: 1_000 }, (_, i) => ({
        reportedAt: new Date(clock.getTime() - (i + 1) * MINUTE).toISOString(),
        cards: [
          {
            to: { kind: 'person' as const, ref: pupil.userPrincipalName, as: 'dsl' as const },
            attempts: 1,
            dueAt: new Date(clock.getTime() + MINUTE).toISOString(),
          },
        ],
      })),
    );

    // Thirty seconds later a teacher reports a concern.
    clock = new Date(clock.getTime() + 30_000);
    const counted = countingDb(t.storage.db);
    const notifier = new RecordingNotifier();
    const s = service(notifier, { db: counted.db });
    const claim = jest.spyOn(IncidentStore.prototype, 'claim');
    try {
      const { incidentId } = await s.report(report(), teacher);
      await s.settled();
      expect(claim.mock.calls.map(([d]) => d.incident_id)).toEqual([incidentId, incidentId, incidentId]);
    } finally {
      claim.mockRestore();
    }
    expect(notifier.sent).toHaveLength(3);
    // Not one of the waiting cards was read, let alone changed.
    expect(counted.work.rowsRead).toBeLessThan(100);
    const waiting = await t.storage.db.selectFrom('incident_delivery').select(['attempts', 'status']).where('status', '=', 'queued').execute();
    expect(waiting).toHaveLength(1_000);
    expect(waiting.every((d) => d.attempts === 1)).toBe(true);
  });

  it('tries a card again after 1, 2, 4 ... minutes, at most every 6 hours, then marks it failed, tells the safeguarding team once, and never tries again', async () => {
    const errors: Array<{ msg: string; incident: string }> = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => void errors.push(JSON.parse(line) as { msg: string; incident: string }) });
    const calls: Array<{ to: string; at: Date }> = [];
    const s = service(
      noChat(calls, () => clock),
      { logger },
    );
    const { incidentId } = await s.report(report(), teacher);
    await s.settled();

    // The sweep runs every minute; nothing else happens at the school for three days.
    const start = clock.getTime();
    while (clock.getTime() - start < 3 * 24 * 60 * MINUTE) {
      clock = new Date(clock.getTime() + MINUTE);
      await s.deliverQueued();
    }

    const dsl = keyPeople(ctx.school).dsl.id;
    const tries = calls.filter((c) => c.to === dsl).map((c) => c.at.getTime());
    expect(tries).toHaveLength(MOST_ATTEMPTS);
    const gaps = tries.slice(1).map((at, i) => (at - tries[i]!) / MINUTE);
    expect(gaps).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 360, 360, 360, 360, 360, 360]);

    const deliveries = await t.storage.db.selectFrom('incident_delivery').select(['status', 'attempts']).execute();
    expect(deliveries).toEqual([
      { status: 'failed', attempts: MOST_ATTEMPTS },
      { status: 'failed', attempts: MOST_ATTEMPTS },
      { status: 'failed', attempts: MOST_ATTEMPTS },
    ]);
    // One entry per card that failed, where the safeguarding team reads it, withheld from the IT admin.
    const audit = new AuditLog(t.storage.db);
    const told = (await new ActivityLogViews(audit).forSafeguarding(500)).filter((e) => e.action === 'incident.card-undeliverable');
    expect(told).toHaveLength(3);
    expect(told.every((e) => e.subjectId === incidentId && e.detail.attempts === MOST_ATTEMPTS && e.detail.why === 'no chat with the bot')).toBe(true);
    expect(told.map((e) => e.detail.to).sort()).toEqual(['deputy-dsl', 'deputy-dsl', 'dsl']);
    const itAdmin = (await new ActivityLogViews(audit).forItAdmin(500)).filter((e) => e.action === 'incident.card-undeliverable');
    expect(itAdmin.every((e) => e.withheld && e.subjectId === null)).toBe(true);
    expect(errors.filter((e) => e.incident === incidentId)).toHaveLength(3);

    // A week on: never tried again, nothing more written.
    const attempted = calls.length;
    clock = new Date(clock.getTime() + 7 * 24 * 60 * MINUTE);
    await s.deliverQueued();
    await s.report(report(), teacher);
    await s.settled();
    expect(calls.length).toBe(attempted + 3);
    expect(calls.slice(attempted).every((c) => c.at.getTime() === clock.getTime())).toBe(true);
    expect((await audit.list({ subjectType: 'incident' })).filter((e) => e.action === 'incident.card-undeliverable')).toHaveLength(3);
  });

  it('sends the cards that waited for someone as soon as they open a chat with the bot, not at their next attempt', async () => {
    const dsl = keyPeople(ctx.school).dsl.id;
    const opened = new Set<string>();
    const sent: Array<{ to: string; at: Date }> = [];
    const notifier: Notifier = {
      sendToPerson: async (to) => {
        if (!opened.has(to)) return 'no-conversation';
        sent.push({ to, at: clock });
        return 'sent';
      },
    };
    const s = service(notifier);
    await s.report(report(), teacher);
    await s.settled();
    // Nobody had a chat with the bot: every card waits a minute, then two, then four...
    clock = new Date(clock.getTime() + 30_000);
    await s.deliverQueued();
    expect(sent).toEqual([]);

    // Thirty seconds on, the DSL opens the bot: her card goes now, the deputies' still wait.
    opened.add(dsl);
    expect(await s.reachable(dsl)).toBe(1);
    expect(sent).toEqual([{ to: dsl, at: clock }]);
    const waiting = await t.storage.db.selectFrom('incident_delivery').select(['status', 'recipient_id']).where('status', '=', 'queued').execute();
    expect(waiting).toHaveLength(2);
    expect(waiting.some((d) => d.recipient_id === dsl)).toBe(false);
    // Opening it again sends nothing twice.
    expect(await s.reachable(dsl)).toBe(0);
    expect(sent).toHaveLength(1);
  });
});
