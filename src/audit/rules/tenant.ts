import type { AuditRule } from './rule';

/** Anyone in the school, students included, can invite outsiders in as guests. */
export const tenantGuestInvitesOpen: AuditRule = {
  rule: 'tenant.guest-invites-open',
  evaluate(snapshot) {
    const who = snapshot.authorizationPolicy?.allowInvitesFrom;
    if (who !== 'everyone' && who !== 'adminsGuestInvitersAndAllMembers') return [];
    return [
      {
        rule: this.rule,
        // Everyone (guests too) is the control's high; every member, students included, is medium.
        ...(who === 'everyone' ? {} : { severity: 'medium' as const }),
        subject: { type: 'tenant-setting', id: 'authorization-policy', name: 'Guest invitations' },
        detail:
          who === 'everyone'
            ? 'Everyone, including guests and students, can invite guests into the school tenant.'
            : 'Every member, students included, can invite guests into the school tenant.',
      },
    ];
  },
};

/** Guests see the directory as members do. */
export const tenantGuestRoleMemberAccess: AuditRule = {
  rule: 'tenant.guest-role-member-access',
  evaluate(snapshot) {
    if (snapshot.authorizationPolicy?.guestUserRoleId !== 'a0b1b346-4d3e-4e8b-98f8-753987be4970') return [];
    return [
      {
        rule: this.rule,
        subject: { type: 'tenant-setting', id: 'guest-user-role', name: 'Guest user access' },
        detail: "Guests can read the whole directory, including every student's name and groups.",
      },
    ];
  },
};

/** Any other organisation's users can be brought in by default. */
export const tenantCrossTenantInboundOpen: AuditRule = {
  rule: 'tenant.cross-tenant-inbound-open',
  evaluate(snapshot) {
    if (snapshot.crossTenantDefault?.b2bCollaborationInbound?.usersAndGroups?.accessType !== 'allowed') return [];
    return [
      {
        rule: this.rule,
        subject: { type: 'tenant-setting', id: 'cross-tenant-default', name: 'Cross-tenant access (default inbound)' },
        detail: 'The default cross-tenant setting lets users of any Microsoft Entra organisation be invited for B2B collaboration.',
      },
    ];
  },
};
