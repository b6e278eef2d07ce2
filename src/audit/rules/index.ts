import { groupsGuestInStudentGroup, groupsGuestOwner, groupsOwnerlessTeam, groupsStudentInStaffGroup } from './groups';
import { mailMailboxExternalForward, mailTenantAutoForwardAllowed } from './mail.exchange';
import { mailInboxRuleExternalForward } from './mail.inbox-rule.external-forward';
import { meetingsExternalAttendee, meetingsLessonNotRecorded } from './meetings';
import type { AuditRule } from './rule';
import { sharingItemAnonymousLink, sharingItemExternalUser } from './sharing.item';
import { sharingTenantAnyoneLinks, sharingTenantExternalResharing, sharingTenantNoDomainRestriction } from './sharing.tenant';
import { TEAMS_POLICY_RULES } from './teams-policies';
import { tenantCrossTenantInboundOpen, tenantGuestInvitesOpen, tenantGuestRoleMemberAccess } from './tenant';

/** The check of each control in the catalogue (src/audit/controls/catalogue.ts); the registry test keeps them one to one. */
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
  ...TEAMS_POLICY_RULES,
];
