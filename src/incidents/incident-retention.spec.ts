import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import pino from 'pino';
import { useDemoGraph } from '../../test/support/demo-graph';
import { engines, type TestStorage } from '../../test/support/storages';
import { loadSchoolConfig } from '../config/load-school-config';
import type { SchoolConfig } from '../config/school-config';
import { keyPeople } from '../demo-tenant/school-generator';
import { RecordingNotifier } from '../notify/notifier';
import { SchoolDirectory, type Person } from '../school/school-directory';
import { IncidentLog } from './incident-log';
import { IncidentRetention } from './incident-retention';
import { IncidentService } from './incident-service';
import { IncidentLogKeys } from './incident-log-key';

const logKeys = new IncidentLogKeys('the school key vault secret, 32+ characters long');

const demo = loadSchoolConfig(resolve(__dirname, '../../config/demo-school.yaml'));
const afterBirth: SchoolConfig = { ...demo, safeguarding: { ...demo.safeguarding, retention: { mode: 'after-birth', yearsAfterBirth: 25 } } };

/** UK guidance: a child protection record is kept until the child's date of birth + 25 years. */
describe.each(engines)('retention of incident records on %s', (_name, open) => {
  const ctx = useDemoGraph();
  let t: TestStorage;
  let directory: SchoolDirectory;
  let teacher: Person;
  let dsl: Person;
  let jamie: { id: string; name: string; born: string };
  let clock: Date;
  beforeEach(async () => {
    t = await open();
    clock = new Date('2026-11-23T10:00:00Z');
    directory = new SchoolDirectory(ctx.graph, demo);
    const k = keyPeople(ctx.school);
    teacher = (await directory.person(k.teacher.id))!;
    dsl = (await directory.person(k.dsl.id))!;
    jamie = { id: k.student.id, name: k.student.displayName, born: k.student.birthDate! };
  });
  afterEach(() => t.dispose());

  const service = (config: SchoolConfig) =>
    new IncidentService({
      db: t.storage.db,
      engine: t.storage.engine,
      config,
      directory,
      notifier: new RecordingNotifier(),
      logger: pino({ level: 'silent' }),
      clock: () => clock,
      logKeys,
    });
  const retention = (config: SchoolConfig) =>
    new IncidentRetention({ db: t.storage.db, engine: t.storage.engine, config, directory, clock: () => clock, logKeys });
  const reportAbout = (involved: object[]) =>
    service(afterBirth).report(
      {
        submissionId: randomUUID(),
        category: 'contact',
        subCategory: 'grooming',
        whatHappened: 'An adult asked Jamie for photos on a game chat.',
        when: clock.toISOString(),
        channel: 'tab',
        involved,
      },
      teacher,
    );

  it('keeps a record about a child until their date of birth + 25 years, then erases its text', async () => {
    const { incidentId } = await reportAbout([{ id: jamie.id, name: jamie.name, role: 'student' }]);
    const until = `${Number(jamie.born.slice(0, 4)) + 25}${jamie.born.slice(4)}`;
    expect((await retention(afterBirth).review())[0]).toMatchObject({ incidentId, retainUntil: until });

    clock = new Date(`${until}T00:00:00Z`);
    clock.setUTCDate(clock.getUTCDate() - 1);
    expect(await retention(afterBirth).apply('daniel.okafor')).toEqual([]);

    expect((await service(afterBirth).chronologyOf({ id: jamie.id }, dsl)).incidents).toBe(1);

    clock = new Date(`${until}T09:00:00Z`);
    expect((await retention(afterBirth).apply('daniel.okafor')).map((d) => d.incidentId)).toEqual([incidentId]);
    // His name went with the text: his chronology, by id or by name, no longer finds the record.
    expect((await service(afterBirth).chronologyOf({ id: jamie.id }, dsl)).incidents).toBe(0);
    expect((await service(afterBirth).chronologyOf({ name: jamie.name }, dsl)).incidents).toBe(0);
    const view = await service(afterBirth).read(incidentId, dsl);
    expect(view.whatHappened).toMatch(/erased/);
    expect(JSON.stringify(view)).not.toContain('photos');
    expect(view.category).toBe('contact');
    expect(await new IncidentLog(t.storage.db, t.storage.engine, undefined, logKeys).verify()).toMatchObject({ intact: true });
    // Erased once: nothing is due any more, and the governors' counts still include it.
    expect(await retention(afterBirth).due()).toEqual([]);
    expect((await service(afterBirth).governorsReport(dsl)).reduce((n, r) => n + r.incidents, 0)).toBe(1);
  });

  it('keeps a record whose child has no date of birth on record, and one that names no child', async () => {
    await reportAbout([{ name: 'A child from another school', role: 'student' }]);
    await reportAbout([{ name: 'Unknown adult', role: 'external' }]);
    clock = new Date('2100-01-01T00:00:00Z');
    const review = await retention(afterBirth).review();
    expect(review.map((d) => d.retainUntil)).toEqual([null, null]);
    expect(review.map((d) => d.why)).toEqual([expect.stringMatching(/no date of birth/), expect.stringMatching(/names no child/)]);
    expect(await retention(afterBirth).apply('dsl')).toEqual([]);
  });

  it('keeps everything when the school has not chosen a retention rule (the default)', async () => {
    expect(demo.safeguarding.retention.mode).toBe('keep');
    await reportAbout([{ id: jamie.id, name: jamie.name, role: 'student' }]);
    clock = new Date('2100-01-01T00:00:00Z');
    expect(await retention(demo).apply('dsl')).toEqual([]);
  });
});
