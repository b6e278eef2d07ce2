import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Server } from 'restify';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { createBotAdapter, createBotAuthentication, type BotCredentials } from '../bot/bot-adapter';
import { botEndpoint } from '../bot/bot-endpoint';
import { BotNotifier } from '../bot/bot-notifier';
import { incidentCardHandlers, reportCommand, reportMessageAction } from '../bot/incident-actions';
import { IncidentReminders } from '../src/incidents/incident-reminders';
import { IncidentService } from '../src/incidents/incident-service';
import { scheduleIncidentWork } from '../src/incidents/incident-schedule';
import { JobRunner } from '../src/jobs/job-runner';
import { CheckpointCopy } from '../src/incidents/incident-checkpoint-copy';
import { incidentLogKeysFor, type IncidentLogKeys } from '../src/incidents/incident-log-key';
import { AcceptanceRegister } from '../src/aup/acceptance-register';
import { AupCampaigns, DEFAULT_CAMPAIGN_SETTINGS } from '../src/aup/aup-campaigns';
import { GraphAppInstaller } from '../src/notify/app-installer';
import { AupSchedule, aupRounds } from '../src/aup/aup-schedule';
import { AupService } from '../src/aup/aup-service';
import { PolicyLibrary } from '../src/aup/policy-library';
import { Pacer } from '../src/notify/pacer';
import { aupRoutes } from '../src/server/aup-routes';
import { parentPages } from '../src/server/parent-pages';
import { ParentCountersignatures } from '../src/aup/parent-countersignatures';
import { aupCardHandlers, policiesCommand } from '../bot/aup-actions';
import { lessonCardHandlers, lessonCommand, meetingEvents } from '../bot/lesson-actions';
import { BotRouter } from '../bot/card-action-router';
import { incidentCardActions } from '../src/incidents/cards/incident-card-actions';
import { aupCardActions } from '../src/aup/cards/aup-card-actions';
import { lessonCardActions } from '../src/lessons/cards/lesson-card-actions';
import { LessonSchedule } from '../src/lessons/lesson-schedule';
import { LessonService } from '../src/lessons/lesson-service';
import { MeetingWatch } from '../src/lessons/meeting-watch';
import { graphWebhook, lessonRoutes } from '../src/server/lesson-routes';
import { permissionRoutes } from '../src/server/permission-routes';
import { capabilityReport, mailNote, rolesOf, type CapabilityStatus } from '../src/graph/permissions';
import type { TokenSource } from '../src/graph/graph-auth';
import { GraphMailer } from '../src/notify/mailer';
import { AuditSchedule } from '../src/audit/audit-schedule';
import { AuditService } from '../src/audit/audit-service';
import { AuditStore } from '../src/audit/audit-store';
import { AuditWatermarks } from '../src/audit/audit-watermark';
import { citeFrom } from '../src/audit/policy-references';
import { exchangeAdminFor } from '../src/exchange/exchange-admin';
import { auditRoutes } from '../src/server/audit-routes';
import { auditControlRoutes } from '../src/server/audit-control-routes';
import { incidentRoutes } from '../src/server/incident-routes';
import { governanceFeature } from './governance-wiring';
import type { ReviewSchedule } from '../src/governance/review-schedule';
import { JobLeases } from '../src/storage/job-lease';
import { ESafetyBot } from '../bot/esafety-bot';
import { AnyOf, DemoSignIn } from '../src/auth/demo-sign-in';
import { EntraTokenValidator } from '../src/auth/entra-token-validator';
import type { TokenValidator } from '../src/auth/identity';
import { ConfigError, loadSchoolConfig } from '../src/config/load-school-config';
import type { SchoolConfig } from '../src/config/school-config';
import { GraphAccess, GRAPH_BASE_URL } from '../src/graph/graph-access';
import { tokenSourceFor, type GraphAuthConfig } from '../src/graph/graph-auth';
import { createLogger, type Logger } from '../src/logging/logger';
import { SchoolDirectory } from '../src/school/school-directory';
import { DirectoryRefresher, scheduleDirectoryRefresh } from '../src/school/directory-refresh';
import { DirectoryStore } from '../src/school/directory-store';
import { createServer, type DemoPersona } from '../src/server/create-server';
import { RateLimits, type RateLimitSettings } from '../src/server/rate-limits';
import { AuditLog } from '../src/storage/audit-log';
import { ConversationReferences } from '../src/storage/conversation-references';
import { DEFAULT_DATABASE_URL, openStorage, type Storage } from '../src/storage/database';
import { migrateToLatest } from '../src/storage/migrator';

export interface AppOptions {
  /** The incident log's key; INCIDENT_LOG_KEY (or the demo's key file) when not given. */
  incidentLogKeys?: IncidentLogKeys;
  /** Where the external copy of the log's checkpoints goes (INCIDENT_LOG_CHECKPOINT_FILE). */
  incidentCheckpointFile?: string;
  /** Subscribe to staff calendars at start-up (default true; tests that do not need it turn it off). */
  watchCalendars?: boolean;
  /** The app's id in the org's Teams catalogue, to install it for people (TEAMS_APP_CATALOG_ID). */
  teamsAppCatalogId?: string;
  /** Where people reach the app (links in cards); the listening address if unset (PUBLIC_URL). */
  publicUrl?: string;
  configFile: string;
  databaseUrl?: string;
  port?: number;
  host?: string;
  graph: { baseUrl?: string; auth: GraphAuthConfig; exchangeAdminUrl?: string };
  bot?: BotCredentials;
  /** The tab's Entra app registration (Teams SSO). Without it only demo sign-in works. */
  tab?: { clientId: string; applicationIdUri?: string; authorityHost?: string };
  demo?: { personas: DemoPersona[] };
  /** The daily tenant audit (off unless asked: tests start many apps). */
  auditSchedule?: { intervalMs: number; tabLink?: string; autoStart?: boolean };
  logger?: Logger;
  /** Rate limits; proxies in front that append to X-Forwarded-For come from TRUSTED_PROXIES. */
  rateLimits?: Partial<RateLimitSettings>;
  /** How often the school directory is refreshed from Graph's deltas (default five minutes); false: never, people are read from Graph. */
  directoryRefresh?: { intervalMs?: number } | false;
}

export interface RunningApp {
  url: string;
  port: number;
  config: SchoolConfig;
  storage: Storage;
  graph: GraphAccess;
  server: Server;
  logger: Logger;
  auditSchedule?: AuditSchedule;
  /** Policy campaigns and parents' emails: one round on demand (tests, after a publish). */
  aupSchedule: AupSchedule;
  /** Lesson announcements, recording checks and calendar subscriptions: a round on demand. */
  lessonSchedule: LessonSchedule;
  /** Policy review reminders: a check on demand. */
  reviewSchedule: ReviewSchedule;
  /** All scheduled work (one leased runner). */
  jobs: JobRunner;
  /** Keeps the school directory in the database from Graph's deltas (a refresh on demand). */
  directoryRefresher?: DirectoryRefresher;
  /** The Teams bot (tests read the commands it answers). */
  bot: ESafetyBot;
  /** Where the incident log's key came from (a path or variable name, never the key) and its external checkpoints go. */
  incidentLog: { keySource: string; checkpointFile?: string };
  /** The incident log's keys, for in-process use only (the demo's seeded half-term). */
  incidentLogKeys: IncidentLogKeys;
  close(): Promise<void>;
}

/** The roles in the app's Graph token, and what they allow; unknown when the token says nothing. */
async function permissionsAtStart(tokens: TokenSource, logger: Logger): Promise<{ granted: string[] | null; capabilities: CapabilityStatus[] | null }> {
  let granted: string[] | undefined;
  try {
    granted = rolesOf(await tokens.getAccessToken());
  } catch (e) {
    logger.warn({ err: e }, 'could not get a Graph token to read the granted permissions');
  }
  if (!granted) {
    logger.info('Graph permissions: not known from the token (the demo token or a pasted delegated token); each check reports what it could not read');
    return { granted: null, capabilities: null };
  }
  const capabilities = capabilityReport(granted);
  for (const c of capabilities.filter((x) => !x.available))
    logger.warn({ feature: c.feature, missing: c.missing }, `not available: ${c.feature}, ${c.what} (missing ${c.missing.join(', ')})`);
  // Mail.Send lives in Exchange (RBAC for Applications), never in `roles`: say so, once.
  const mail = capabilities.find((c) => c.grantedIn === 'exchange');
  if (mail?.note) logger.info(mail.note);
  logger.info({ available: capabilities.filter((c) => c.available).length, of: capabilities.length }, 'Graph permissions checked');
  return { granted, capabilities };
}

/** The folder holding package.json, whether running from source (ts) or from dist/. */
export function packageRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

/**
 * Starts the one server process: tab API, bot endpoint, built tab, health checks. The config is
 * read first, so a bad file stops everything before a database file or a port is touched.
 */
export async function startApp(options: AppOptions): Promise<RunningApp> {
  const config = loadSchoolConfig(options.configFile);
  const logger = options.logger ?? createLogger();
  const databaseUrl = options.databaseUrl ?? DEFAULT_DATABASE_URL;
  const logKey = options.incidentLogKeys
    ? { keys: options.incidentLogKeys, source: 'given' }
    : incidentLogKeysFor({ env: process.env, databaseUrl, demo: !!options.demo, dataDir: join(packageRoot(), 'data'), create: true });
  if (!logKey)
    throw new ConfigError('INCIDENT_LOG_KEY is required with PostgreSQL: the incident log is sealed with a key kept outside the database (docs/incidents.md)');
  if (logKey.source === 'INCIDENT_LOG_KEY' || logKey.source === 'given' || options.demo) logger.info({ source: logKey.source }, 'incident log key');
  else
    logger.warn(
      { source: logKey.source },
      'incident log key generated beside the database: anyone who can copy the database can copy it too; set INCIDENT_LOG_KEY (docs/incidents.md)',
    );
  const storage = openStorage(databaseUrl);
  try {
    await migrateToLatest(storage, logKey.keys);
  } catch (e) {
    await storage.close();
    throw e;
  }

  const graphBaseUrl = options.graph.baseUrl ?? GRAPH_BASE_URL;
  const tokens = tokenSourceFor(options.graph.auth, graphBaseUrl);
  const graph = new GraphAccess({ baseUrl: graphBaseUrl, tokens });
  // What the granted Graph permissions allow, said at start (an audit-only deployment is normal).
  const permissions = await permissionsAtStart(tokens, logger);
  // The school directory is kept in the database from Graph's deltas, so a click never waits for
  // Graph (issue 16); until its first refresh, people are read from Graph as before.
  const directoryStore = options.directoryRefresh === false ? undefined : new DirectoryStore(storage.db);
  // A copy not refreshed for three intervals (refreshes failing) is not used: people are read from
  // Graph again, the log says so and /readyz shows it.
  const refreshIntervalMs = (options.directoryRefresh || undefined)?.intervalMs ?? 5 * 60_000;
  const directory = new SchoolDirectory(graph, config, undefined, undefined, directoryStore, {
    maxStaleMs: 3 * refreshIntervalMs,
    onStale: (f) => logger.warn({ oldestSyncedAt: f.oldestSyncedAt }, 'school directory copy is stale: reading people from Graph until a refresh succeeds'),
  });
  const conversations = new ConversationReferences(storage.db);

  const validators: TokenValidator[] = [];
  let demo: { signIn: DemoSignIn; personas: DemoPersona[] } | undefined;
  if (options.demo) {
    demo = { signIn: new DemoSignIn(config.school.tenantId), personas: options.demo.personas };
    validators.push(demo.signIn);
  }
  if (options.tab?.clientId) {
    const audiences = [options.tab.clientId, ...(options.tab.applicationIdUri ? [options.tab.applicationIdUri] : [])];
    validators.push(
      new EntraTokenValidator({
        tenantId: config.school.tenantId,
        audiences,
        ...(options.tab.authorityHost ? { authorityHost: options.tab.authorityHost } : {}),
      }),
    );
  }

  const botAuthentication = createBotAuthentication(options.bot ?? {});
  const adapter = createBotAdapter(botAuthentication, logger);
  const notifier = new BotNotifier(adapter, options.bot?.appId ?? '', conversations, { tenantId: config.school.tenantId });
  const mailer = config.mail ? new GraphMailer(graph, config.mail.sender) : undefined;
  // The report an admin reads: the token's roles at start, and what the last send taught about mail.
  const permissionReport = () => ({
    granted: permissions.granted,
    capabilities: permissions.granted ? capabilityReport(permissions.granted, mailer?.check) : null,
    mail: mailer ? { grantedIn: 'exchange' as const, ...mailer.check, note: mailNote(mailer.check) } : null,
  });
  const incidents = new IncidentService({
    db: storage.db,
    engine: storage.engine,
    config,
    directory,
    notifier,
    logger,
    ...(mailer ? { mailer } : {}),
    logKeys: logKey.keys,
  });
  // Acceptable use: links in cards point at the tab, whose address is known once listening.
  let publicUrl = options.publicUrl ?? process.env.PUBLIC_URL ?? '';
  const links = {
    policyText: (versionId: string) => `${publicUrl}/#my-policies/${encodeURIComponent(versionId)}`,
    coverage: (policyId: string) => `${publicUrl}/#policies/${encodeURIComponent(policyId)}`,
  };
  const configDir = dirname(resolve(options.configFile));
  const library = new PolicyLibrary(storage.db, config, (file) => readFileSync(resolve(configDir, file), 'utf8'));
  const register = new AcceptanceRegister(storage.db);
  // Install the app for people who lack it, from the org catalogue (the demo tenant pretends).
  const catalogAppId = options.teamsAppCatalogId ?? process.env.TEAMS_APP_CATALOG_ID ?? (options.demo ? 'e5afe000-demo-catalog' : undefined);
  // Already installed (409): the person's chat is fetched from Graph and kept for the bot.
  const installer = catalogAppId ? new GraphAppInstaller(graph, catalogAppId, (userId, chatId) => notifier.rememberPersonalChat(userId, chatId)) : undefined;
  const rounds = aupRounds();
  const campaigns = new AupCampaigns({
    db: storage.db,
    library,
    register,
    directory,
    notifier,
    pacer: new Pacer(),
    links,
    logger,
    settings: { ...DEFAULT_CAMPAIGN_SETTINGS, claimTimeoutMs: rounds.budgetMs + rounds.intervalMs },
    installer,
  });
  const aup = new AupService({ db: storage.db, config, library, register, campaigns, directory, notifier, links });
  // Every instance holds leases under its own name, so each scheduled job runs once across instances.
  const leases = new JobLeases(storage.db, `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`);
  const jobs = new JobRunner({ leases, logger });
  const directoryRefresher = directoryStore
    ? new DirectoryRefresher({ graph, store: directoryStore, config, onRefreshed: () => directory.localChanged() })
    : undefined;
  if (directoryRefresher && options.directoryRefresh !== false) scheduleDirectoryRefresh(jobs, directoryRefresher, options.directoryRefresh?.intervalMs);
  const parents = new ParentCountersignatures({ db: storage.db, library, directory, mailer, linkUrl: (token) => `${publicUrl}/parent/${token}`, logger });
  const aupSchedule = new AupSchedule({ runner: jobs, campaigns, logger, parents, rounds });

  // Remote lessons, and the watch on staff calendars (Graph change notifications to our webhook).
  const lessons = new LessonService({ db: storage.db, config, graph, directory, notifier, logger, installer });
  const meetingWatch = new MeetingWatch({
    db: storage.db,
    config,
    graph,
    directory,
    notifier,
    logger,
    notificationUrl: () => `${publicUrl}/api/graph/notifications`,
  });
  // Subscriptions need the webhook reachable: the runner starts once the server listens.
  const lessonSchedule = new LessonSchedule({
    runner: jobs,
    lessons,
    watch: meetingWatch,
    logger,
    options: { subscriptionsAtStart: options.watchCalendars !== false },
  });

  // One set of counters for the tab's API and the bot: a report is a write wherever it comes from.
  const rateLimits = new RateLimits({ trustedProxies: Number(process.env.TRUSTED_PROXIES) || 0, ...options.rateLimits });
  // Every card action and command goes to its feature; the sender is looked up once per activity.
  const router = new BotRouter()
    .command(reportCommand())
    .command(policiesCommand(aup))
    .command(lessonCommand(lessons))
    .cardActions(incidentCardActions, incidentCardHandlers(incidents, rateLimits))
    .cardActions(aupCardActions, aupCardHandlers(aup))
    .cardActions(lessonCardActions, lessonCardHandlers(lessons));
  const bot = new ESafetyBot({
    schoolName: config.school.name,
    tenantId: config.school.tenantId,
    personOf: (id) => directory.person(id),
    conversations,
    logger,
    router,
    meetingEvents: meetingEvents(lessons),
    messageAction: reportMessageAction(incidents, rateLimits),
    // Incident cards that waited for someone with no chat go as soon as they open one (#16).
    reachable: (personId) => incidents.reachable(personId),
  });

  const auditStore = new AuditStore(storage.db, undefined, citeFrom(config));
  const exchange = exchangeAdminFor(options.graph.auth, config.school.tenantId, process.env, options.graph.exchangeAdminUrl);
  const auditService = new AuditService({ graph, config, store: auditStore, exchange, watermarks: new AuditWatermarks(storage.db) });

  const governance = governanceFeature({
    storage,
    config,
    directory,
    notifier,
    logger,
    runner: jobs,
    auditStore,
    aup,
    link: () => `${publicUrl}/#governors-report`,
  });

  const server = createServer({
    config,
    storage,
    directory,
    tokens: new AnyOf(validators),
    logger,
    graph,
    rateLimits,
    botMessages: botEndpoint({ adapter, authentication: botAuthentication, bot }),
    tabDirectory: resolve(packageRoot(), 'tab', 'dist'),
    ...(demo ? { demo } : {}),
    features: [
      governance.routes,
      auditRoutes({ tenantId: config.school.tenantId, service: auditService, store: auditStore, leases, incidents }),
      incidentRoutes(incidents),
      aupRoutes(aup, () => void aupSchedule.tick(), parents),
      parentPages(parents, config.school.name, logger),
      lessonRoutes(lessons),
      graphWebhook(meetingWatch, logger),
      permissionRoutes(permissionReport),
      auditControlRoutes({ tenantId: config.school.tenantId, store: auditStore, cite: citeFrom(config) }),
    ],
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3978, options.host ?? '127.0.0.1', () => resolveListen());
  });
  const address = server.address();
  const url = `http://${options.host ?? '127.0.0.1'}:${address.port}`;
  publicUrl ||= url;
  await new AuditLog(storage.db).append({
    actorId: null,
    action: 'server.started',
    subjectType: 'server',
    detail: { engine: storage.engine, graph: new URL(graphBaseUrl).host, demo: !!demo },
  });
  logger.info({ url, engine: storage.engine, demo: !!demo }, 'E-Safety for Teams is listening');

  // Reminders and escalation for unacknowledged incidents, on one instance.
  const reminders = new IncidentReminders({
    incidents,
    config,
    directory,
    notifier,
    logger,
    options: {
      acknowledgeWithinMinutes: Number(process.env.INCIDENT_ACKNOWLEDGE_MINUTES ?? 120),
      schoolDay: { timeZone: config.school.timeZone, startHour: 8, endHour: 17 },
    },
  });
  // The external copy of the checkpoints, hourly on one instance (docs/incidents.md).
  const checkpointFile = options.incidentCheckpointFile ?? process.env.INCIDENT_LOG_CHECKPOINT_FILE;
  const checkpointCopy = checkpointFile ? new CheckpointCopy(incidents.store.log, checkpointFile) : undefined;
  // Cards queued before a restart, or claimed by a process that died, go out by the delivery sweep.
  scheduleIncidentWork({ runner: jobs, incidents, reminders, logger, ...(checkpointCopy ? { checkpointCopy } : {}) });

  let auditSchedule: AuditSchedule | undefined;
  if (options.auditSchedule) {
    auditSchedule = new AuditSchedule({
      runner: jobs,
      service: auditService,
      store: auditStore,
      directory,
      notifier,
      logger,
      options: {
        tenantId: config.school.tenantId,
        schoolName: config.school.name,
        intervalMs: options.auditSchedule.intervalMs,
        tabLink: options.auditSchedule.tabLink ?? `${url}/#audit`,
        // A due audit starts at once, then is looked for each minute; "manual" runs only when asked.
        autoStart: options.auditSchedule.autoStart !== false,
      },
    });
  }
  jobs.start();

  return {
    bot,
    url,
    port: address.port,
    config,
    storage,
    graph,
    server,
    logger,
    ...(auditSchedule ? { auditSchedule } : {}),
    aupSchedule,
    lessonSchedule,
    reviewSchedule: governance.schedule,
    jobs,
    ...(directoryRefresher ? { directoryRefresher } : {}),
    incidentLog: { keySource: logKey.source, ...(checkpointFile ? { checkpointFile } : {}) },
    incidentLogKeys: logKey.keys,
    async close() {
      await jobs.stop();
      // Cards being sent in the background finish before the database closes (at most ten seconds).
      let waited: NodeJS.Timeout | undefined;
      await Promise.race([incidents.settled(), new Promise((r) => (waited = setTimeout(r, 10_000)))]);
      clearTimeout(waited);
      await new Promise<void>((r) => server.close(() => r()));
      await storage.close();
    },
  };
}
