import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import pino from 'pino';
import { useDemoGraph } from '../../test/support/demo-graph';
import { eventually } from '../../test/support/eventually';
import { engines, type TestStorage } from '../../test/support/storages';
import { loadSchoolConfig } from '../config/load-school-config';
import { keyPeople } from '../demo-tenant/school-generator';
import { JobRunner } from '../jobs/job-runner';
import { RecordingNotifier, type Notifier } from '../notify/notifier';
import { SchoolDirectory, type Person } from '../school/school-directory';
import { JobLeases } from '../storage/job-lease';
import { IncidentLogKeys } from './incident-log-key';
import { IncidentReminders } from './incident-reminders';
import { INCIDENT_JOBS, scheduleIncidentWork } from './incident-schedule';
import { IncidentService } from './incident-service';

const logKeys = new IncidentLogKeys('the school key vault secret, 32+ characters long');
const config = loadSchoolConfig(resolve(__dirname, '../../config/demo-school.yaml'));
const silent = pino({ level: 'silent' });
const MINUTE = 60_000;

describe.each(engines)('incident cards whose sender died, on %s', (_name, open) => {
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

  const incidents = (notifier: Notifier) =>
    new IncidentService({ db: t.storage.db, engine: t.storage.engine, config, directory, notifier, logger: silent, clock: () => clock, logKeys });
  /** A running instance: its job runner with the incidents' work on it, as bin/start-app.ts wires it. */
  const instance = (name: string, notifier: Notifier) => {
    const service = incidents(notifier);
    const runner = new JobRunner({ leases: new JobLeases(t.storage.db, name, () => clock), logger: silent, clock: () => clock });
    scheduleIncidentWork({
      runner,
      incidents: service,
      reminders: new IncidentReminders({ incidents: service, config, directory, notifier, logger: silent, clock: () => clock }),
      logger: silent,
    });
    return runner;
  };
  const statuses = async () => (await t.storage.db.selectFrom('incident_delivery').select('status').orderBy('id').execute()).map((d) => d.status);

  it('are sent again by the periodic sweep once the dead claim lapses, with no new report and no restart', async () => {
    // Instance A takes the report and dies while sending the first card: that card stays claimed.
    const dying: Notifier = { sendToPerson: () => new Promise(() => undefined) };
    await incidents(dying).report(
      {
        submissionId: randomUUID(),
        category: 'conduct',
        subCategory: 'cyberbullying',
        whatHappened: 'Name-calling in the Year 8 class chat.',
        when: clock.toISOString(),
        channel: 'tab',
      },
      teacher,
    );
    await eventually(async () => (await statuses()).includes('sending'), 'instance A to claim a card');
    expect((await statuses()).sort()).toEqual(['queued', 'queued', 'sending']);

    // Instance B has been running all along; nothing else happens at the school.
    const survivor = new RecordingNotifier();
    const b = instance('instance-b', survivor);
    clock = new Date(clock.getTime() + MINUTE);
    expect(await b.runDue()).toContain(INCIDENT_JOBS.delivery);
    // The queued cards go at once; the claimed one waits: A might still be sending it.
    expect(survivor.sent).toHaveLength(2);
    expect((await statuses()).sort()).toEqual(['sending', 'sent', 'sent']);

    // Five minutes on, A's claim has lapsed and the next sweep sends the card A never did.
    for (let minute = 0; minute < 5; minute++) {
      clock = new Date(clock.getTime() + MINUTE);
      await b.runDue();
    }
    expect(survivor.sent).toHaveLength(3);
    expect(new Set(survivor.sent.map((s) => s.to)).size).toBe(3);
    expect(await statuses()).toEqual(['sent', 'sent', 'sent']);
    await b.stop();
  });

  it('are swept at start-up, so a restart sends what was queued before it', async () => {
    const offline: Notifier = {
      sendToPerson: async () => {
        throw new Error('process killed');
      },
    };
    const before = incidents(offline);
    await before.report(
      {
        submissionId: randomUUID(),
        category: 'conduct',
        subCategory: 'cyberbullying',
        whatHappened: 'Name-calling in the Year 8 class chat.',
        when: clock.toISOString(),
        channel: 'tab',
      },
      teacher,
    );
    await before.settled();
    // The instance comes back a minute later: the card whose attempt failed has waited out its
    // first back-off, and the two never tried are due as they were.
    clock = new Date(clock.getTime() + MINUTE);
    const restarted = new RecordingNotifier();
    const runner = instance('restarted', restarted);
    expect(await runner.runDue()).toEqual([INCIDENT_JOBS.delivery]);
    expect(restarted.sent).toHaveLength(3);
    await runner.stop();
  });
});
