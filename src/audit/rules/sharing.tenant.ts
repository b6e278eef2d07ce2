import type { AuditRule } from './rule';
import { POLICY } from '../policy-references';

/** Anyone links: a file shared with no sign-in at all, which nobody can audit. */
export const sharingTenantAnyoneLinks: AuditRule = {
  id: 'sharing.tenant.anyone-links',
  needs: 'sharing.tenant-settings',
  title: 'SharePoint allows Anyone (anonymous) links',
  evaluate(snapshot) {
    const s = snapshot.sharepointSettings;
    if (!s || s.sharingCapability !== 'externalUserAndGuestSharing') return [];
    return [
      {
        rule: this.id,
        severity: 'high',
        subject: { type: 'tenant-setting', id: 'sharepoint-settings', name: 'SharePoint sharing' },
        detail: 'External sharing is set to "Anyone": files can be shared by links that need no sign-in.',
        policyRef: POLICY.personalDataSentSecurely,
        fix: 'SharePoint admin centre > Policies > Sharing: set SharePoint and OneDrive to "New and existing guests" or stricter.',
      },
    ];
  },
};

/** People outside the school who were given a file can pass it on to others. */
export const sharingTenantExternalResharing: AuditRule = {
  id: 'sharing.tenant.external-resharing',
  needs: 'sharing.tenant-settings',
  title: 'Guests can re-share files they do not own',
  evaluate(snapshot) {
    const s = snapshot.sharepointSettings;
    if (!s || s.sharingCapability === 'disabled' || !s.isResharingByExternalUsersEnabled) return [];
    return [
      {
        rule: this.id,
        severity: 'medium',
        subject: { type: 'tenant-setting', id: 'sharepoint-resharing', name: 'SharePoint re-sharing by guests' },
        detail: 'Guests may share items they do not own with further people outside the school.',
        policyRef: POLICY.personalDataSentSecurely,
        fix: 'SharePoint admin centre > Policies > Sharing > More external sharing settings: untick "Allow guests to share items they don\'t own".',
      },
    ];
  },
};

/** External sharing to any domain, rather than to the school's known partners only. */
export const sharingTenantNoDomainRestriction: AuditRule = {
  id: 'sharing.tenant.no-domain-restriction',
  needs: 'sharing.tenant-settings',
  title: 'External sharing is not limited to known domains',
  evaluate(snapshot) {
    const s = snapshot.sharepointSettings;
    if (!s || s.sharingCapability === 'disabled' || s.sharingDomainRestrictionMode !== 'none') return [];
    return [
      {
        rule: this.id,
        severity: 'low',
        subject: { type: 'tenant-setting', id: 'sharepoint-domains', name: 'SharePoint sharing domains' },
        detail: 'Files can be shared with people at any domain; no allow-list of partner domains is set.',
        policyRef: POLICY.personalDataSentSecurely,
        fix: 'SharePoint admin centre > Policies > Sharing > More external sharing settings: "Limit external sharing by domain" to the local authority, trust and exam boards.',
      },
    ];
  },
};
