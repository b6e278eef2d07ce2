import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import pino from 'pino';
import { startApp, type AppOptions, type RunningApp } from '../../bin/start-app';
import { demoPersonas } from '../../bin/start-demo';
import { startDemoTenantServer, type RunningDemoTenant } from '../../src/demo-tenant/demo-tenant-server';
import type { DemoMeetings } from '../../src/demo-tenant/meeting-handlers';
import type { RecordedGraphRequest } from '../../src/demo-tenant/schema-check';
import { createDemoTenant } from '../../src/demo-tenant/graph-handlers';
import { generateSchool } from '../../src/demo-tenant/school-generator';
import type { DemoSchool } from '../../src/demo-tenant/school-model';

export const DEMO_CONFIG = resolve(__dirname, '../../config/demo-school.yaml');

/** A local stand-in for login.microsoftonline.com that publishes a JWKS. */
export async function startJwksHost(jwks: object): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.url?.endsWith('/discovery/v2.0/keys')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(jwks));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

export interface AppUnderTest {
  app: RunningApp;
  tenant: RunningDemoTenant;
  school: DemoSchool;
  /** People's own meetings in the demo tenant (change notifications follow). */
  meetings: DemoMeetings;
  /** Every distinct Graph request the app made, with the schema's refusal if any. */
  recorded: RecordedGraphRequest[];
  close(): Promise<void>;
}

/** The whole app on the demo tenant with an in-memory SQLite database, on free ports. */
export async function startAppUnderTest(
  overrides: Partial<AppOptions> = {},
  withDemoSignIn = true,
  options: { graphRoles?: string[] } = {},
): Promise<AppUnderTest> {
  const school = generateSchool();
  const demoTenant = createDemoTenant(school);
  const tenant = await startDemoTenantServer(demoTenant);
  const app = await startApp({
    configFile: DEMO_CONFIG,
    databaseUrl: 'sqlite::memory:',
    port: 0,
    graph: {
      baseUrl: tenant.graphBaseUrl,
      auth: { mode: 'demo', ...(options.graphRoles ? { roles: options.graphRoles } : {}) },
      exchangeAdminUrl: `${tenant.url}/adminapi/beta`,
    },
    logger: pino({ level: 'silent' }),
    ...(withDemoSignIn ? { demo: { personas: demoPersonas(school) } } : {}),
    ...overrides,
  });
  return {
    app,
    tenant,
    school,
    meetings: demoTenant.meetings,
    recorded: demoTenant.recorded,
    async close() {
      await app.close();
      await tenant.close();
    },
  };
}

export async function signInAs(app: RunningApp, personaId: string): Promise<string> {
  const res = await fetch(`${app.url}/api/demo/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ personaId }),
  });
  return ((await res.json()) as { token: string }).token;
}

/** One API call as a demo persona, as the tab makes it: signed in, JSON both ways. */
export async function callAs(app: RunningApp, personaId: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const token = await signInAs(app, personaId);
  const res = await fetch(`${app.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
  return { status: res.status, body: await res.json() };
}
