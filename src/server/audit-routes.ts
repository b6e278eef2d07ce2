import type { Server } from 'restify';
import { z } from 'zod';
import type { AuditService } from '../audit/audit-service';
import { compareRuns, type AuditStore } from '../audit/audit-store';
import { bySeverity, findingKey } from '../audit/findings';
import { describeZodError } from '../config/load-school-config';
import { createHash } from 'node:crypto';
import type { IncidentService } from '../incidents/incident-service';
import type { JobLeases } from '../storage/job-lease';
import { HttpError, type RouteKit } from './create-server';

const acceptanceInput = z
  .object({
    findingKey: z.string().min(3).max(2000),
    reason: z.string().trim().min(5, 'say why the finding is accepted (at least 5 characters)').max(1000),
    expiresAt: z.string().datetime({ offset: true, message: 'expiresAt must be an ISO date-time' }),
  })
  .strict();

/** The admin's audit page: latest findings, trend over runs, run now, accept a finding. */
const raiseInput = z.object({ findingKey: z.string().min(3).max(2000), note: z.string().trim().max(2000).default('') }).strict();

/** The same finding of the same run always gives the same submission id: raising it twice is one incident. */
function submissionIdFor(runId: string, key: string): string {
  const h = createHash('sha256').update(`${runId}|${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function auditRoutes(deps: { tenantId: string; service: AuditService; store: AuditStore; leases: JobLeases; incidents?: IncidentService }) {
  return (server: Server, { route }: RouteKit) => {
    server.get(
      '/api/audit/latest',
      route(['admin'], async () => {
        const latest = await deps.store.lastRun(deps.tenantId);
        if (!latest) return { run: null, findings: [], changes: null };
        const findings = (await deps.store.findings(latest.id)).sort(bySeverity);
        const previous = await deps.store.lastRun(deps.tenantId, latest.id);
        const changes = compareRuns(previous ? await deps.store.findings(previous.id) : [], findings);
        const withAcceptance = (await deps.service.withAcceptances({ findings })).findings.map((f) => ({ ...f, key: findingKey(f) }));
        return {
          run: { id: latest.id, finishedAt: latest.finishedAt, stats: latest.stats, coverage: latest.coverage },
          findings: withAcceptance,
          changes: { new: changes.new.map(findingKey), resolved: changes.resolved.length },
        };
      }),
    );

    // The run under way on this instance: each area's done/total and the time left (issue #12).
    server.get(
      '/api/audit/progress',
      route(['admin'], async () => ({ progress: deps.service.progress() })),
    );

    server.get(
      '/api/audit/runs',
      route(['admin'], async () => ({ runs: await deps.store.trend(deps.tenantId) })),
    );

    server.post(
      '/api/audit/run',
      route(['admin'], async (_req, { person }) => {
        // One manual run at a time across all instances.
        if (!(await deps.leases.acquire('audit.manual', 30 * 60_000))) throw new HttpError(409, 'audit-running', 'An audit is already running; try again when it has finished.');
        try {
          const outcome = await deps.service.run({ trigger: 'tab', actorId: person.id });
          return { runId: outcome.runId, findings: outcome.report.findings.length, new: outcome.changes.new.length, resolved: outcome.changes.resolved.length };
        } finally {
          await deps.leases.release('audit.manual');
        }
      }),
    );

    // A finding with a safeguarding angle (a guest in a class team, a pupil's mail forwarded out)
    // becomes an incident for the DSL, raised by the admin.
    server.post(
      '/api/audit/findings/raise-incident',
      route(['admin'], async (req, { person }) => {
        const parsed = raiseInput.safeParse(req.body);
        if (!parsed.success) throw new HttpError(400, 'invalid-request', describeZodError(parsed.error));
        const latest = await deps.store.lastRun(deps.tenantId);
        const finding = latest && (await deps.store.findings(latest.id)).find((f) => findingKey(f) === parsed.data.findingKey);
        if (!latest || !finding || !deps.incidents) throw new HttpError(404, 'no-such-finding', 'That finding is not in the latest audit run.');
        const dataRisk = /^(mail|sharing)\./.test(finding.rule);
        return deps.incidents.report(
          {
            submissionId: submissionIdFor(latest.id, parsed.data.findingKey),
            category: 'conduct',
            subCategory: dataRisk ? 'data-breach' : 'not-sure',
            whatHappened: `Tenant audit finding ${finding.rule} on ${finding.subject.name}: ${finding.detail}${parsed.data.note ? `\nAdmin's note: ${parsed.data.note}` : ''}`,
            when: latest.finishedAt,
            where: 'Microsoft 365 tenant audit',
            channel: 'audit-finding',
          },
          person,
        );
      }),
    );

    server.post(
      '/api/audit/acceptances',
      route(['admin'], async (req, { person }) => {
        const parsed = acceptanceInput.safeParse(req.body);
        if (!parsed.success) throw new HttpError(400, 'invalid-acceptance', describeZodError(parsed.error));
        const expires = new Date(parsed.data.expiresAt);
        if (expires.getTime() <= Date.now()) throw new HttpError(400, 'invalid-acceptance', 'expiresAt must be in the future');
        if (expires.getTime() > Date.now() + 366 * 86_400_000) throw new HttpError(400, 'invalid-acceptance', 'an acceptance lasts a year at most: review it again then');
        return { acceptance: await deps.store.accept(parsed.data.findingKey, parsed.data.reason, expires, person.id) };
      }),
    );
  };
}
