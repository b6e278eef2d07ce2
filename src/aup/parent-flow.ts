import type { Person } from '../school/school-directory';
import { InvalidRequest, type AupService, type Coverage } from './aup-service';
import type { ParentCountersignatures } from './parent-countersignatures';

/**
 * Parents counter-sign the acceptable use policy their child accepts (policy 003): the admin or
 * head asks them once a version is published; coverage then says how many children have a
 * parent's signature. Without a school mailbox nobody can be asked.
 */
export class ParentFlow {
  private readonly aup: AupService;
  private readonly parents: ParentCountersignatures | undefined;
  /** Starts sending at once rather than at the next scheduled round. */
  private readonly afterInvite: () => void;

  constructor(deps: { aup: AupService; parents?: ParentCountersignatures; afterInvite?: () => void }) {
    this.aup = deps.aup;
    this.parents = deps.parents;
    this.afterInvite = deps.afterInvite ?? (() => undefined);
  }

  /** Asks the parents of every child the published version is for; asking twice asks no one twice. */
  async invite(policyId: string, asker: Person): Promise<{ queued: number }> {
    if (!this.parents) throw new InvalidRequest('parents cannot be emailed: the school has no mailbox configured (mail.sender)');
    const coverage = await this.aup.coverage(policyId, asker);
    const version = coverage.version ? await this.aup.version(`${coverage.policyId}@${coverage.version}`) : undefined;
    if (!version) throw new InvalidRequest('publish the policy before asking parents to counter-sign it');
    const queued = await this.parents.invite(version, asker.id);
    this.afterInvite();
    return { queued };
  }

  /** The policy's coverage, with the parents' counter-signatures once any were asked for. */
  async coverage(policyId: string, viewer: Person): Promise<Coverage & { parents?: { invited: number; signed: number } }> {
    const coverage = await this.aup.coverage(policyId, viewer);
    const parentCounts = this.parents && coverage.version ? await this.parents.counts(`${coverage.policyId}@${coverage.version}`) : undefined;
    return { ...coverage, ...(parentCounts && parentCounts.invited ? { parents: parentCounts } : {}) };
  }
}
