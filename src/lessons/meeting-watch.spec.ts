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

const WEBHOOK = 'https://esafety.school.test/api/graph/notifications';

/** Subscriptions to staff calendars lapse after under three days: they are renewed before. */
describe.each(engines)('the staff calendar watch on %s', (_name, open) => {
  const school = generateSchool();
  const tenant = createDemoTenant(school);
  // The app's webhook, as Graph's validation request reaches it: it echoes the token.
  const server = setupServer(...tenant.handlers, http.post(WEBHOOK, ({ request }) => new HttpResponse(new URL(request.url).searchParams.get('validationToken') ?? '', { status: 200, headers: { 'content-type': 'text/plain' } })));
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());
  let t: TestStorage;
  beforeEach(async () => {
    t = await open();
    school.subscriptions.length = 0;
  });
  afterEach(() => t.dispose());

  it('subscribes to each member of staff, renews a day before expiry, and replaces one Graph has dropped', async () => {
    const clock = new Date();
    const graph = new GraphAccess({ tokens: tokenSourceFor({ mode: 'demo' }, 'https://graph.microsoft.com/v1.0') });
    const watch = () => new MeetingWatch(t.storage.db, demoConfig, graph, new SchoolDirectory(graph, demoConfig), new RecordingNotifier(), pino({ level: 'silent' }), () => WEBHOOK, () => clock);
    const staff = school.groups.find((g) => g.kind === 'staff')!.memberIds.length;

    expect(await watch().ensureSubscriptions()).toEqual({ created: staff, renewed: 0, failed: 0 });
    expect(school.subscriptions.every((s) => s.notificationUrl === WEBHOOK && s.clientState.length >= 32)).toBe(true);
    expect(await watch().ensureSubscriptions()).toEqual({ created: 0, renewed: 0, failed: 0 });

    // Two days on, each has half a day left (Graph's own clock is real, so the records age instead).
    await t.storage.db.updateTable('graph_subscription').set({ expires_at: new Date(clock.getTime() + 12 * 3_600_000).toISOString() }).execute();
    const dropped = school.subscriptions.shift()!;
    expect(await watch().ensureSubscriptions()).toEqual({ created: 1, renewed: staff - 1, failed: 0 });
    expect(school.subscriptions.find((s) => s.resource === dropped.resource)!.id).not.toBe(dropped.id);
    const stored = await t.storage.db.selectFrom('graph_subscription').selectAll().execute();
    expect(stored).toHaveLength(staff);
    expect(stored.every((s) => Date.parse(s.expires_at) > clock.getTime() + 2.5 * 86_400_000)).toBe(true);
  });
});
