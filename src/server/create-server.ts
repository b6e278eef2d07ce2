import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import restify, { type Request, type Response, type Server } from 'restify';
import { AuthError, bearerToken, type Identity, type TokenValidator } from '../auth/identity';
import type { DemoSignIn } from '../auth/demo-sign-in';
import type { SchoolConfig } from '../config/school-config';
import type { Logger } from '../logging/logger';
import { navigationFor } from '../school/navigation';
import type { AppRole, Person, SchoolDirectory } from '../school/school-directory';
import { correlation } from '../logging/correlation';
import { AuditLog } from '../storage/audit-log';
import type { Storage } from '../storage/database';
import { migrationsAreCurrent } from '../storage/migrator';
import { isGraphUnreachable } from '../graph/graph-access';
import { bodyLimits, MAX_BODY_BYTES } from './body-limits';
import { RateLimits, type RateLimitSettings } from './rate-limits';
import { InvalidApiRequest, parseRequest, sendRefusal } from './http-errors';
import { auditLogQuery, demoSignInRequest, type AuditLogResponse, type DemoSignInResponse, type Me } from '../contract';
import { ActivityLogViews } from '../storage/activity-log-views';
import { securityHeaders } from './security-headers';
import { legalPages } from './legal-pages';

export interface DemoPersona {
  id: string;
  displayName: string;
  userPrincipalName: string;
  description: string;
}

export interface ServerDeps {
  config: SchoolConfig;
  storage: Storage;
  directory: SchoolDirectory;
  tokens: TokenValidator;
  logger: Logger;
  /** Bot Framework endpoint (botbuilder's CloudAdapter), injected so src/ stays free of botbuilder. */
  botMessages?: (req: Request, res: Response) => Promise<void>;
  /** The built tab (vite output). */
  tabDirectory?: string;
  /** Only with the demo tenant: persona sign-in for the tab outside Teams. */
  demo?: { signIn: DemoSignIn; personas: DemoPersona[] };
  /** Feature routes (audit, ...). */
  features?: RegisterRoutes[];
  /** Per-person and per-address allowances; the defaults unless a test or operator narrows them. */
  rateLimits?: Partial<RateLimitSettings> | RateLimits;
  /** Whether Microsoft Graph answers at all, for /readyz. */
  graph?: { reachable(): Promise<{ reachable: true } | { reachable: false; cause: string }> };
}

export interface CallContext {
  identity: Identity;
  person: Person;
  correlationId: string;
}

export type Handler = (req: Request, call: CallContext) => Promise<unknown>;

/** What a feature's routes need: authenticated, role-checked handlers with clear errors. */
export interface RouteKit {
  route(roles: AppRole[] | 'any', handler: Handler): (req: Request, res: Response) => Promise<void>;
}

/** A capability (audit, policies, incidents) adds its API routes through this. */
export type RegisterRoutes = (server: Server, kit: RouteKit) => void;

export function createServer(deps: ServerDeps): Server {
  const { logger } = deps;
  const server = restify.createServer({ name: 'esafety', handleUncaughtExceptions: false });
  const limits = deps.rateLimits instanceof RateLimits ? deps.rateLimits : new RateLimits(deps.rateLimits);
  securityHeaders(server);
  bodyLimits(server);
  limits.register(server);
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.use(restify.plugins.bodyParser({ mapParams: false, maxBodySize: MAX_BODY_BYTES }));
  server.use((req, res, next) => {
    const id = (req.header('x-correlation-id') || randomUUID()).slice(0, 64);
    (req as Request & { correlationId: string }).correlationId = id;
    res.header('x-correlation-id', id);
    // Everything this request does, bot turn included, logs under its id.
    correlation.run({ id }, () => next());
  });

  const activity = new ActivityLogViews(new AuditLog(deps.storage.db));
  const fail = (req: Request, res: Response, e: unknown) => {
    const correlationId = (req as Request & { correlationId?: string }).correlationId;
    if (isGraphUnreachable(e)) logger.warn({ correlationId, path: req.path(), cause: e.message }, 'Microsoft Graph unreachable');
    // Every refusal (a domain error of any feature, a token, a rate limit) is answered in one place.
    if (sendRefusal(res, e)) return;
    logger.error({ err: e, correlationId, path: req.path() }, 'request failed');
    return res.send(500, { error: { code: 'internal', message: `Something went wrong. Quote ${correlationId} to the IT team.` } });
  };

  /** Authenticated and authorised: the token is checked, the person looked up, the role required. */
  const route =
    (roles: AppRole[] | 'any', handler: Handler) =>
    async (req: Request, res: Response): Promise<void> => {
      const correlationId = (req as Request & { correlationId: string }).correlationId;
      try {
        const identity = await deps.tokens.validate(bearerToken(req.header('authorization'))).catch(async (e: unknown) => {
          // Refused tokens count against the caller's address: spraying tokens soon waits.
          if (e instanceof AuthError && e.status === 401 && req.header('authorization')) await limits.spend('refusedTokens', limits.address(req));
          throw e;
        });
        if (identity.tid !== deps.config.school.tenantId) throw new AuthError(403, "The token is not from this school's tenant");
        const person = await deps.directory.person(identity.oid);
        if (!person) throw new AuthError(403, 'You are not in this school’s directory');
        if (roles !== 'any' && !roles.some((r) => person.roles.includes(r))) {
          throw new AuthError(403, `This page is for ${roles.join(' or ')} only`);
        }
        if (req.method !== 'GET' && req.method !== 'HEAD') await limits.spend('personWrites', person.id);
        res.send(200, await handler(req, { identity, person, correlationId }));
      } catch (e) {
        fail(req, res, e);
      }
    };

  for (const register of deps.features ?? []) register(server, { route });
  legalPages(deps.config)(server);

  server.get('/healthz', async (_req, res) => {
    res.send(200, { status: 'ok' });
  });
  server.get('/readyz', async (req, res) => {
    try {
      await sql`select 1`.execute(deps.storage.db);
      const current = await migrationsAreCurrent(deps.storage);
      const graph = deps.graph ? await deps.graph.reachable() : undefined;
      if (graph && !graph.reachable) logger.warn({ cause: graph.cause }, 'readiness: Microsoft Graph unreachable');
      const ready = current && graph?.reachable !== false;
      // A stale directory copy (refreshes failing for three intervals) does not make the app
      // unready: people are read from Graph meanwhile. It is a warning for the operator.
      const directory = typeof deps.directory.freshness === 'function' ? await deps.directory.freshness() : undefined;
      if (directory?.stale) logger.warn({ oldestSyncedAt: directory.oldestSyncedAt }, 'readiness: school directory copy is stale');
      res.send(ready ? 200 : 503, {
        status: !current ? 'migrations pending' : ready ? 'ready' : 'microsoft 365 unreachable',
        database: deps.storage.engine,
        ...(graph && !graph.reachable ? { graph: { reachable: false, cause: graph.cause } } : {}),
        ...(directory?.stale ? { directory: { stale: true, oldestSyncedAt: directory.oldestSyncedAt } } : {}),
      });
    } catch (e) {
      logger.warn({ err: e }, 'readiness check failed');
      res.send(503, { status: 'database unreachable' });
    }
  });

  if (deps.botMessages) {
    const botMessages = deps.botMessages;
    server.post('/api/messages', async (req, res) => {
      try {
        // An activity is a JSON object; anything else is refused before the adapter sees it
        // (it would throw on it: a 500), and without a token the answer is the adapter's own 401.
        const body: unknown = req.body;
        if (typeof body !== 'object' || body === null || Array.isArray(body)) {
          if (!req.header('authorization')) throw new AuthError(401, 'A Bot Framework token is required');
          throw new InvalidApiRequest('The request body must be a Bot Framework activity (a JSON object).', 'invalid-activity');
        }
        await botMessages(req, res);
      } catch (e) {
        fail(req, res, e);
      }
    });
  }

  server.get(
    '/api/me',
    route('any', async (_req, { person }): Promise<Me> => ({
      school: deps.config.school.name,
      person: { id: person.id, displayName: person.displayName, kind: person.kind, roles: person.roles },
      navigation: navigationFor(person.roles),
    })),
  );

  server.get(
    '/api/audit-log',
    route(['admin'], async (req): Promise<AuditLogResponse> => {
      const { limit } = parseRequest(auditLogQuery, req.query);
      return { entries: await activity.forItAdmin(limit) };
    }),
  );
  // Policy 002: who read which incident or whose chronology is for the safeguarding team's eyes.
  server.get(
    '/api/incidents/access-log',
    route(['safeguarding'], async (req): Promise<AuditLogResponse> => {
      const { limit } = parseRequest(auditLogQuery, req.query);
      return { entries: await activity.forSafeguarding(limit) };
    }),
  );

  if (deps.demo) {
    const demo = deps.demo;
    server.get('/api/demo/personas', async (_req, res) => {
      res.send(200, { personas: demo.personas });
    });
    server.post('/api/demo/sign-in', async (req, res) => {
      try {
        const parsed = demoSignInRequest.safeParse(req.body ?? {});
        const persona = parsed.success ? demo.personas.find((p) => p.id === parsed.data.personaId) : undefined;
        if (!persona) throw new InvalidApiRequest('Pick one of the demo personas', 'unknown-persona');
        res.send(200, { token: await demo.signIn.issue(persona) } satisfies DemoSignInResponse);
      } catch (e) {
        fail(req, res, e);
      }
    });
  }

  const tabDir = deps.tabDirectory;
  if (tabDir && existsSync(join(tabDir, 'index.html'))) {
    server.get('/*', restify.plugins.serveStaticFiles(tabDir));
    server.get('/', (req, res, next) => {
      // Keep the query: the demo's `?theme=dark` must reach the tab.
      res.redirect(`/index.html${req.getQuery() ? `?${req.getQuery()}` : ''}`, next);
    });
  }

  server.on('restifyError', (req: Request, res: Response, err: Error & { statusCode?: number; toJSON?: () => unknown }, callback: () => void) => {
    // Restify's own errors (404, bad JSON body) keep their status but never carry a stack trace.
    err.toJSON = () => ({ error: { code: err.name, message: err.message } });
    err.toString = () => err.message;
    callback();
  });

  return server;
}
