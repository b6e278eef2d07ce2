import { InvalidInput } from '../errors/domain-errors';
import type { Person } from '../school/school-directory';
import type { Acceptance, AuditStore } from './audit-store';

/** The risk of a finding is accepted for a time, never for good: the school looks at it again then. */
export const LONGEST_ACCEPTANCE_DAYS = 366;

export class InvalidFindingAcceptance extends InvalidInput {
  constructor(message: string) {
    super(message, 'invalid-acceptance');
  }
}

/** The IT admin accepts a finding: with a reason, until a date in the next year. */
export class FindingAcceptances {
  private readonly store: Pick<AuditStore, 'accept'>;
  private readonly now: () => Date;

  constructor(deps: { store: Pick<AuditStore, 'accept'>; now?: () => Date }) {
    this.store = deps.store;
    this.now = deps.now ?? (() => new Date());
  }

  async accept(request: { findingKey: string; reason: string; expiresAt: string }, admin: Person): Promise<Acceptance> {
    const expires = new Date(request.expiresAt);
    const now = this.now().getTime();
    if (expires.getTime() <= now) throw new InvalidFindingAcceptance('expiresAt must be in the future');
    if (expires.getTime() > now + LONGEST_ACCEPTANCE_DAYS * 86_400_000)
      throw new InvalidFindingAcceptance('an acceptance lasts a year at most: review it again then');
    return this.store.accept(request.findingKey, request.reason, expires, admin.id);
  }
}
