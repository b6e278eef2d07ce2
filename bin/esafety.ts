#!/usr/bin/env node
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { ConfigError, loadSchoolConfig } from '../src/config/load-school-config';
import { startDemoTenantServer } from '../src/demo-tenant/demo-tenant-server';
import { createDemoTenant } from '../src/demo-tenant/graph-handlers';
import { generateSchool, sizeForUsers } from '../src/demo-tenant/school-generator';
import { graphAuthFromEnv, type GraphAuthConfig } from '../src/graph/graph-auth';
import { openStorage } from '../src/storage/database';
import { migrateToLatest } from '../src/storage/migrator';
import { PERSONA_KEYS, type PersonaKey } from './demo-personas';
import { oneLineUsageErrors, packageFolder, packageVersion, portNumber, positiveWholeNumber, UsageError } from './cli-arguments';

// restify 11 reads process.binding('http_parser') once at load (DEP0111); it is harmless and would
// otherwise greet every admin with a deprecation warning. Every other warning still prints.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  if (rest.includes('DEP0111') || (rest[0] as { code?: string } | undefined)?.code === 'DEP0111') return;
  (emitWarning as (...a: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

// The server and the demo pull in botbuilder and restify: load them only for the commands that run them.
const startApp: typeof import('./start-app').startApp = (...a) => (require('./start-app') as typeof import('./start-app')).startApp(...a);
const startDemo: typeof import('./start-demo').startDemo = (...a) => (require('./start-demo') as typeof import('./start-demo')).startDemo(...a);

/** Exit codes: 0 fine, 1 failed while running, 2 the input (config, arguments) is wrong. */
const EXIT_BAD_INPUT = 2;

function onShutdown(close: () => Promise<void>): void {
  let closing = false;
  const stop = async (signal: string) => {
    if (closing) return;
    closing = true;
    process.stderr.write(`\n${signal}: stopping...\n`);
    await close().catch((e) => process.stderr.write(`error while stopping: ${(e as Error).message}\n`));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

const program = new Command('esafety')
  .description('E-Safety for Teams: a school e-safety policy, enforced in Microsoft 365')
  .version(packageVersion(), '-V, --version', 'print the version')
  .showSuggestionAfterError();

program
  .command('serve')
  .description('Run the bot, the tab and its API against a real tenant (or the demo tenant with --graph-url)')
  .option('--config <file>', 'school configuration (YAML or JSON)', process.env.ESAFETY_CONFIG)
  // From PORT too, through the same check: PORT=abc must not become port NaN.
  .addOption(new Option('--port <n>', 'port to listen on').env('PORT').argParser(portNumber).default(3978))
  .option('--host <host>', 'address to listen on', process.env.HOST ?? '0.0.0.0')
  .option('--database-url <url>', 'sqlite:PATH or postgres://...', process.env.DATABASE_URL)
  .option('--graph-url <url>', 'Microsoft Graph base URL (national clouds, demo tenant)', process.env.GRAPH_BASE_URL)
  .option('--token <token>', 'a Graph bearer token instead of client credentials')
  .action(async (o: { config?: string; port: number; host: string; databaseUrl?: string; graphUrl?: string; token?: string }) => {
    if (!o.config) throw new ConfigError('no school configuration: pass --config FILE or set ESAFETY_CONFIG');
    // AUDIT_INTERVAL_HOURS=daily would be NaN, and a NaN interval fires every millisecond.
    const auditHours = Number(process.env.AUDIT_INTERVAL_HOURS || 24);
    if (!(auditHours > 0)) throw new ConfigError(`AUDIT_INTERVAL_HOURS: '${process.env.AUDIT_INTERVAL_HOURS}' is not a number of hours (such as 24)`);
    const tenantId = loadSchoolConfig(o.config).school.tenantId;
    const auth: GraphAuthConfig | undefined = o.token ? { mode: 'token', token: o.token } : graphAuthFromEnv(process.env, tenantId);
    if (!auth) throw new ConfigError('no Graph credentials: set GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET, or GRAPH_TOKEN, or pass --token');
    // Without an app id the bot would accept activities without a Bot Framework token: that is for
    // the local playground (esafety demo) only.
    if (!process.env.BOT_ID || !process.env.BOT_PASSWORD)
      throw new ConfigError(
        'BOT_ID and BOT_PASSWORD are required: the bot checks every activity\'s Bot Framework token (use "esafety demo" to run without Teams)',
      );
    const app = await startApp({
      configFile: o.config,
      port: o.port,
      host: o.host,
      ...(o.databaseUrl ? { databaseUrl: o.databaseUrl } : {}),
      graph: { ...(o.graphUrl ? { baseUrl: o.graphUrl } : {}), auth },
      bot: { appId: process.env.BOT_ID, appPassword: process.env.BOT_PASSWORD, tenantId },
      auditSchedule: {
        intervalMs: auditHours * 60 * 60_000,
        ...(process.env.TEAMS_APP_ID ? { tabLink: `https://teams.microsoft.com/l/entity/${process.env.TEAMS_APP_ID}/esafety-home` } : {}),
      },
      ...(process.env.TAB_CLIENT_ID
        ? { tab: { clientId: process.env.TAB_CLIENT_ID, applicationIdUri: process.env.TAB_APP_ID_URI, authorityHost: process.env.ENTRA_AUTHORITY_HOST } }
        : {}),
    });
    onShutdown(() => app.close());
  });

program
  .command('demo')
  .description('Run everything on the demo tenant: simulated Graph, the app on SQLite, and the Agents Playground')
  .option('--port <n>', 'app port', portNumber, 3978)
  .option('--tenant-port <n>', 'demo tenant (simulated Graph) port', portNumber, 5599)
  .option('--playground-port <n>', 'Agents Playground port', portNumber, 56150)
  .option('--no-playground', 'do not start the Agents Playground')
  .option('--users <n>', 'size of the demo school', positiveWholeNumber)
  .option('--database-url <url>', 'sqlite:PATH or postgres://... (default sqlite:data/demo.db)')
  .addOption(new Option('--as <persona>', 'who you are in the playground chat').choices(Object.keys(PERSONA_KEYS)).default('teacher'))
  .action(
    async (o: { port: number; tenantPort: number; playgroundPort: number; playground: boolean; users?: number; databaseUrl?: string; as: PersonaKey }) => {
      // A broken demo config stops here, before the simulated tenant takes its port.
      loadSchoolConfig(join(packageFolder(), 'config', 'demo-school.yaml'));
      const demo = await startDemo({
        port: o.port,
        tenantPort: o.tenantPort,
        playgroundPort: o.playgroundPort,
        playground: o.playground,
        ...(o.users ? { users: o.users } : {}),
        ...(o.databaseUrl ? { databaseUrl: o.databaseUrl } : {}),
        playgroundPersona: o.as,
      });
      const { demoPersonas, playgroundUserOf } = require('./start-demo') as typeof import('./start-demo');
      const me = demoPersonas(demo.school).find((p) => p.id === playgroundUserOf(demo.school, { playgroundPersona: o.as }))!;
      const others = Object.keys(PERSONA_KEYS).filter((k) => k !== o.as);
      const lines = [
        '',
        'E-Safety for Teams is running on the demo tenant (Demo Academy).',
        '',
        `  Tab (pick a persona):     ${demo.app.url}/`,
        ...(demo.playgroundUrl
          ? [
              `  Bot in the playground:    ${demo.playgroundUrl}  (you are ${me.displayName}, ${me.description}; type "help")`,
              `  Be someone else there:    npm run demo -- --as ${others[0]}   (${others.join(', ')})`,
            ]
          : []),
        `  Simulated Graph:          ${demo.tenant.graphBaseUrl}`,
        `  Email the app sent:       ${demo.tenant.url}/_demo/outbox  (the LADO, parents)`,
        `  Health:                   ${demo.app.url}/healthz`,
        `  Incident log key:         ${demo.app.incidentLog.keySource}  (outside the database; docs/incidents.md)`,
        ...(demo.app.incidentLog.checkpointFile ? [`  Incident log checkpoints: ${demo.app.incidentLog.checkpointFile}`] : []),
        '',
        'Press Ctrl-C to stop.',
        '',
      ];
      process.stdout.write(lines.join('\n'));
      onShutdown(() => demo.close());
    },
  );

program
  .command('demo-tenant')
  .description('Run only the simulated Microsoft Graph with the seeded demo school')
  .option('--port <n>', 'port', portNumber, 5599)
  .option('--users <n>', 'size of the school', positiveWholeNumber)
  .action(async (o: { port: number; users?: number }) => {
    const school = generateSchool(o.users ? { size: sizeForUsers(o.users) } : {});
    const running = await startDemoTenantServer(createDemoTenant(school), o.port);
    process.stdout.write(`Demo tenant (${school.users.length} users) at ${running.graphBaseUrl}\n`);
    onShutdown(() => running.close());
  });

program
  .command('audit')
  .description('Audit the tenant against the e-safety policy: findings tied to the clause they break')
  .option('--demo', 'audit the demo tenant (no Microsoft 365 needed)')
  .option('--users <n>', 'with --demo: size of the demo school', positiveWholeNumber)
  .option('--config <file>', 'school configuration', process.env.ESAFETY_CONFIG)
  .option('--graph-url <url>', 'Microsoft Graph base URL (national clouds)')
  .option('--token <token>', 'a Graph bearer token instead of client credentials')
  .option('--database-url <url>', 'where runs are kept: sqlite:PATH or postgres://...')
  .option('--json <file>', 'write the JSON report')
  .option('--csv <file>', 'write the findings as CSV')
  .option('--html <file>', 'write a self-contained HTML report')
  .option('--since-last', "re-audit drives from the last run's delta tokens instead of from scratch")
  .option('--teams-policy <file>', 'JSON export of Get-CsTeamsMeetingPolicy / Get-CsTenantFederationConfiguration (docs/audit.md)')
  .action(async (o: import('./audit-command').AuditCommandOptions) => {
    await (require('./audit-command') as typeof import('./audit-command')).auditCommand(o);
  });

// The catalogue of controls is the one source: docs/audit.md's table and the tab's filters come from it.
program
  .command('audit-controls')
  .description("The audit's catalogue of controls: id, title, severity, area, clause")
  .option('--json', 'as JSON')
  .option('--update-doc <file>', 'rewrite the generated control table of docs/audit.md')
  .action((o: { json?: boolean; updateDoc?: string }) => {
    const { CONTROLS } = require('../src/audit/controls/catalogue') as typeof import('../src/audit/controls/catalogue');
    if (o.updateDoc) {
      const { readFileSync, writeFileSync } = require('node:fs') as typeof import('node:fs');
      const { fillControlsSection } = require('../src/audit/controls/catalogue-doc') as typeof import('../src/audit/controls/catalogue-doc');
      writeFileSync(o.updateDoc, fillControlsSection(readFileSync(o.updateDoc, 'utf8')));
      process.stdout.write(`updated ${o.updateDoc}\n`);
      return;
    }
    if (o.json) process.stdout.write(`${JSON.stringify(CONTROLS, null, 2)}\n`);
    else process.stdout.write(CONTROLS.map((c) => `${c.id.padEnd(20)} ${c.severity.padEnd(7)} ${c.title}`).join('\n') + '\n');
  });

const config = program.command('config').description('School configuration');
config
  .command('check <file>')
  .description('Validate a school configuration file')
  .action((file: string) => {
    const c = loadSchoolConfig(file);
    process.stdout.write(`${file}: OK (${c.school.name}, ${c.policies.length} policies)\n`);
  });

const incidents = program.command('incidents').description('The e-safety incident log');
incidents
  .command('verify')
  .description('Prove the incident log is intact: every entry chained, sealed with the key and checkpointed; one line per problem')
  .option('--database-url <url>', 'sqlite:PATH or postgres://...', process.env.DATABASE_URL)
  .option('--checkpoints <file>', 'the external copy of the checkpoints (from "incidents checkpoint --append-to")', process.env.INCIDENT_LOG_CHECKPOINT_FILE)
  .option('--demo', 'verify the log "npm run demo" keeps (data/demo.db, with its checkpoint file)')
  .action(async (o: { databaseUrl?: string; checkpoints?: string; demo?: boolean }) => {
    await (require('./incident-commands') as typeof import('./incident-commands')).verifyIncidents(o);
  });

incidents
  .command('checkpoint')
  .description("Print the incident log's head, sealed with the key, as one line to keep outside the database")
  .option('--database-url <url>', 'sqlite:PATH or postgres://...', process.env.DATABASE_URL)
  .option('--append-to <file>', 'also append the line to this file')
  .action(async (o: { databaseUrl?: string; appendTo?: string }) => {
    await (require('./incident-commands') as typeof import('./incident-commands')).checkpointIncidents(o);
  });

incidents
  .command('export')
  .description('Subject access request: every incident a person reported or is named in, as JSON')
  .requiredOption('--person <id>', "the person's Entra object id or UPN")
  .requiredOption('--requested-by <who>', 'who asked (recorded in the audit log)')
  .option('--config <file>', 'school configuration', process.env.ESAFETY_CONFIG)
  .option('--demo', 'look the person up in the demo tenant')
  .option('--database-url <url>', 'sqlite:PATH or postgres://...', process.env.DATABASE_URL)
  .action(async (o: { person: string; requestedBy: string; config?: string; demo?: boolean; databaseUrl?: string }) => {
    await (require('./incident-commands') as typeof import('./incident-commands')).exportIncidents(o);
  });

incidents
  .command('retention')
  .description("List incidents whose retention period has ended (the child's date of birth + N years); --apply erases their text")
  .option('--apply', "erase them (categories and dates stay for the governors' figures)")
  .option('--by <who>', 'who authorised the erasure (recorded in the incident log)')
  .option('--config <file>', 'school configuration', process.env.ESAFETY_CONFIG)
  .option('--demo', 'use the demo tenant for dates of birth')
  .option('--database-url <url>', 'sqlite:PATH or postgres://...', process.env.DATABASE_URL)
  .action(async (o: { apply?: boolean; by?: string; config?: string; demo?: boolean; databaseUrl?: string }) => {
    await (require('./incident-commands') as typeof import('./incident-commands')).incidentRetention(o);
  });

// The permission table is the one source (decision 3): deployment scripts read it from here.
program
  .command('permissions')
  .description('The Microsoft Graph application permissions the app needs, from its permission table')
  .option('--audit-only', "only the read-only audit mode's permissions")
  .option('--json', "as JSON: app, auditOnly and api (with each API's documented permissions)")
  .option('--update-doc <file>', 'rewrite the generated tables of docs/permissions.md')
  .action((o: { auditOnly?: boolean; json?: boolean; updateDoc?: string }) => {
    const { API_PERMISSIONS, APP_PERMISSIONS, AUDIT_ONLY_PERMISSIONS } = require('../src/graph/permissions') as typeof import('../src/graph/permissions');
    if (o.updateDoc) {
      const { readFileSync, writeFileSync } = require('node:fs') as typeof import('node:fs');
      const { fillGeneratedSections } = require('../src/graph/permissions-doc') as typeof import('../src/graph/permissions-doc');
      writeFileSync(o.updateDoc, fillGeneratedSections(readFileSync(o.updateDoc, 'utf8')));
      process.stdout.write(`updated ${o.updateDoc}\n`);
      return;
    }
    const list = o.auditOnly ? AUDIT_ONLY_PERMISSIONS : APP_PERMISSIONS;
    if (o.json) {
      process.stdout.write(
        `${JSON.stringify({ app: APP_PERMISSIONS, auditOnly: AUDIT_ONLY_PERMISSIONS, api: API_PERMISSIONS.map(({ pattern: _p, ...row }) => row) }, null, 2)}\n`,
      );
      return;
    }
    process.stdout.write(`${list.join('\n')}\n`);
  });

const db = program.command('db').description('Database');
db.command('migrate')
  .description('Apply database migrations (also done at start-up)')
  .option('--database-url <url>', 'sqlite:PATH or postgres://...', process.env.DATABASE_URL)
  .action(async (o: { databaseUrl?: string }) => {
    const storage = openStorage(o.databaseUrl);
    try {
      // The incident log's migration needs its key: the environment's, or the demo's key file.
      const keys = (require('./incident-commands') as typeof import('./incident-commands')).existingIncidentLogKeys(o.databaseUrl);
      const applied = await migrateToLatest(storage, keys);
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
    } finally {
      await storage.close();
    }
  });

oneLineUsageErrors(program);

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof UsageError) {
    if (!e.alreadyShown) process.stderr.write(`esafety: ${e.message}\n`);
    process.exit(e.exitCode);
  }
  if (e instanceof ConfigError) {
    process.stderr.write(`esafety: ${e.message}\n`);
    process.exit(EXIT_BAD_INPUT);
  }
  process.stderr.write(`esafety: ${(e as Error).message ?? String(e)}\n`);
  process.exit(1);
});
