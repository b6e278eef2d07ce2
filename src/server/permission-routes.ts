import type { Server } from 'restify';
import type { CapabilityStatus } from '../graph/permissions';
import type { RouteKit } from './create-server';

/** For the IT team: which parts of the app the granted Graph permissions allow. */
export function permissionRoutes(report: { granted: string[] | null; capabilities: CapabilityStatus[] | null }) {
  return (server: Server, { route }: RouteKit) => {
    server.get('/api/admin/permissions', route(['admin'], async () => report));
  };
}
