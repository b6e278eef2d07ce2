import { setupServer } from 'msw/node';
import { ExchangeAdmin } from '../../src/exchange/exchange-admin';
import { createDemoTenant, type DemoTenant } from '../../src/demo-tenant/graph-handlers';
import { generateSchool } from '../../src/demo-tenant/school-generator';
import { GraphAccess } from '../../src/graph/graph-access';
import { tokenSourceFor } from '../../src/graph/graph-auth';
import type { SchoolSize } from '../../src/demo-tenant/school-generator';

/** The demo tenant under msw/node plus a GraphAccess pointed at it; waits are recorded, not slept. */
export function useDemoGraph(options: { size?: SchoolSize; baseUrl?: string; exchangeAdmin?: boolean } = {}) {
  const school = generateSchool(options.size ? { size: options.size } : {});
  const tenant: DemoTenant = createDemoTenant(school, { exchangeAdmin: options.exchangeAdmin ?? true });
  const server = setupServer(...tenant.handlers);
  const waits: number[] = [];
  const ctx = {
    school,
    tenant,
    waits,
    graph: undefined as unknown as GraphAccess,
    /** The Exchange admin API of the demo tenant (msw intercepts outlook.office365.com too). */
    exchange: new ExchangeAdmin({ tenantId: school.tenantId, tokens: { getAccessToken: async () => 'demo' }, sleep: async () => undefined }),
  };
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  beforeEach(() => {
    tenant.throttle.clear();
    waits.length = 0;
    school.outbox.length = 0;
    school.appInstalledFor.clear();
    // A fake clock that the fake sleep advances: pauses are recorded, never slept.
    let clock = 1_000_000;
    ctx.graph = new GraphAccess({
      now: () => clock,
      baseUrl: options.baseUrl ?? 'https://graph.microsoft.com/v1.0',
      tokens: tokenSourceFor({ mode: 'demo' }, 'https://graph.microsoft.com/v1.0'),
      sleep: async (ms) => {
        waits.push(ms);
        clock += ms;
      },
    });
  });
  afterAll(() => server.close());
  return ctx;
}
