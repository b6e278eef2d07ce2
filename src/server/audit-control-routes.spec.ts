import type { Server } from 'restify';
import { CONTROLS } from '../audit/controls/catalogue';
import type { ControlResult } from '../audit/controls/control';
import type { StoredRun } from '../audit/audit-store';
import { auditControlRoutes } from './audit-control-routes';
import type { Handler, RouteKit } from './create-server';

/** The route's registration, read without a running server: its path, who may call it, and its handler. */
function register(lastRun: () => Promise<StoredRun | undefined>) {
  const routes = new Map<string, { roles: unknown; handler: Handler }>();
  const server = { get: (path: string, r: { roles: unknown; handler: Handler }) => routes.set(path, r) } as unknown as Server;
  const kit = { route: (roles: unknown, handler: Handler) => ({ roles, handler }) } as unknown as RouteKit;
  auditControlRoutes({ tenantId: 't', store: { lastRun } })(server, kit);
  return routes;
}
const call = (h: Handler) =>
  h({} as never, {} as never) as Promise<{
    areas: string[];
    controls: Array<{ id: string; clause: { key: string; quote: string } }>;
    latest: { runId: string; results: ControlResult[] } | null;
  }>;

describe('GET /api/audit/controls: the catalogue for the tab', () => {
  it('is for admins, and lists every control with its clause quoted, before any run', async () => {
    const r = register(async () => undefined).get('/api/audit/controls')!;
    expect(r.roles).toEqual(['admin']);
    const body = await call(r.handler);
    expect(body.controls.map((c) => c.id)).toEqual(CONTROLS.map((c) => c.id));
    expect(body.controls[0]!.clause).toMatchObject({ key: 'noPersonalDataByEmail', quote: expect.stringContaining('secure email systems') });
    expect(body.areas).toContain('teams.policies');
    expect(body.latest).toBeNull();
  });

  it("gives each control's result in the latest run", async () => {
    const results: ControlResult[] = [{ control: 'ESAFETY.MAIL.1v1', rule: 'mail.inbox-rule.external-forward', status: 'pass', findings: 0 }];
    const run = { id: 'run-1', finishedAt: '2026-11-23T09:00:00Z', controls: results } as StoredRun;
    const body = await call(register(async () => run).get('/api/audit/controls')!.handler);
    expect(body.latest).toEqual({ runId: 'run-1', finishedAt: '2026-11-23T09:00:00Z', results });
  });
});
