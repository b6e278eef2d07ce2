import { join } from 'node:path';
import pino from 'pino';
import { ConfigError, loadSchoolConfig } from '../src/config/load-school-config';
import { startDemoTenantServer } from '../src/demo-tenant/demo-tenant-server';
import { createDemoTenant } from '../src/demo-tenant/graph-handlers';
import { generateSchool } from '../src/demo-tenant/school-generator';
import { GraphAccess } from '../src/graph/graph-access';
import { graphAuthFromEnv, tokenSourceFor } from '../src/graph/graph-auth';
import type { SchoolConfig } from '../src/config/school-config';
import { IncidentRetention } from '../src/incidents/incident-retention';
import { IncidentService } from '../src/incidents/incident-service';
import { RecordingNotifier } from '../src/notify/notifier';
import { SchoolDirectory } from '../src/school/school-directory';
import { openStorage, type Storage } from '../src/storage/database';
import { migrateToLatest } from '../src/storage/migrator';
import { packageRoot } from './start-app';

interface CommandOptions {
  config?: string;
  demo?: boolean;
  databaseUrl?: string;
}

/** Config, storage and the school directory (demo tenant or the real one) for one command. */
async function withSchool<T>(o: CommandOptions, work: (ctx: { config: SchoolConfig; storage: Storage; directory: SchoolDirectory }) => Promise<T>): Promise<T> {
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
  const storage = openStorage(o.databaseUrl);
  try {
    await migrateToLatest(storage);
    const directory = new SchoolDirectory(new GraphAccess({ baseUrl: base, tokens: tokenSourceFor(auth, base) }), config);
    return await work({ config, storage, directory });
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
    const service = new IncidentService(storage.db, storage.engine, config, directory, new RecordingNotifier(), pino({ level: 'silent' }));
    const records = await service.exportForPerson(person, o.requestedBy);
    process.stdout.write(`${JSON.stringify({ person: { id: person.id, name: person.displayName }, exportedAt: new Date().toISOString(), incidents: records }, null, 2)}\n`);
  });
}

/**
 * `esafety incidents retention`: lists what the retention rule would erase; with `--apply --by`
 * erases it, recording who authorised it. Destroying a record is a person's decision, so nothing
 * runs this on a timer.
 */
export async function incidentRetention(o: CommandOptions & { apply?: boolean; by?: string }): Promise<void> {
  if (o.apply && !o.by) throw new ConfigError('--apply needs --by <who authorised it> (recorded in the incident log)');
  await withSchool(o, async ({ config, storage, directory }) => {
    const retention = new IncidentRetention(storage.db, storage.engine, config, directory);
    const rule = config.safeguarding.retention;
    process.stdout.write(`Retention: ${rule.mode === 'keep' ? 'keep every record' : `until the child's date of birth + ${rule.yearsAfterBirth} years`}\n`);
    const due = o.apply ? await retention.apply(o.by!) : await retention.due();
    for (const d of due) process.stdout.write(`${o.apply ? 'erased' : 'due'}  ${d.incidentId}  ${d.category}/${d.subCategory}  reported ${d.reportedAt.slice(0, 10)}  kept until ${d.retainUntil}\n`);
    process.stdout.write(`${due.length} incident${due.length === 1 ? '' : 's'} ${o.apply ? 'erased' : 'due for erasure (run again with --apply --by <who>)'}\n`);
  });
}
