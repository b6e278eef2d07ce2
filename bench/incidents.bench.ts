/**
 * Incident reads at scale (issue #16): `npm run bench:incidents -- [--incidents 1000,10000] [--json]`.
 *
 * For each size, a school's history written through the incident log itself (hash chain, seals,
 * checkpoints; an incident an hour, a third acknowledged, a fifth closed, one pupil named in three),
 * then, best of 5 each:
 *   the governors' report, against a baseline measured in the same run on the same database:
 *     reading every incident row once (the least any report of every incident must do).
 *     Its ratio stays level as the history grows (it read every entry for every incident before:
 *     the ratio grew with the size);
 *   one pupil's chronology, against reading that pupil's incidents one by one (store.view).
 *     Its ratio stays level too (it parsed every report before).
 * With --json, one JSON object per size on its own line. Every number is measured in this run, on
 * SQLite in memory; the specs (src/incidents/incident-scale.spec.ts) count the work on both engines.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import pino from 'pino';
import { loadSchoolConfig } from '../src/config/load-school-config';
import { IncidentLog } from '../src/incidents/incident-log';
import { IncidentLogKeys } from '../src/incidents/incident-log-key';
import type { IncidentReport } from '../src/incidents/incident-report';
import { IncidentService } from '../src/incidents/incident-service';
import { RecordingNotifier } from '../src/notify/notifier';
import type { Person, SchoolDirectory } from '../src/school/school-directory';
import { openStorage } from '../src/storage/database';
import { migrateToLatest } from '../src/storage/migrator';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const sizes = arg('incidents', '1000,10000').split(',').map(Number);
const asJson = process.argv.includes('--json');
const config = loadSchoolConfig(resolve(__dirname, '..', '..', 'config', 'demo-school.yaml'));
const keys = new IncidentLogKeys('the incident benchmark key, 32+ characters long');
const HOUR = 3_600_000;
const person = (id: string, roles: Person['roles']): Person => ({
  id,
  displayName: id,
  userPrincipalName: `${id}@school.example`,
  mail: null,
  kind: 'staff',
  classifiedBy: 'group',
  roles,
});
const dsl = person('dsl', ['safeguarding']);
/** The reads measured ask the directory nothing but who a person is; nobody here is in it. */
const directory = { person: async () => undefined, userIdOf: async () => undefined } as unknown as SchoolDirectory;

async function best(times: number, work: () => Promise<unknown>): Promise<number> {
  let fastest = Infinity;
  for (let i = 0; i < times; i++) {
    const start = process.hrtime.bigint();
    await work();
    fastest = Math.min(fastest, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return fastest;
}

async function measure(size: number) {
  const storage = openStorage('sqlite::memory:');
  await migrateToLatest(storage, keys);
  const clock = { now: Date.UTC(2019, 0, 1) };
  const log = new IncidentLog(storage.db, storage.engine, () => new Date(clock.now), keys);
  const report = (i: number, involved: IncidentReport['involved']): IncidentReport => ({
    submissionId: randomUUID(),
    category: 'conduct',
    subCategory: i % 2 ? 'cyberbullying' : 'misuse-of-equipment',
    involved,
    whatHappened: 'Unkind messages in a class chat (benchmark history).',
    when: new Date(clock.now).toISOString(),
    where: '',
    actionsTaken: '',
    illegalOrImmediateRisk: false,
    attachments: [],
    channel: 'tab',
  });
  const seedStart = Date.now();
  for (let i = 0; i < size; i++) {
    clock.now = Date.UTC(2019, 0, 1) + i * HOUR;
    const about =
      i % Math.floor(size / 3) === 1 ? [{ id: 'jamie', name: 'Jamie Brown', role: 'student' as const }] : [{ name: `Pupil ${i}`, role: 'student' as const }];
    const { incidentId } = await log.submit(report(i, about), 'teacher', { recipients: [], urgent: false, guidance: [], reason: 'benchmark' });
    if (i % 3 === 0) await log.add(incidentId, 'acknowledged', 'dsl', {});
    if (i % 5 === 0) await log.add(incidentId, 'closed', 'dsl', { outcome: 'resolved' });
  }
  const seedMs = Date.now() - seedStart;
  const service = new IncidentService({
    db: storage.db,
    engine: storage.engine,
    config,
    directory,
    notifier: new RecordingNotifier(),
    logger: pino({ level: 'silent' }),
    logKeys: keys,
  });
  const governorsMs = await best(5, () => service.governorsReport(dsl));
  const readEveryIncidentMs = await best(5, () => storage.db.selectFrom('incident').selectAll().execute());
  const jamies = (await service.chronologyOf({ id: 'jamie' }, dsl)).incidents;
  const ids = (await storage.db.selectFrom('incident_person').select('incident_id').where('person_id', '=', 'jamie').execute()).map((r) => r.incident_id);
  const chronologyMs = await best(5, () => service.chronologyOf({ id: 'jamie' }, dsl));
  const readTheirIncidentsMs = await best(5, async () => {
    for (const id of ids) await service.view(id);
  });
  await storage.close();
  return {
    incidents: size,
    seedMs,
    governorsMs: round(governorsMs),
    readEveryIncidentMs: round(readEveryIncidentMs),
    governorsRatio: round(governorsMs / readEveryIncidentMs),
    chronologyIncidents: jamies,
    chronologyMs: round(chronologyMs),
    readTheirIncidentsMs: round(readTheirIncidentsMs),
    chronologyRatio: round(chronologyMs / readTheirIncidentsMs),
  };
}

const round = (x: number) => Math.round(x * 100) / 100;

void (async () => {
  const results = [];
  for (const size of sizes) {
    const r = await measure(size);
    results.push(r);
    if (asJson) console.log(JSON.stringify(r));
    else
      console.log(
        `${r.incidents} incidents (written in ${r.seedMs} ms): governors' report ${r.governorsMs} ms = ${r.governorsRatio} x reading every incident once (${r.readEveryIncidentMs} ms); ` +
          `a pupil's chronology (${r.chronologyIncidents} incidents) ${r.chronologyMs} ms = ${r.chronologyRatio} x reading those incidents (${r.readTheirIncidentsMs} ms)`,
      );
  }
  if (!asJson && results.length > 1) {
    const [a, b] = [results[0]!, results.at(-1)!];
    console.log(
      `from ${a.incidents} to ${b.incidents}: governors' ratio ${a.governorsRatio} -> ${b.governorsRatio}, chronology ratio ${a.chronologyRatio} -> ${b.chronologyRatio} (level: linear; growing: a scan per incident came back)`,
    );
  }
})();
