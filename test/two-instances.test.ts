import { randomBytes } from 'node:crypto';
import { setupServer } from 'msw/node';
import { Pool } from 'pg';
import pino from 'pino';
import { aupWorld, demoConfig } from './support/aup-world';
import { eventually } from './support/eventually';
import { TEST_POSTGRES_URL } from './support/storages';
import { AuditSchedule } from '../src/audit/audit-schedule';
import { JobRunner } from '../src/jobs/job-runner';
import { AuditService } from '../src/audit/audit-service';
import { AuditStore } from '../src/audit/audit-store';
import { createDemoTenant } from '../src/demo-tenant/graph-handlers';
import { ExchangeAdmin } from '../src/exchange/exchange-admin';
import { generateSchool, keyPeople } from '../src/demo-tenant/school-generator';
import { GraphAccess } from '../src/graph/graph-access';
import { RecordingNotifier, type Notifier } from '../src/notify/notifier';
import { SchoolDirectory } from '../src/school/school-directory';
import { openStorage, type Storage } from '../src/storage/database';
import { JobLeases } from '../src/storage/job-lease';
import { migrateToLatest } from '../src/storage/migrator';
import { demoFindingCount } from './support/demo-findings';

const silent = pino({ level: 'silent' });

/**
 * Several instances against one PostgreSQL (issue #7): two app instances, each with its own
 * connection pool and lease name, share the scheduled audit and a policy campaign. One of them
 * dies mid-job (it stops answering: its Graph calls and its sends never return, as when a process
 * is killed); the other finishes. Each job runs once and nothing is lost.
 */
describe('two instances on one PostgreSQL', () => {
  const school = generateSchool();
  const server = setupServer(...createDemoTenant(school).handlers);
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new Pool({ connectionString: TEST_POSTGRES_URL, max: 1 });
  let a: Storage;
  let b: Storage;
  beforeAll(async () => {
    server.listen({ onUnhandledRequest: 'error' });
    await admin.query(`CREATE SCHEMA ${schema}`);
    a = openStorage(TEST_POSTGRES_URL, { schema });
    b = openStorage(TEST_POSTGRES_URL, { schema });
    // Both start together: the migrations' lock lets one apply them.
    await Promise.all([migrateToLatest(a), migrateToLatest(b)]);
  });
  afterAll(async () => {
    server.close();
    await a.close();
    await b.close();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  });

  /** Graph as an instance sees it; `dieAfter` requests in, the instance is gone. */
  const graphFor = (dieAfter = Infinity) => {
    let n = 0;
    return new GraphAccess({ tokens: { getAccessToken: () => (++n > dieAfter ? new Promise<string>(() => undefined) : Promise.resolve('demo')) } });
  };
  // The leases run on this clock, not the wall's: a busy machine must not make a lease lapse early.
  const clock = { now: new Date() };
  const now = () => clock.now;
  const scheduleOn = (storage: Storage, name: string, graph: GraphAccess) =>
    new AuditSchedule({
      runner: new JobRunner({ leases: new JobLeases(storage.db, name, now), logger: silent, clock: now }),
      service: new AuditService({
        graph,
        config: demoConfig,
        store: new AuditStore(storage.db),
        exchange: new ExchangeAdmin({ tenantId: school.tenantId, tokens: { getAccessToken: async () => 'demo' }, sleep: async () => undefined }),
      }),
      store: new AuditStore(storage.db),
      directory: new SchoolDirectory(graph, demoConfig),
      notifier: new RecordingNotifier(),
      logger: silent,
      options: {
        tenantId: demoConfig.school.tenantId,
        schoolName: 'Demo Academy',
        intervalMs: 24 * 3_600_000,
        tabLink: 'https://esafety.test/#audit',
        leaseMs: 1_500,
      },
      clock: now,
    });

  it('runs the scheduled audit once, and the survivor runs it when the instance holding it dies', async () => {
    const dying = scheduleOn(a, 'instance-a', graphFor(40));
    const survivor = scheduleOn(b, 'instance-b', graphFor());
    void dying.tick();
    await eventually(
      async () => (await a.db.selectFrom('job_lease').selectAll().where('name', '=', 'audit.scheduled').execute()).length === 1,
      'instance A to take the audit',
    );
    // While A holds it, B does not run it a second time.
    expect(await survivor.tick()).toBeUndefined();
    // A is dead; once its lease lapses, B takes the audit over and completes it.
    clock.now = new Date(clock.now.getTime() + 1_600);
    const outcome = await survivor.tick();
    expect(outcome?.report.findings.length).toBe(demoFindingCount(school));
    expect(await b.db.selectFrom('audit_run').selectAll().execute()).toHaveLength(1);
    // And the next tick on either instance does not run it again: it ran today.
    expect(await scheduleOn(a, 'instance-a2', graphFor()).tick()).toBeUndefined();
  }, 60_000);

  it('sends a campaign’s cards once each when the instance sending them dies half-way', async () => {
    const connector = new RecordingNotifier();
    let sends = 0;
    const dyingNotifier: Notifier = {
      sendToPerson: (to, card, summary) => (++sends > 25 ? new Promise(() => undefined) : connector.sendToPerson(to, card, summary)),
    };
    const instanceA = aupWorld(a, graphFor(), dyingNotifier, { settings: { concurrency: 4 } });
    const instanceB = aupWorld(b, graphFor(), connector);
    const itAdmin = (await instanceA.directory.person(keyPeople(school).itAdmin.id))!;
    await instanceA.service.publish('staff-aup', {}, itAdmin);
    void instanceA.campaigns.pump();
    await eventually(() => sends > 25, 'instance A to die mid-campaign');
    // B rounds up: at once it sends what A had not claimed; once A's claims have lapsed, the rest.
    await instanceB.campaigns.pump();
    instanceB.clock.now = new Date(instanceB.clock.now.getTime() + 3 * 60_000);
    await instanceB.campaigns.pump();
    const staff = school.groups.find((g) => g.kind === 'staff')!.memberIds;
    const cards = connector.sent.filter((s) => s.summary.startsWith('Please read'));
    expect(cards.map((c) => c.to).sort()).toEqual([...staff].sort());
  }, 60_000);
});
