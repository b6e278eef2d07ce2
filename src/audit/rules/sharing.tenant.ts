import type { AuditRule } from './rule';

/** Anyone links: a file shared with no sign-in at all, which nobody can audit. */
export const sharingTenantAnyoneLinks: AuditRule = {
  rule: 'sharing.tenant.anyone-links',
  evaluate(snapshot) {
    const s = snapshot.sharepointSettings;
    if (!s || s.sharingCapability !== 'externalUserAndGuestSharing') return [];
    return [
      {
        rule: this.rule,
        subject: { type: 'tenant-setting', id: 'sharepoint-settings', name: 'SharePoint sharing' },
        detail: 'External sharing is set to "Anyone": files can be shared by links that need no sign-in.',
      },
    ];
  },
};

/** People outside the school who were given a file can pass it on to others. */
export const sharingTenantExternalResharing: AuditRule = {
  rule: 'sharing.tenant.external-resharing',
  evaluate(snapshot) {
    const s = snapshot.sharepointSettings;
    if (!s || s.sharingCapability === 'disabled' || !s.isResharingByExternalUsersEnabled) return [];
    return [
      {
        rule: this.rule,
        subject: { type: 'tenant-setting', id: 'sharepoint-resharing', name: 'SharePoint re-sharing by guests' },
        detail: 'Guests may share items they do not own with further people outside the school.',
      },
    ];
  },
};

/** External sharing to any domain, rather than to the school's known partners only. */
export const sharingTenantNoDomainRestriction: AuditRule = {
  rule: 'sharing.tenant.no-domain-restriction',
  evaluate(snapshot) {
    const s = snapshot.sharepointSettings;
    if (!s || s.sharingCapability === 'disabled' || s.sharingDomainRestrictionMode !== 'none') return [];
    return [
      {
        rule: this.rule,
        subject: { type: 'tenant-setting', id: 'sharepoint-domains', name: 'SharePoint sharing domains' },
        detail: 'Files can be shared with people at any domain; no allow-list of partner domains is set.',
      },
    ];
  },
};
