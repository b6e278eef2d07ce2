import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { ConfigError, loadSchoolConfig } from '../src/config/load-school-config';
import { startDemoTenantServer } from '../src/demo-tenant/demo-tenant-server';
import { createDemoTenant } from '../src/demo-tenant/graph-handlers';
import { generateSchool } from '../src/demo-tenant/school-generator';
import { GraphAccess } from '../src/graph/graph-access';
import { graphAuthFromEnv, tokenSourceFor } from '../src/graph/graph-auth';
import type { SchoolConfig } from '../src/config/school-config';
import { IncidentLog, type Checkpoint } from '../src/incidents/incident-log';
import { incidentLogKeysFor, type IncidentLogKeys } from '../src/incidents/incident-log-key';
import { IncidentRetention } from '../src/incidents/incident-retention';
import { IncidentService } from '../src/incidents/incident-service';
import { RecordingNotifier } from '../src/notify/notifier';
import { SchoolDirectory } from '../src/school/school-directory';
import { DEFAULT_DATABASE_URL, openStorage, type Storage } from '../src/storage/database';
import { migrateToLatest } from '../src/storage/migrator';
import { packageRoot } from './start-app';

interface CommandOptions {
  config?: string;
  demo?: boolean;
  databaseUrl?: string;
}

/** Config, storage and the school directory (demo tenant or the real one) for one command. */
async function withSchool<T>(
  o: CommandOptions,
  work: (ctx: { config: SchoolConfig; storage: Storage; directory: SchoolDirectory; keys: IncidentLogKeys | undefined }) => Promise<T>,
): Promise<T> {
  const configFile = o.config ?? (o.demo ? join(packageRoot(), 'config', 'demo-school.yaml') : undefined);
  if (!configFile) throw new ConfigError('no school configuration: pass --config FILE, set ESAFETY_CONFIG, or use --demo');
  const config = loadSchoolConfig(configFile);
  const tenant = o.demo ? await startDemoTenantServer(createDemoTenant(generateSchool())) : undefined;
  const auth = tenant ? ({ mode: 'demo' } as const) : graphAuthFromEnv(process.env, config.school.tenantId);
  if (!auth) {
    await tenant?.close();
    throw new ConfigError('no Graph credentials: set GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET, or GRAPH_TOKEN, or use --demo');
  }
  const base = tenant?.graphBaseUrl ?? process.env.GRAPH_BASE_URL ?? 'https://graph.microsoft.com/v1.0';
  const keys = existingIncidentLogKeys(o.databaseUrl);
  const storage = openStorage(o.databaseUrl);
  try {
    await migrateToLatest(storage, keys);
    const directory = new SchoolDirectory(new GraphAccess({ baseUrl: base, tokens: tokenSourceFor(auth, base) }), config);
    return await work({ config, storage, directory, keys });
  } finally {
    await storage.close();
    await tenant?.close();
  }
}

/** `esafety incidents export --person X`: one person's incident records as JSON on stdout. */
export async function exportIncidents(o: CommandOptions & { person: string; requestedBy: string }): Promise<void> {
  await withSchool(o, async ({ config, storage, directory }) => {
    const person = await directory.person(o.person);
    if (!person) throw new ConfigError(`${o.person}: no such person in the tenant`);
    const service = new IncidentService({
      db: storage.db,
      engine: storage.engine,
      config,
      directory,
      notifier: new RecordingNotifier(),
      logger: pino({ level: 'silent' }),
    });
    const records = await service.exportForPerson(person, o.requestedBy);
    process.stdout.write(
      `${JSON.stringify({ person: { id: person.id, name: person.displayName }, exportedAt: new Date().toISOString(), incidents: records }, null, 2)}\n`,
    );
  });
}

/**
 * `esafety incidents retention`: lists what the retention rule would erase; with `--apply --by`
 * erases it, recording who authorised it. Destroying a record is a person's decision, so nothing
 * runs this on a timer.
 */
export async function incidentRetention(o: CommandOptions & { apply?: boolean; by?: string }): Promise<void> {
  if (o.apply && !o.by) throw new ConfigError('--apply needs --by <who authorised it> (recorded in the incident log)');
  await withSchool(o, async ({ config, storage, directory, keys }) => {
    const retention = new IncidentRetention({ db: storage.db, engine: storage.engine, config, directory, logKeys: keys });
    const rule = config.safeguarding.retention;
    process.stdout.write(`Retention: ${rule.mode === 'keep' ? 'keep every record' : `until the child's date of birth + ${rule.yearsAfterBirth} years`}\n`);
    const due = o.apply ? await retention.apply(o.by!) : await retention.due();
    for (const d of due)
      process.stdout.write(
        `${o.apply ? 'erased' : 'due'}  ${d.incidentId}  ${d.category}/${d.subCategory}  reported ${d.reportedAt.slice(0, 10)}  kept until ${d.retainUntil}\n`,
      );
    process.stdout.write(
      `${due.length} incident${due.length === 1 ? '' : 's'} ${o.apply ? 'erased' : 'due for erasure (run again with --apply --by <who>)'}\n`,
    );
  });
}

/** The key for a command that reads the log: INCIDENT_LOG_KEY, or the demo's key file beside its database. */
function keysFor(databaseUrl: string | undefined): IncidentLogKeys {
  const found = existingIncidentLogKeys(databaseUrl);
  if (!found)
    throw new ConfigError(
      'INCIDENT_LOG_KEY is not set (and there is no demo key file beside the database): the incident log cannot be verified without its key',
    );
  return found;
}

/** INCIDENT_LOG_KEY, or the key file an earlier start left beside a SQLite database; never a new key. */
export function existingIncidentLogKeys(databaseUrl: string | undefined): IncidentLogKeys | undefined {
  return incidentLogKeysFor({
    env: process.env,
    databaseUrl: databaseUrl ?? DEFAULT_DATABASE_URL,
    demo: false,
    dataDir: join(packageRoot(), 'data'),
    create: false,
  })?.keys;
}

function readCheckpointFile(file: string): Checkpoint[] {
  if (!existsSync(file)) throw new ConfigError(`${file}: no such checkpoint file`);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return JSON.parse(l) as Checkpoint;
      } catch {
        throw new ConfigError(`${file}:${i + 1}: not a checkpoint line`);
      }
    });
}

/**
 * `esafety incidents verify`: walks the chain, its seals and checkpoints; one line per problem
 * (kind, entry, incident, why) and exit 1, or "intact" and exit 0.
 */
/** The database `npm run demo` writes to, and the checkpoint file it keeps beside it. */
export function demoLog(root = packageRoot()): { databaseUrl: string; checkpoints: string } {
  const path = join(root, 'data', 'demo.db');
  return { databaseUrl: `sqlite:${path}`, checkpoints: `${path}.incident-checkpoints.jsonl` };
}

/** How a database is named to a person: the SQLite file's full path, a PostgreSQL URL without its password. */
function described(url: string): string {
  if (url.startsWith('sqlite:')) return `sqlite:${resolve(url.slice('sqlite:'.length))}`;
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

export async function verifyIncidents(o: { databaseUrl?: string; checkpoints?: string; demo?: boolean }): Promise<void> {
  const demo = demoLog();
  if (o.demo && !existsSync(demo.databaseUrl.slice('sqlite:'.length)))
    throw new ConfigError(`there is no demo database at ${demo.databaseUrl.slice('sqlite:'.length)}: run "npm run demo" first`);
  const databaseUrl = o.demo ? demo.databaseUrl : (o.databaseUrl ?? DEFAULT_DATABASE_URL);
  const checkpointFile = o.checkpoints ?? (o.demo && existsSync(demo.checkpoints) ? demo.checkpoints : undefined);
  const where = described(databaseUrl);
  const keys = existingIncidentLogKeys(databaseUrl);
  if (!keys)
    throw new ConfigError(
      `INCIDENT_LOG_KEY is not set (and there is no demo key file beside ${where}): the incident log cannot be verified without its key${o.demo ? '' : "; the demo's log: esafety incidents verify --demo"}`,
    );
  const external = checkpointFile ? readCheckpointFile(checkpointFile) : [];
  const storage = openStorage(databaseUrl);
  try {
    await migrateToLatest(storage, keys);
    const result = await new IncidentLog(storage.db, storage.engine, undefined, keys).verify(external);
    const checkpointed =
      result.checkpointedTo !== undefined
        ? `, checkpointed to entry ${result.checkpointedTo}${checkpointFile ? ` (with ${external.length} external checkpoints)` : ''}`
        : '';
    if (result.intact && result.entries === 0) {
      // Most often the wrong database: say which one was read, and how to choose another.
      process.stdout.write(
        `The incident log in ${where} is empty: nothing to verify. Choose the database with --database-url (or DATABASE_URL)${o.demo ? '' : "; the demo's log: esafety incidents verify --demo"}.\n`,
      );
      return;
    }
    if (result.intact) {
      process.stdout.write(`The incident log in ${where} is intact: ${result.entries} entries verified${checkpointed}.\n`);
      return;
    }
    for (const p of result.problems) {
      process.stdout.write(`${p.kind}  ${p.seq !== undefined ? `entry ${p.seq}` : '-'}  ${p.incidentId ? `incident ${p.incidentId}` : '-'}  ${p.why}\n`);
    }
    process.stdout.write(
      `The incident log in ${where} is BROKEN: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'} in ${result.entries} entries.\n`,
    );
    process.exitCode = 1;
  } finally {
    await storage.close();
  }
}

/**
 * `esafety incidents checkpoint [--append-to FILE]`: the chain's head, sealed, as one JSON line:
 * to keep outside the database (docs/incidents.md), and to give `verify --checkpoints`.
 */
export async function checkpointIncidents(o: { databaseUrl?: string; appendTo?: string }): Promise<void> {
  const keys = keysFor(o.databaseUrl);
  const storage = openStorage(o.databaseUrl);
  try {
    await migrateToLatest(storage, keys);
    const head = await new IncidentLog(storage.db, storage.engine, undefined, keys).head();
    if (!head) {
      process.stdout.write('The incident log is empty: nothing to checkpoint.\n');
      return;
    }
    const line = `${JSON.stringify(head)}\n`;
    if (o.appendTo) appendFileSync(o.appendTo, line);
    process.stdout.write(line);
  } finally {
    await storage.close();
  }
}
