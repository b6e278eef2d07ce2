import type { Server } from 'restify';
import { AUDIT_AREAS } from '../audit/controls/areas';
import { CONTROLS } from '../audit/controls/catalogue';
import type { AuditStore } from '../audit/audit-store';
import { citeTemplate, type Cite } from '../audit/policy-references';
import type { AuditControlsResponse } from '../contract';
import type { RouteKit } from './create-server';

/** The catalogue as the tab shows it: each control with its clause quoted from the school's own policy. */
export const controlCatalogue = (cite: Cite = citeTemplate) => CONTROLS.map((c) => ({ ...c, clause: { key: c.clause, ...cite(c.clause) } }));

/**
 * The audit's catalogue of controls, for the tab's filters and its list of what passed: every
 * control, and its result in the latest run (null before the first run).
 */
export function auditControlRoutes(deps: { tenantId: string; store: Pick<AuditStore, 'lastRun'>; cite?: Cite }) {
  return (server: Server, { route }: RouteKit) => {
    server.get(
      '/api/audit/controls',
      route(['admin'], async (): Promise<AuditControlsResponse> => {
        const latest = await deps.store.lastRun(deps.tenantId);
        return {
          areas: AUDIT_AREAS,
          controls: controlCatalogue(deps.cite),
          latest: latest ? { runId: latest.id, finishedAt: latest.finishedAt, results: latest.controls } : null,
        };
      }),
    );
  };
}
