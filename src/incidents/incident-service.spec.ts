import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import pino from 'pino';
import { cardProblems } from '../../test/support/adaptive-card-check';
import { useDemoGraph } from '../../test/support/demo-graph';
import { engines, type TestStorage } from '../../test/support/storages';
import { loadSchoolConfig } from '../config/load-school-config';
import { keyPeople } from '../demo-tenant/school-generator';
import { GraphMailer } from '../notify/mailer';
import { RecordingNotifier, type Notifier } from '../notify/notifier';
import { SchoolDirectory, type Person } from '../school/school-directory';
import { AuditLog } from '../storage/audit-log';
import { IncidentLog } from './incident-log';
import { IncidentService, InvalidReport, NotAllowed } from './incident-service';
import { IncidentLogKeys } from './incident-log-key';

const logKeys = new IncidentLogKeys('the school key vault secret, 32+ characters long');

const config = loadSchoolConfig(resolve(__dirname, '../../config/demo-school.yaml'));
const report = (over: Record<string, unknown> = {}) => ({
  submissionId: randomUUID(),
  category: 'conduct',
  subCategory: 'cyberbullying',
  whatHappened: 'Name-calling in the Year 8 class chat after school.',
  when: '2026-11-23T16:00:00Z',
  channel: 'bot-command',
  ...over,
});

describe.each(engines)('e-safety incidents on %s', (_name, open) => {
  const ctx = useDemoGraph();
  let t: TestStorage;
  let notifier: RecordingNotifier;
  let directory: SchoolDirectory;
  const people: Record<string, Person> = {};
  /** The time, once a test moves it on (a card whose attempt failed waits before the next). */
  let later: Date | undefined;
  const service = (n: Notifier = notifier) =>
    new IncidentService({
      db: t.storage.db,
      engine: t.storage.engine,
      config,
      directory,
      notifier: n,
      logger: pino({ level: 'silent' }),
      logKeys,
      clock: () => later ?? new Date(),
    });
  beforeEach(async () => {
    t = await open();
    later = undefined;
    notifier = new RecordingNotifier();
    directory = new SchoolDirectory(ctx.graph, config);
    const k = keyPeople(ctx.school);
    for (const [key, u] of Object.entries(k)) people[key] = (await directory.person(u.id))!;
  });
  afterEach(() => t.dispose());

  it('brings a teacher’s report to the DSL and both deputies as a valid card', async () => {
    const s = service();
    await s.report(report(), people.teacher!);
    await s.settled();
    const k = keyPeople(ctx.school);
    expect(notifier.sent.map((s) => s.to).sort()).toEqual(
      [k.dsl.id, k.deputyDsl.id, ctx.school.users.find((u) => u.userPrincipalName.startsWith('tom.evans'))!.id].sort(),
    );
    expect(cardProblems(notifier.sent[0]!.card)).toEqual([]);
  });

  it('brings a concern about the headteacher to the chair of governors and emails the LADO, never telling the head', async () => {
    const s = new IncidentService({
      db: t.storage.db,
      engine: t.storage.engine,
      config,
      directory,
      notifier,
      logger: pino({ level: 'silent' }),
      mailer: new GraphMailer(ctx.graph, config.mail!.sender),
      logKeys,
    });
    await s.report(
      report({
        subCategory: 'staff-misuse',
        whatHappened: 'The head shared pupils’ photos from a personal phone.',
        involved: [{ name: 'Helen Carter', role: 'headteacher' }],
      }),
      people.teacher!,
    );
    // Delivery starts in the background on submission; wait for that run to finish (its audit
    // entry is written after the delivery's status, so waiting on the status alone would race).
    await s.settled();
    const sentTo = notifier.sent.map((x) => x.to);
    expect(sentTo).toContain(keyPeople(ctx.school).governor.id);
    expect(sentTo).not.toContain(keyPeople(ctx.school).headteacher.id);
    expect(sentTo).not.toContain(keyPeople(ctx.school).dsl.id);

    // The LADO is outside the tenant: an email from the school mailbox through Graph sendMail.
    expect(ctx.school.outbox).toHaveLength(1);
    const mail = ctx.school.outbox[0]!;
    expect(mail).toMatchObject({ from: 'esafety@demo-academy.org.uk', to: ['lado@localauthority.example.gov.uk'] });
    expect(mail.body).toContain('Margaret Hughes');
    // Email leaves the school: no names of those involved, nothing of what happened.
    expect(mail.body).not.toMatch(/Helen|Carter|photos|personal phone/);
    const deliveries = await t.storage.db.selectFrom('incident_delivery').selectAll().execute();
    expect(deliveries.every((d) => d.status === 'sent')).toBe(true);
    const log = await t.storage.db.selectFrom('audit_log').selectAll().where('action', '=', 'incident.emailed').execute();
    expect(log).toHaveLength(1);

    // Delivered once: a second run sends nothing more.
    await s.deliverQueued();
    expect(ctx.school.outbox).toHaveLength(1);
  });

  it('keeps the LADO’s referral queued when the school has no mailbox configured', async () => {
    const s = service();
    await s.report(report({ subCategory: 'staff-misuse', involved: [{ name: 'Helen Carter', role: 'headteacher' }] }), people.teacher!);
    await s.deliverQueued();
    const lado = (await t.storage.db.selectFrom('incident_delivery').selectAll().execute()).find((d) => d.recipient.includes('"as":"lado"'))!;
    expect(lado.status).toBe('queued');
    expect(ctx.school.outbox).toEqual([]);
  });

  it('keeps the LADO’s email queued when Exchange refuses the mailbox (403 ErrorAccessDenied), still brings the card to the chair of governors, and says why', async () => {
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line).msg) });
    // A mailbox outside the app's Exchange management scope: "Application Mail.Send" does not cover it.
    const mailer = new GraphMailer(ctx.graph, keyPeople(ctx.school).itAdmin.mail);
    const s = new IncidentService({ db: t.storage.db, engine: t.storage.engine, config, directory, notifier, logger, mailer, logKeys });
    await s.report(report({ subCategory: 'staff-misuse', involved: [{ name: 'Helen Carter', role: 'headteacher' }] }), people.teacher!);
    await s.settled();
    await s.deliverQueued();
    const deliveries = await t.storage.db.selectFrom('incident_delivery').selectAll().execute();
    expect(deliveries.find((d) => d.recipient.includes('"as":"lado"'))!.status).toBe('queued');
    expect(notifier.sent.map((x) => x.to)).toContain(keyPeople(ctx.school).governor.id);
    expect(ctx.school.outbox).toEqual([]);
    expect(mailer.check.status).toBe('refused');
    expect(warnings).toContainEqual(expect.stringMatching(/Exchange Online refused to send from sam\.patel@.*Application Mail\.Send.*stays queued/));
  });

  it('refuses a report with a bad field, writing nothing', async () => {
    await expect(service().report(report({ whatHappened: 'bad' }), people.teacher!)).rejects.toThrow(InvalidReport);
    expect(await t.storage.db.selectFrom('incident').selectAll().execute()).toEqual([]);
  });

  it('lets the DSL acknowledge and add notes, and keeps everyone else out (reads are logged)', async () => {
    const s = service();
    const { incidentId } = await s.report(report(), people.teacher!);
    await expect(s.act(incidentId, 'acknowledge', people.student!)).rejects.toThrow(NotAllowed);
    await expect(s.read(incidentId, people.itAdmin!)).rejects.toThrow(NotAllowed);
    await s.deliverQueued();
    const card = await s.act(incidentId, 'acknowledge', people.dsl!);
    expect(JSON.stringify(card)).toContain('Status: **Acknowledged**');
    // Every delivered copy (the DSL's and both deputies') is updated, not just the clicker's.
    expect(notifier.updated).toHaveLength(3);
    expect(notifier.updated.every((u) => JSON.stringify(u.card).includes('Status: **Acknowledged**'))).toBe(true);
    const withNote = await s.act(incidentId, 'note', people.deputyDsl!, { text: 'Spoke to both students.' });
    expect(JSON.stringify(withNote)).toContain('Spoke to both students.');
    expect(cardProblems(withNote)).toEqual([]);
    const assigned = await s.act(incidentId, 'assign', people.dsl!, { assignee: keyPeople(ctx.school).deputyDsl.userPrincipalName });
    expect(JSON.stringify(assigned)).toContain('Assigned to Priya Shah');
    await expect(s.act(incidentId, 'assign', people.dsl!, { assignee: keyPeople(ctx.school).student.userPrincipalName })).rejects.toThrow(/member of staff/);
    expect(JSON.stringify(await s.act(incidentId, 'escalate', people.dsl!, { escalateTo: "children's social care", text: 'Referral made.' }))).toContain(
      "Escalated to children's social care: Referral made.",
    );
    await expect(s.act(incidentId, 'escalate', people.dsl!, { escalateTo: 'the press' })).rejects.toThrow(/choose one of LADO/);
    expect(JSON.stringify(await s.act(incidentId, 'inform-parents', people.dsl!, { text: 'Phoned both families.' }))).toContain(
      'Parents or carers informed Phoned both families.',
    );
    await s.read(incidentId, people.dsl!);
    expect((await new AuditLog(t.storage.db).list({ subjectType: 'incident' })).map((e) => [e.action, e.actorId])).toEqual([['incident.read', people.dsl!.id]]);
    expect(await new IncidentLog(t.storage.db, t.storage.engine, undefined, logKeys).verify()).toMatchObject({ intact: true, entries: 6, problems: [] });
  });

  it('delivers, after a restart, the cards a crashed process had queued', async () => {
    const crashing: Notifier = {
      sendToPerson: async () => {
        throw new Error('process killed');
      },
    };
    const before = service(crashing);
    await before.report(report(), people.teacher!);
    await before.settled();
    expect(notifier.sent).toEqual([]);
    // The card whose attempt failed waits a minute before its next; the others were never tried.
    later = new Date(Date.now() + 60_000);
    const afterRestart = service();
    expect(await afterRestart.deliverQueued()).toBe(3);
    expect(await afterRestart.deliverQueued()).toBe(0);
  });

  it('exports everything about one person for a subject access request, and records who asked', async () => {
    const s = service();
    await s.report(report({ involved: [{ id: people.student!.id, name: people.student!.displayName, role: 'student' }] }), people.teacher!);
    await s.report(report({ involved: [{ name: 'Someone Else', role: 'student' }] }), people.teacher!);
    const records = await s.exportForPerson(people.student!, 'dpo@demo-academy.org.uk');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ reportedByThisPerson: false, involved: [`${people.student!.displayName} (student)`] });
    expect((await new AuditLog(t.storage.db).list({ subjectType: 'person' }))[0]).toMatchObject({
      action: 'incident.subject-access-export',
      actorId: 'dpo@demo-academy.org.uk',
    });
    expect(await s.exportForPerson(people.teacher!, 'dpo')).toHaveLength(2);
  });

  it('shows the DSL one child’s chronology across incidents, by id or by name, and logs the look', async () => {
    const s = service();
    const jamie = people.student!;
    const first = await s.report(
      report({
        when: '2026-11-20T10:00:00Z',
        whatHappened: 'Jamie was sent unkind messages in the class chat.',
        involved: [{ id: jamie.id, name: jamie.displayName, role: 'student' }],
      }),
      people.teacher!,
    );
    await s.act(first.incidentId, 'note', people.dsl!, { text: 'Spoke to Jamie and parents.' });
    // A later report names him without an id (typed by a colleague).
    await s.report(
      report({
        subCategory: 'inappropriate-content',
        category: 'content',
        whatHappened: 'Jamie shown an upsetting video by an older pupil.',
        involved: [{ name: jamie.displayName, role: 'student' }],
      }),
      people.teacher!,
    );
    await s.report(report({ involved: [{ name: 'Someone Else', role: 'student' }] }), people.teacher!);

    const chronology = await s.chronologyOf({ id: jamie.id }, people.dsl!);
    expect(chronology.incidents).toBe(2);
    expect(chronology.entries.map((e) => e.kind)).toEqual(['reported', 'note', 'reported']);
    expect(chronology.entries[1]!.text).toBe('Spoke to Jamie and parents.');
    expect((await s.chronologyOf({ name: 'someone else' }, people.dsl!)).incidents).toBe(1);
    expect((await new AuditLog(t.storage.db).list({ subjectType: 'person' })).map((e) => e.action)).toContain('incident.person-chronology-read');
    await expect(s.chronologyOf({ id: jamie.id }, people.teacher!)).rejects.toThrow(NotAllowed);

    // The queue filters by the person named and by age.
    expect(await s.list(people.dsl!, { person: 'jamie' })).toHaveLength(2);
    // The name typed by a colleague is recognised in the directory: both reports are his.
    expect(await s.list(people.dsl!, { person: jamie.id })).toHaveLength(2);
    expect(await s.list(people.dsl!, { olderThanHours: 24 })).toHaveLength(0);
  });

  it('sends each card once when two delivery runs overlap', async () => {
    const crashing: Notifier = {
      sendToPerson: async () => {
        throw new Error('offline');
      },
    };
    const offline = service(crashing);
    await offline.report(report(), people.teacher!);
    await offline.settled();
    later = new Date(Date.now() + 60_000);
    const [a, b] = await Promise.all([service().deliverQueued(), service().deliverQueued()]);
    expect(a + b).toBe(3);
    expect(notifier.sent).toHaveLength(3);
  });
});
