import type { Server } from 'restify';
import { UnknownPolicy } from '../aup/policy-library';
import { InvalidRequest, NotAllowed, type AupService } from '../aup/aup-service';
import type { ParentCountersignatures } from '../aup/parent-countersignatures';
import { csvTable } from '../report/csv';
import { HttpError, type RouteKit } from './create-server';

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof InvalidRequest || e instanceof UnknownPolicy) throw new HttpError(400, 'invalid-request', e.message);
    if (e instanceof NotAllowed) throw new HttpError(403, 'forbidden', e.message);
    throw e;
  }
}


/**
 * Policies: admins publish and see who has signed; everyone sees and accepts their own. `afterPublish`
 * starts sending at once rather than at the next scheduled round.
 */
export function aupRoutes(aup: AupService, afterPublish: () => void = () => undefined, parents?: ParentCountersignatures) {
  return (server: Server, { route }: RouteKit) => {
    server.post(
      '/api/policies/:policyId/parents/invite',
      route(['admin', 'headteacher'], async (req, { person }) =>
        guarded(async () => {
          if (!parents) throw new InvalidRequest('parents cannot be emailed: the school has no mailbox configured (mail.sender)');
          const coverage = await aup.coverage(String(req.params.policyId), person);
          const version = coverage.version ? await aup.version(`${coverage.policyId}@${coverage.version}`) : undefined;
          if (!version) throw new InvalidRequest('publish the policy before asking parents to counter-sign it');
          try {
            const queued = await parents.invite(version, person.id);
            afterPublish();
            return { queued };
          } catch (e) {
            throw new InvalidRequest((e as Error).message);
          }
        }),
      ),
    );
    server.get('/api/policies', route(['admin', 'headteacher'], async (_req, { person }) => guarded(async () => ({ policies: await aup.catalogue(person) }))));
    server.post(
      '/api/policies/:policyId/publish',
      route(['admin', 'headteacher'], async (req, { person }) =>
        guarded(async () => {
          const result = await aup.publish(String(req.params.policyId), req.body ?? {}, person);
          afterPublish();
          return { versionId: result.version.id, version: result.version.version, created: result.created, queued: result.queued };
        }),
      ),
    );
    server.get(
      '/api/policies/:policyId/coverage',
      route(['admin', 'headteacher'], async (req, { person }) =>
        guarded(async () => {
          const coverage = await aup.coverage(String(req.params.policyId), person);
          if ((req.query as Record<string, string> | undefined)?.format !== 'csv') {
            const parentCounts = parents && coverage.version ? await parents.counts(`${coverage.policyId}@${coverage.version}`) : undefined;
            return { ...coverage, ...(parentCounts && parentCounts.invited ? { parents: parentCounts } : {}) };
          }
          const header = ['name', 'upn', 'audience', 'status', 'acceptedVersion', 'acceptedAt'] as const;
          return { csv: csvTable(header, coverage.people.map((p) => header.map((h) => p[h]))) };
        }),
      ),
    );
    server.get('/api/policies/:policyId/acceptances', route(['admin', 'headteacher'], async (req, { person }) => guarded(async () => ({ csv: await aup.acceptancesCsv(String(req.params.policyId), person) }))));
    server.get('/api/people/:personId/acceptances', route('any', async (req, { person }) => guarded(async () => ({ acceptances: await aup.history(String(req.params.personId), person) }))));
    server.get('/api/my/policies', route('any', async (_req, { person }) => guarded(async () => ({ policies: await aup.myPolicies(person) }))));
    server.post(
      '/api/my/policies/:versionId/accept',
      route('any', async (req, { person }) =>
        guarded(async () => {
          const { acceptance, created } = await aup.accept(String(req.params.versionId), person, 'tab');
          return { acceptedAt: acceptance.accepted_at, version: acceptance.version, created };
        }),
      ),
    );
  };
}
