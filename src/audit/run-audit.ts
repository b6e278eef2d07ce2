import type { SchoolConfig } from '../config/school-config';
import type { ExchangeAdmin } from '../exchange/exchange-admin';
import type { GraphAccess } from '../graph/graph-access';
import { TenantCollector, type CollectProgress } from './collect/collect-tenant';
import type { AuditReport } from './findings';
import { evaluateControls } from './evaluate-controls';
import { auditContext } from './rules/rule';
import { citeFrom } from './policy-references';
import type { TenantSnapshot } from './snapshot';

export interface AuditRunOptions {
  graph: GraphAccess;
  config: SchoolConfig;
  teamsPolicies?: unknown;
  exchange?: ExchangeAdmin;
  previousDeltaLinks?: Record<string, string>;
  /** An incremental run: learn what changed since then from the unified audit log (collect-tenant.ts). */
  changesSince?: Date;
  /** Staff calendars the app's subscriptions say did not change: not read again. */
  quietCalendars?: Set<string>;
  onProgress?: (p: CollectProgress) => void;
  now?: () => Date;
}

/** Collect (Graph -> snapshot), evaluate (snapshot -> findings, no network), report. */
export async function runAudit(options: AuditRunOptions): Promise<{ report: AuditReport; snapshot: TenantSnapshot }> {
  const now = options.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const before = { ...options.graph.stats };
  const collector = new TenantCollector(options.graph, {
    tenantId: options.config.school.tenantId,
    ...(options.config.groups.staff ? { staffGroupMail: options.config.groups.staff } : {}),
    ...(options.config.groups.students ? { studentGroupMail: options.config.groups.students } : {}),
    ...(options.previousDeltaLinks ? { previousDeltaLinks: options.previousDeltaLinks } : {}),
    ...(options.changesSince ? { changesSince: options.changesSince } : {}),
    ...(options.quietCalendars ? { quietCalendars: options.quietCalendars } : {}),
    ...(options.teamsPolicies !== undefined ? { teamsPolicies: options.teamsPolicies } : {}),
    ...(options.exchange ? { exchange: options.exchange } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    now,
  });
  const snapshot = await collector.collect();
  const { results, findings, coverage } = evaluateControls(snapshot, auditContext(snapshot, options.config), undefined, undefined, citeFrom(options.config));
  const s = options.graph.stats;
  return {
    snapshot,
    report: {
      tenantId: options.config.school.tenantId,
      startedAt,
      finishedAt: now().toISOString(),
      stats: {
        requests: s.requests - before.requests,
        batches: s.batches - before.batches,
        throttled: s.throttled - before.throttled,
        resourceUnits: s.resourceUnits - before.resourceUnits,
      },
      coverage,
      controls: results,
      findings,
    },
  };
}
