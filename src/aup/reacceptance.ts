import type { PolicyDocumentConfig } from '../config/school-config';
import { termOf } from '../school/school-terms';

export type Reacceptance = PolicyDocumentConfig['reacceptance'];

export interface AcceptanceFact {
  version: number;
  acceptedAt: string;
}

/**
 * Whether an acceptance still counts (policy 002 "Communication": agreed termly; the staff AUP:
 * yearly): it must be of the current version when re-acceptance follows new versions, made this
 * term when it is termly, and within N days when it expires.
 */
export function stillValid(acceptance: AcceptanceFact, currentVersion: number, rule: Reacceptance, now: Date): boolean {
  if (rule.onNewVersion && acceptance.version !== currentVersion) return false;
  if (rule.everyTerm && termOf(acceptance.acceptedAt) !== termOf(now.toISOString())) return false;
  if (rule.everyDays && now.getTime() - Date.parse(acceptance.acceptedAt) > rule.everyDays * 86_400_000) return false;
  return true;
}

/** The newest acceptance that still counts, if any. */
export function validAcceptance<T extends AcceptanceFact>(acceptances: T[], currentVersion: number, rule: Reacceptance, now: Date): T | undefined {
  return [...acceptances].sort((a, b) => b.acceptedAt.localeCompare(a.acceptedAt)).find((a) => stillValid(a, currentVersion, rule, now));
}

/**
 * Names the requirement an acceptance answers, so the same click twice (or on two instances) is one
 * record, while next term's acceptance of the same version is a new one.
 */
export function acceptanceCycle(rule: Reacceptance, now: Date, previous: AcceptanceFact | undefined): string {
  const parts: string[] = [];
  if (rule.everyTerm) parts.push(termOf(now.toISOString()));
  if (rule.everyDays) parts.push(`after:${previous?.acceptedAt ?? 'none'}`);
  return parts.join('|') || 'once';
}
