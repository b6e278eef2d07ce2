import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import pino from 'pino';
import { useDemoGraph } from '../../test/support/demo-graph';
import { sqliteStorage, type TestStorage } from '../../test/support/storages';
import { loadSchoolConfig } from '../config/load-school-config';
import { keyPeople } from '../demo-tenant/school-generator';
import { RecordingNotifier } from '../notify/notifier';
import { SchoolDirectory, type Person } from '../school/school-directory';
import { IncidentReminders } from './incident-reminders';
import { IncidentService } from './incident-service';
import { schoolMinutesBetween } from './school-hours';
import { IncidentLogKeys } from './incident-log-key';

const logKeys = new IncidentLogKeys('the school key vault secret, 32+ characters long');

const config = loadSchoolConfig(resolve(__dirname, '../../config/demo-school.yaml'));
const silent = pino({ level: 'silent' });

describe('school time', () => {
  it('counts only Monday to Friday, 08:00 to 17:00 in London', () => {
    expect(schoolMinutesBetween(new Date('2026-11-23T09:00:00Z'), new Date('2026-11-23T11:00:00Z'))).toBe(120);
    expect(schoolMinutesBetween(new Date('2026-11-27T16:30:00Z'), new Date('2026-11-30T09:30:00Z'))).toBe(120);
    expect(schoolMinutesBetween(new Date('2026-11-28T10:00:00Z'), new Date('2026-11-28T15:00:00Z'))).toBe(0);
  });
});

describe('an incident nobody acknowledges', () => {
  const ctx = useDemoGraph();
  let t: TestStorage;
  let clock: Date;
  let notifier: RecordingNotifier;
  let directory: SchoolDirectory;
  let teacher: Person;
  beforeEach(async () => {
    t = await sqliteStorage();
    clock = new Date('2026-11-23T09:00:00Z'); // a Monday
    notifier = new RecordingNotifier();
    directory = new SchoolDirectory(ctx.graph, config);
    teacher = (await directory.person(keyPeople(ctx.school).teacher.id))!;
  });
  afterEach(() => t.dispose());

  const incidents = () =>
    new IncidentService({
      db: t.storage.db,
      engine: 'sqlite',
      config,
      directory,
      notifier: new RecordingNotifier(),
      logger: silent,
      clock: () => clock,
      logKeys,
    });
  const reminders = () => new IncidentReminders({ incidents: incidents(), config, directory, notifier, logger: silent, clock: () => clock });
  const report = (over: Record<string, unknown> = {}) => ({
    submissionId: randomUUID(),
    category: 'conduct',
    subCategory: 'cyberbullying',
    whatHappened: 'Unkind messages in the Year 8 chat.',
    when: clock.toISOString(),
    channel: 'tab',
    ...over,
  });
  const at = (iso: string) => (clock = new Date(iso));

  it('reminds the DSL after two school hours, escalates to the deputies and the head after four, and flags it at the end of the day', async () => {
    await incidents().report(report(), teacher);
    const k = keyPeople(ctx.school);
    at('2026-11-23T10:59:00Z');
    expect(await reminders().tick()).toEqual([]);
    at('2026-11-23T11:00:00Z');
    expect((await reminders().tick()).map((s) => s.step)).toEqual(['reminder-sent']);
    expect(notifier.sent.map((s) => s.to)).toEqual([k.dsl.id]);
    expect(await reminders().tick()).toEqual([]);
    at('2026-11-23T13:00:00Z');
    notifier.sent.length = 0;
    expect((await reminders().tick()).map((s) => s.step)).toEqual(['escalated']);
    expect(notifier.sent.map((s) => s.to)).toContain(k.headteacher.id);
    expect(notifier.sent.map((s) => s.to)).toContain(k.deputyDsl.id);
    at('2026-11-23T17:00:00Z');
    expect((await reminders().tick()).map((s) => s.step)).toEqual(['flagged-open']);
  });

  it('flags a concern reported after school at the end of the next school day, not at once', async () => {
    // Friday 20 November 2026, 19:30 in London: the next school day is Monday the 23rd.
    at('2026-11-20T19:30:00Z');
    await incidents().report(report({ when: clock.toISOString() }), teacher);
    at('2026-11-20T23:59:00Z');
    expect((await reminders().tick()).map((s) => s.step)).not.toContain('flagged-open');
    at('2026-11-23T16:59:00Z');
    expect((await reminders().tick()).map((s) => s.step)).not.toContain('flagged-open');
    at('2026-11-23T17:00:00Z');
    expect((await reminders().tick()).map((s) => s.step)).toContain('flagged-open');
  });

  it('leaves an acknowledged incident alone until the end of the day', async () => {
    const { incidentId } = await incidents().report(report(), teacher);
    const dsl = (await directory.person(keyPeople(ctx.school).dsl.id))!;
    await incidents().act(incidentId, 'acknowledge', dsl);
    at('2026-11-23T14:00:00Z');
    expect(await reminders().tick()).toEqual([]);
  });

  it('never escalates a concern about the headteacher to the headteacher', async () => {
    await incidents().report(report({ subCategory: 'staff-misuse', involved: [{ name: 'Helen Carter', role: 'headteacher' }] }), teacher);
    at('2026-11-23T13:30:00Z');
    await reminders().tick();
    expect(notifier.sent.map((s) => s.to)).not.toContain(keyPeople(ctx.school).headteacher.id);
    expect(notifier.sent.map((s) => s.to)).toContain(keyPeople(ctx.school).governor.id);
  });
});
