import type { AuditRule } from './rule';
import { POLICY } from '../policy-references';

/** Anyone in the school, students included, can invite outsiders in as guests. */
export const tenantGuestInvitesOpen: AuditRule = {
  id: 'tenant.guest-invites-open',
  needs: 'tenant.guest-settings',
  title: 'Anyone can invite guests',
  evaluate(snapshot) {
    const who = snapshot.authorizationPolicy?.allowInvitesFrom;
    if (who !== 'everyone' && who !== 'adminsGuestInvitersAndAllMembers') return [];
    return [
      {
        rule: this.id,
        severity: who === 'everyone' ? 'high' : 'medium',
        subject: { type: 'tenant-setting', id: 'authorization-policy', name: 'Guest invitations' },
        detail: who === 'everyone' ? 'Everyone, including guests and students, can invite guests into the school tenant.' : 'Every member, students included, can invite guests into the school tenant.',
        policyRef: POLICY.guestAccountsTemporary,
        fix: 'Entra admin centre > External Identities > External collaboration settings: "Only users assigned to specific admin roles can invite guest users".',
      },
    ];
  },
};

/** Guests see the directory as members do. */
export const tenantGuestRoleMemberAccess: AuditRule = {
  id: 'tenant.guest-role-member-access',
  needs: 'tenant.guest-settings',
  title: 'Guests have the same access as members',
  evaluate(snapshot) {
    if (snapshot.authorizationPolicy?.guestUserRoleId !== 'a0b1b346-4d3e-4e8b-98f8-753987be4970') return [];
    return [
      {
        rule: this.id,
        severity: 'high',
        subject: { type: 'tenant-setting', id: 'guest-user-role', name: 'Guest user access' },
        detail: 'Guests can read the whole directory, including every student\'s name and groups.',
        policyRef: POLICY.guestAccountsTemporary,
        fix: 'Entra admin centre > External Identities > External collaboration settings: guest user access "restricted access".',
      },
    ];
  },
};

/** Any other organisation's users can be brought in by default. */
export const tenantCrossTenantInboundOpen: AuditRule = {
  id: 'tenant.cross-tenant-inbound-open',
  needs: 'tenant.cross-tenant-access',
  title: 'Any organisation can collaborate in by default',
  evaluate(snapshot) {
    if (snapshot.crossTenantDefault?.b2bCollaborationInbound?.usersAndGroups?.accessType !== 'allowed') return [];
    return [
      {
        rule: this.id,
        severity: 'low',
        subject: { type: 'tenant-setting', id: 'cross-tenant-default', name: 'Cross-tenant access (default inbound)' },
        detail: 'The default cross-tenant setting lets users of any Microsoft Entra organisation be invited for B2B collaboration.',
        policyRef: POLICY.teamsWithinSchool,
        fix: 'Entra admin centre > External Identities > Cross-tenant access settings > Default settings: block inbound B2B collaboration and add the partner organisations you work with.',
      },
    ];
  },
};
