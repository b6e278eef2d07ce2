import type { Server } from 'restify';
import type { CapabilityStatus, MailCheck } from '../graph/permissions';
import type { RouteKit } from './create-server';

export interface PermissionReport {
  granted: string[] | null;
  capabilities: CapabilityStatus[] | null;
  /** Mail is granted in Exchange, not in the token: what the last send said (null: no mailbox configured). */
  mail: (MailCheck & { grantedIn: 'exchange'; note: string }) | null;
}

/** For the IT team: which parts of the app the granted Graph permissions allow, as of now. */
export function permissionRoutes(report: () => PermissionReport) {
  return (server: Server, { route }: RouteKit) => {
    server.get(
      '/api/admin/permissions',
      route(['admin'], async () => report()),
    );
  };
}
