import type { Server } from 'restify';
import type { Acceptance } from '../aup/acceptance-register';
import type { AupService, Coverage as CoverageRows } from '../aup/aup-service';
import type { ParentCountersignatures } from '../aup/parent-countersignatures';
import { ParentFlow } from '../aup/parent-flow';
import {
  formatQuery,
  publishRequest,
  type AcceptanceRecord,
  type AcceptPolicyResponse,
  type Coverage,
  type CsvDownload,
  type InviteParentsResponse,
  type MyPolicy,
  type PolicySummary,
  type PublishResponse,
} from '../contract';
import { csvTable } from '../report/csv';
import type { RouteKit } from './create-server';
import { parseRequest } from './http-errors';

/** The register's row in the contract's words (the tab never sees column names). */
const acceptanceRecord = (a: Acceptance): AcceptanceRecord => ({
  policyId: a.policy_id,
  version: a.version,
  acceptedAt: a.accepted_at,
  channel: a.channel,
  textHash: a.text_hash,
});

const COVERAGE_COLUMNS = ['name', 'upn', 'audience', 'status', 'acceptedVersion', 'acceptedAt'] as const;
const coverageCsv = (coverage: CoverageRows): string =>
  csvTable(
    COVERAGE_COLUMNS,
    coverage.people.map((p) => COVERAGE_COLUMNS.map((h) => p[h])),
  );

/**
 * Policies: admins publish and see who has signed; everyone sees and accepts their own. `afterPublish`
 * starts sending at once rather than at the next scheduled round.
 */
export function aupRoutes(aup: AupService, afterPublish: () => void = () => undefined, parents?: ParentCountersignatures) {
  const parentFlow = new ParentFlow({ aup, ...(parents ? { parents } : {}), afterInvite: afterPublish });
  const policyId = (req: { params?: Record<string, unknown> }) => String(req.params?.policyId ?? '');
  return (server: Server, { route }: RouteKit) => {
    server.post(
      '/api/policies/:policyId/parents/invite',
      route(['admin', 'headteacher'], async (req, { person }): Promise<InviteParentsResponse> => parentFlow.invite(policyId(req), person)),
    );
    server.get(
      '/api/policies',
      route(['admin', 'headteacher'], async (_req, { person }): Promise<{ policies: PolicySummary[] }> => ({ policies: await aup.catalogue(person) })),
    );
    server.post(
      '/api/policies/:policyId/publish',
      route(['admin', 'headteacher'], async (req, { person }): Promise<PublishResponse> => {
        const result = await aup.publish(policyId(req), parseRequest(publishRequest, req.body), person);
        afterPublish();
        return { versionId: result.version.id, version: result.version.version, created: result.created, queued: result.queued };
      }),
    );
    server.get(
      '/api/policies/:policyId/coverage',
      route(['admin', 'headteacher'], async (req, { person }): Promise<Coverage | CsvDownload> =>
        parseRequest(formatQuery, req.query).format === 'csv'
          ? { csv: coverageCsv(await aup.coverage(policyId(req), person)) }
          : parentFlow.coverage(policyId(req), person),
      ),
    );
    server.get(
      '/api/policies/:policyId/acceptances',
      route(['admin', 'headteacher'], async (req, { person }): Promise<CsvDownload> => ({ csv: await aup.acceptancesCsv(policyId(req), person) })),
    );
    server.get(
      '/api/people/:personId/acceptances',
      route('any', async (req, { person }): Promise<{ acceptances: AcceptanceRecord[] }> => ({
        acceptances: (await aup.history(String(req.params.personId), person)).map(acceptanceRecord),
      })),
    );
    server.get(
      '/api/my/policies',
      route('any', async (_req, { person }): Promise<{ policies: MyPolicy[] }> => ({ policies: await aup.myPolicies(person) })),
    );
    server.post(
      '/api/my/policies/:versionId/accept',
      route('any', async (req, { person }): Promise<AcceptPolicyResponse> => {
        const { acceptance, created } = await aup.accept(String(req.params.versionId), person, 'tab');
        return { acceptedAt: acceptance.accepted_at, version: acceptance.version, created };
      }),
    );
  };
}
