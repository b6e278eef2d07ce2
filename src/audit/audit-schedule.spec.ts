import { CONTROLS } from './controls/catalogue';
import { resolve } from 'node:path';
import pino from 'pino';
import { useDemoGraph } from '../../test/support/demo-graph';
import { sqliteStorage, type TestStorage } from '../../test/support/storages';
import { cardProblems } from '../../test/support/adaptive-card-check';
import { loadSchoolConfig } from '../config/load-school-config';
import { keyPeople } from '../demo-tenant/school-generator';
import { RecordingNotifier } from '../notify/notifier';
import { SchoolDirectory } from '../school/school-directory';
import { JobRunner } from '../jobs/job-runner';
import { JobLeases } from '../storage/job-lease';
import { AuditSchedule } from './audit-schedule';
import { AuditService } from './audit-service';
import { AuditStore } from './audit-store';

const config = loadSchoolConfig(resolve(__dirname, '../../config/demo-school.yaml'));
const DAY = 86_400_000;

describe('the daily audit', () => {
  const ctx = useDemoGraph();
  let t: TestStorage;
  let clock: Date;
  beforeEach(async () => {
    t = await sqliteStorage();
    clock = new Date('2026-11-23T09:00:00Z');
  });
  afterEach(() => t.dispose());

  const schedule = (holder: string, notifier: RecordingNotifier, runner = runnerOf(holder)) => {
    const store = new AuditStore(t.storage.db, () => clock);
    return new AuditSchedule({
      runner,
      service: new AuditService({ graph: ctx.graph, config, store, clock: () => clock, exchange: ctx.exchange }),
      store,
      directory: new SchoolDirectory(ctx.graph, config),
      notifier,
      logger: pino({ level: 'silent' }),
      options: { tenantId: config.school.tenantId, schoolName: 'Demo Academy', intervalMs: DAY, tabLink: 'https://app/#audit' },
      clock: () => clock,
    });
  };
  const runnerOf = (holder: string) =>
    new JobRunner({ leases: new JobLeases(t.storage.db, holder, () => clock), logger: pino({ level: 'silent' }), clock: () => clock });

  it('runs when no audit ran today, tells the IT admins with one summary card, then waits a day', async () => {
    const notifier = new RecordingNotifier();
    const s = schedule('a', notifier);
    expect(await s.tick()).toBeDefined();
    const admin = keyPeople(ctx.school).itAdmin.id;
    expect(notifier.sent.map((m) => m.to)).toEqual([admin]);
    expect(JSON.stringify(notifier.sent[0]!.card)).toContain('Tenant audit: Demo Academy');
    expect(cardProblems(notifier.sent[0]!.card)).toEqual([]);
    clock = new Date(clock.getTime() + DAY / 2);
    expect(await s.tick()).toBeUndefined();
  });

  it('sends a card for each new high finding after the first run', async () => {
    const notifier = new RecordingNotifier();
    const s = schedule('a', notifier);
    await s.tick();
    const drive = ctx.school.drives.find((d) => d.ownerUserId === keyPeople(ctx.school).deputyDsl.id)!;
    const file = drive.items.find((i) => !i.isFolder && i.permissions.length === 0)!;
    ctx.tenant.changeSharing(drive.id, file.id, (i) =>
      i.permissions.push({ id: 'x', roles: ['read'], link: { scope: 'anonymous', type: 'view', webUrl: 'https://x' } }),
    );
    clock = new Date(clock.getTime() + DAY + 1);
    notifier.sent.length = 0;
    await s.tick();
    expect(notifier.sent.map((m) => m.summary)).toEqual([
      `Tenant audit: ${ctx.school.seededViolations.length + 1 + CONTROLS.filter((c) => c.area === 'teams.policies').length} findings`, // + the demo's Teams policy export
      'New finding: sharing.item.anonymous-link',
    ]);
    expect(cardProblems(notifier.sent[1]!.card)).toEqual([]);
  });

  it('asks for an incremental run each day (the service reads everything the first time and at each full sweep); the next test shows it still finds a new finding', async () => {
    const notifier = new RecordingNotifier();
    const s = schedule('a', notifier);
    const run = jest.spyOn(AuditService.prototype, 'run');
    try {
      await s.tick();
      clock = new Date(clock.getTime() + DAY + 1);
      await s.tick();
      expect(run.mock.calls.map(([o]) => o)).toEqual([
        { trigger: 'schedule', sinceLast: true },
        { trigger: 'schedule', sinceLast: true },
      ]);
    } finally {
      run.mockRestore();
    }
  });

  it('runs on one instance only when two are due at once', async () => {
    const [a, b] = await Promise.all([schedule('a', new RecordingNotifier()).tick(), schedule('b', new RecordingNotifier()).tick()]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    expect(await new AuditStore(t.storage.db).runs(config.school.tenantId)).toHaveLength(1);
  });

  it('falls due on the job runner: checked each minute, run once a day', async () => {
    const runner = runnerOf('a');
    schedule('a', new RecordingNotifier(), runner);
    expect(await runner.runDue()).toEqual(['audit.scheduled']);
    clock = new Date(clock.getTime() + 60_000);
    await runner.runDue();
    clock = new Date(clock.getTime() + DAY);
    await runner.runDue();
    expect(await new AuditStore(t.storage.db).runs(config.school.tenantId)).toHaveLength(2);
  });
});
