import { join } from 'node:path';
import pino from 'pino';
import { ConfigError, loadSchoolConfig } from '../src/config/load-school-config';
import { startDemoTenantServer } from '../src/demo-tenant/demo-tenant-server';
import { createDemoTenant } from '../src/demo-tenant/graph-handlers';
import { generateSchool } from '../src/demo-tenant/school-generator';
import { GraphAccess } from '../src/graph/graph-access';
import { graphAuthFromEnv, tokenSourceFor } from '../src/graph/graph-auth';
import { IncidentService } from '../src/incidents/incident-service';
import { RecordingNotifier } from '../src/notify/notifier';
import { SchoolDirectory } from '../src/school/school-directory';
import { openStorage } from '../src/storage/database';
import { migrateToLatest } from '../src/storage/migrator';
import { packageRoot } from './start-app';

/** `esafety incidents export --person X`: one person's incident records as JSON on stdout. */
export async function exportIncidents(o: { person: string; requestedBy: string; config?: string; demo?: boolean; databaseUrl?: string }): Promise<void> {
  const configFile = o.config ?? (o.demo ? join(packageRoot(), 'config', 'demo-school.yaml') : undefined);
  if (!configFile) throw new ConfigError('no school configuration: pass --config FILE, set ESAFETY_CONFIG, or use --demo');
  const config = loadSchoolConfig(configFile);
  const tenant = o.demo ? await startDemoTenantServer(createDemoTenant(generateSchool())) : undefined;
  const auth = tenant ? ({ mode: 'demo' } as const) : graphAuthFromEnv(process.env, config.school.tenantId);
  if (!auth) throw new ConfigError('no Graph credentials: set GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET, or GRAPH_TOKEN, or use --demo');
  const base = tenant?.graphBaseUrl ?? process.env.GRAPH_BASE_URL ?? 'https://graph.microsoft.com/v1.0';
  const storage = openStorage(o.databaseUrl);
  try {
    await migrateToLatest(storage);
    const directory = new SchoolDirectory(new GraphAccess({ baseUrl: base, tokens: tokenSourceFor(auth, base) }), config);
    const person = await directory.person(o.person);
    if (!person) throw new ConfigError(`${o.person}: no such person in the tenant`);
    const service = new IncidentService(storage.db, storage.engine, config, directory, new RecordingNotifier(), pino({ level: 'silent' }));
    const records = await service.exportForPerson(person, o.requestedBy);
    process.stdout.write(`${JSON.stringify({ person: { id: person.id, name: person.displayName }, exportedAt: new Date().toISOString(), incidents: records }, null, 2)}\n`);
  } finally {
    await storage.close();
    await tenant?.close();
  }
}
