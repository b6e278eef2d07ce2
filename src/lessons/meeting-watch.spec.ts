import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import pino from 'pino';
import { demoConfig } from '../../test/support/aup-world';
import { engines, type TestStorage } from '../../test/support/storages';
import { createDemoTenant } from '../demo-tenant/graph-handlers';
import { generateSchool } from '../demo-tenant/school-generator';
import { GraphAccess } from '../graph/graph-access';
import { tokenSourceFor } from '../graph/graph-auth';
import { RecordingNotifier } from '../notify/notifier';
import { SchoolDirectory } from '../school/school-directory';
import { MeetingWatch } from './meeting-watch';
import { eventually } from '../../test/support/eventually';

const WEBHOOK = 'https://esafety.school.test/api/graph/notifications';

/** Subscriptions to staff calendars lapse after under three days: they are renewed before. */
describe.each(engines)('the staff calendar watch on %s', (_name, open) => {
  const school = generateSchool();
  const tenant = createDemoTenant(school);
  // The app's webhook: Graph's validation request gets its token back; a notification goes to the
  // watch under test (or is lost on the way, when `losing`).
  let receiving: MeetingWatch | undefined;
  let losing = false;
  const server = setupServer(
    ...tenant.handlers,
    http.post(WEBHOOK, async ({ request }) => {
      const token = new URL(request.url).searchParams.get('validationToken');
      if (token !== null) return new HttpResponse(token, { status: 200, headers: { 'content-type': 'text/plain' } });
      if (losing || !receiving) return new HttpResponse(null, { status: 202 });
      await receiving.receive(await request.json());
      return new HttpResponse(null, { status: 202 });
    }),
  );
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());
  let t: TestStorage;
  beforeEach(async () => {
    t = await open();
    school.subscriptions.length = 0;
    receiving = undefined;
    losing = false;
  });
  afterEach(() => t.dispose());

  it('subscribes to each member of staff, renews a day before expiry, and replaces one Graph has dropped', async () => {
    const clock = new Date();
    const graph = new GraphAccess({ tokens: tokenSourceFor({ mode: 'demo' }, 'https://graph.microsoft.com/v1.0') });
    const watch = () =>
      new MeetingWatch({
        db: t.storage.db,
        config: demoConfig,
        graph,
        directory: new SchoolDirectory(graph, demoConfig),
        notifier: new RecordingNotifier(),
        logger: pino({ level: 'silent' }),
        notificationUrl: () => WEBHOOK,
        clock: () => clock,
      });
    const staff = school.groups.find((g) => g.kind === 'staff')!.memberIds.length;

    expect(await watch().ensureSubscriptions()).toEqual({ created: staff, renewed: 0, failed: 0 });
    expect(school.subscriptions.every((s) => s.notificationUrl === WEBHOOK && s.clientState.length >= 32)).toBe(true);
    expect(await watch().ensureSubscriptions()).toEqual({ created: 0, renewed: 0, failed: 0 });

    // Two days on, each has half a day left (Graph's own clock is real, so the records age instead).
    await t.storage.db
      .updateTable('graph_subscription')
      .set({ expires_at: new Date(clock.getTime() + 12 * 3_600_000).toISOString() })
      .execute();
    const dropped = school.subscriptions.shift()!;
    expect(await watch().ensureSubscriptions()).toEqual({ created: 1, renewed: staff - 1, failed: 0 });
    expect(school.subscriptions.find((s) => s.resource === dropped.resource)!.id).not.toBe(dropped.id);
    const stored = await t.storage.db.selectFrom('graph_subscription').selectAll().execute();
    expect(stored).toHaveLength(staff);
    expect(stored.every((s) => Date.parse(s.expires_at) > clock.getTime() + 2.5 * 86_400_000)).toBe(true);
  });

  const graph = () => new GraphAccess({ tokens: tokenSourceFor({ mode: 'demo' }, 'https://graph.microsoft.com/v1.0') });
  const teacher = () => school.users.find((u) => u.role === 'staff' && u.userType === 'Member')!;
  const outsiderMeeting = (subject: string) => ({
    subject,
    isOnlineMeeting: true,
    start: { dateTime: '2026-11-25T15:00:00', timeZone: 'UTC' },
    end: { dateTime: '2026-11-25T15:30:00', timeZone: 'UTC' },
    attendees: [{ emailAddress: { address: 'rob.tutor@tutoring-co.example.com', name: 'Rob Tutor' } }],
  });

  it('answers Graph before acting: the notification is stored, and acted on from the queue afterwards', async () => {
    const notifier = new RecordingNotifier();
    const watch = new MeetingWatch({
      db: t.storage.db,
      config: demoConfig,
      graph: graph(),
      directory: new SchoolDirectory(graph(), demoConfig),
      notifier,
      logger: pino({ level: 'silent' }),
      notificationUrl: () => WEBHOOK,
    });
    await watch.ensureSubscriptions();
    const event = tenant.meetings.createEventAs(teacher().id, outsiderMeeting('Catch-up with the tutor'));
    const sub = school.subscriptions.find((s) => s.resource === `/users/${teacher().id}/events`)!;
    // Reading the event from Graph is slow today: the answer must not wait for it.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    server.use(http.get(`*/v1.0/users/:id/events/:eventId`, async () => void (await held)));
    const body = {
      value: [
        {
          subscriptionId: sub.id,
          clientState: sub.clientState,
          changeType: 'created',
          resource: `Users/${teacher().id}/Events/${event.id}`,
          resourceData: { id: event.id },
        },
      ],
    };
    await expect(watch.receive(body)).resolves.toEqual({ accepted: 1, refused: 0 });
    expect(await t.storage.db.selectFrom('graph_notification_queue').selectAll().execute()).toHaveLength(1);
    expect(notifier.sent).toHaveLength(0);
    const draining = watch.drain();
    release();
    await draining;
    expect(notifier.sent.map((n) => n.to)).toEqual([teacher().id]);
    expect(await t.storage.db.selectFrom('graph_notification_queue').selectAll().execute()).toHaveLength(0);
    server.resetHandlers();
  });

  it('handles lifecycle notifications: reauthorizationRequired renews, subscriptionRemoved subscribes again, missed re-reads the calendar', async () => {
    const clock = new Date();
    const notifier = new RecordingNotifier();
    const watch = new MeetingWatch({
      db: t.storage.db,
      config: demoConfig,
      graph: graph(),
      directory: new SchoolDirectory(graph(), demoConfig),
      notifier,
      logger: pino({ level: 'silent' }),
      notificationUrl: () => WEBHOOK,
      clock: () => clock,
    });
    receiving = watch;
    await watch.ensureSubscriptions();
    const mine = () => school.subscriptions.find((s) => s.resource === `/users/${teacher().id}/events`)!;
    expect(mine().lifecycleNotificationUrl).toBe(WEBHOOK);

    // Reauthorise: the subscription's expiry moves on (a PATCH reauthorises).
    // An hour left when Graph asks.
    const before = new Date(clock.getTime() + 3_600_000).toISOString();
    mine().expirationDateTime = before;
    expect(await tenant.meetings.sendLifecycle(mine().id, 'reauthorizationRequired')).toBe(202);
    await watch.drain();
    expect(Date.parse(mine().expirationDateTime)).toBeGreaterThan(Date.parse(before));

    // Removed by Graph: made again, with a new id, and kept in the database.
    const removed = mine().id;
    expect(await tenant.meetings.sendLifecycle(removed, 'subscriptionRemoved')).toBe(202);
    await watch.drain();
    expect(mine().id).not.toBe(removed);
    expect((await t.storage.db.selectFrom('graph_subscription').selectAll().where('user_id', '=', teacher().id).executeTakeFirstOrThrow()).id).toBe(mine().id);

    // A change notification lost on the way, then Graph says some were missed: the calendar is read again.
    losing = true;
    const sentBefore = tenant.meetings.deliveries.length;
    tenant.meetings.createEventAs(teacher().id, outsiderMeeting('Meeting whose notification was lost'));
    await eventually(() => tenant.meetings.deliveries.length > sentBefore, 'the lost notification');
    losing = false;
    expect(notifier.sent).toHaveLength(0);
    expect(await tenant.meetings.sendLifecycle(mine().id, 'missed')).toBe(202);
    await watch.drain();
    expect(notifier.sent.filter((n) => JSON.stringify(n.card).includes('Meeting whose notification was lost')).map((n) => n.to)).toEqual([teacher().id]);
    // Missed again: each meeting is still one warning.
    const warned = notifier.sent.length;
    await tenant.meetings.sendLifecycle(mine().id, 'missed');
    await watch.drain();
    expect(notifier.sent).toHaveLength(warned);
  });
});
