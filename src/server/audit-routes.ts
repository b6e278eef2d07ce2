import type { Server } from 'restify';
import { AuditOverview } from '../audit/audit-overview';
import type { AuditService } from '../audit/audit-service';
import type { AuditStore } from '../audit/audit-store';
import { FindingAcceptances } from '../audit/finding-acceptance';
import { FindingIncidents, type IncidentReporter } from '../audit/finding-incidents';
import type { JobLeases } from '../storage/job-lease';
import {
  acceptFindingRequest,
  raiseIncidentRequest,
  type AcceptFindingResponse,
  type AuditLatest,
  type AuditProgressResponse,
  type AuditRunResponse,
  type AuditTrendPoint,
  type RaiseIncidentResponse,
} from '../contract';
import type { RouteKit } from './create-server';
import { parseRequest } from './http-errors';

/** The admin's audit page: latest findings, trend over runs, run now, accept a finding, raise it as an incident. */
export function auditRoutes(deps: { tenantId: string; service: AuditService; store: AuditStore; leases: JobLeases; incidents?: IncidentReporter }) {
  const overview = new AuditOverview(deps);
  const acceptances = new FindingAcceptances({ store: deps.store });
  const raising = new FindingIncidents(deps);
  return (server: Server, { route }: RouteKit) => {
    server.get(
      '/api/audit/latest',
      route(['admin'], async (): Promise<AuditLatest> => overview.latest()),
    );
    // The run under way on this instance: each area's done/total and the time left (issue #12).
    server.get(
      '/api/audit/progress',
      route(['admin'], async (): Promise<AuditProgressResponse> => ({ progress: deps.service.progress() })),
    );
    server.get(
      '/api/audit/runs',
      route(['admin'], async (): Promise<{ runs: AuditTrendPoint[] }> => ({ runs: await overview.trend() })),
    );
    server.post(
      '/api/audit/run',
      route(['admin'], async (_req, { person }): Promise<AuditRunResponse> => overview.runNow(person)),
    );
    // A finding with a safeguarding angle (a guest in a class team, a pupil's mail forwarded out)
    // becomes an incident for the DSL, raised by the admin.
    server.post(
      '/api/audit/findings/raise-incident',
      route(['admin'], async (req, { person }): Promise<RaiseIncidentResponse> => raising.raise(parseRequest(raiseIncidentRequest, req.body), person)),
    );
    server.post(
      '/api/audit/acceptances',
      route(['admin'], async (req, { person }): Promise<AcceptFindingResponse> => ({
        acceptance: await acceptances.accept(parseRequest(acceptFindingRequest, req.body, 'invalid-acceptance'), person),
      })),
    );
  };
}
