import type { Finding } from '../findings';
import { bySeverity } from '../findings';
import type { TenantSnapshot } from '../snapshot';
import { groupsGuestInStudentGroup, groupsGuestOwner, groupsOwnerlessTeam, groupsStudentInStaffGroup } from './groups';
import { mailMailboxExternalForward, mailTenantAutoForwardAllowed } from './mail.exchange';
import { mailInboxRuleExternalForward } from './mail.inbox-rule.external-forward';
import { meetingsExternalAttendee, meetingsLessonNotRecorded } from './meetings';
import type { AuditContext, AuditRule } from './rule';
import { sharingItemAnonymousLink, sharingItemExternalUser } from './sharing.item';
import { sharingTenantAnyoneLinks, sharingTenantExternalResharing, sharingTenantNoDomainRestriction } from './sharing.tenant';
import { teamsPolicies } from './teams-policies';
import { tenantCrossTenantInboundOpen, tenantGuestInvitesOpen, tenantGuestRoleMemberAccess } from './tenant';

export const AUDIT_RULES: AuditRule[] = [
  mailInboxRuleExternalForward,
  mailMailboxExternalForward,
  mailTenantAutoForwardAllowed,
  sharingTenantAnyoneLinks,
  sharingTenantExternalResharing,
  sharingTenantNoDomainRestriction,
  sharingItemAnonymousLink,
  sharingItemExternalUser,
  groupsGuestInStudentGroup,
  groupsStudentInStaffGroup,
  groupsGuestOwner,
  groupsOwnerlessTeam,
  tenantGuestInvitesOpen,
  tenantGuestRoleMemberAccess,
  tenantCrossTenantInboundOpen,
  meetingsExternalAttendee,
  meetingsLessonNotRecorded,
  teamsPolicies,
];

/** Runs every rule whose data was collected; a rule whose area was not checked says nothing. */
export function evaluateRules(snapshot: TenantSnapshot, ctx: AuditContext, rules = AUDIT_RULES): Finding[] {
  const checked = new Set(snapshot.coverage.filter((c) => c.status !== 'not-checked').map((c) => c.check));
  return rules.filter((r) => checked.has(r.needs)).flatMap((r) => r.evaluate(snapshot, ctx)).sort(bySeverity);
}
