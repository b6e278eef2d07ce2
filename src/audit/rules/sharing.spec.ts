import { tinySchool, DOMAIN } from '../../../test/support/snapshot-builder';
import { sharingItemAnonymousLink, sharingItemExternalUser } from './sharing.item';
import { sharingTenantAnyoneLinks, sharingTenantExternalResharing, sharingTenantNoDomainRestriction } from './sharing.tenant';
import type { SnapshotPermission } from '../snapshot';

const item = (...permissions: SnapshotPermission[]) => ({ driveId: 'd', itemId: 'i', name: 'Report.docx', webUrl: 'https://x/Report.docx', driveOwner: 'teacher', permissions });

describe('001 "Ensuring the network is used safely": personal data only sent securely', () => {
  it('flags an Anyone link, not an organisation link', () => {
    const anon = tinySchool((s) => (s.sharedItems = [item({ id: 'p', roles: ['read'], link: { scope: 'anonymous', type: 'view' }, grantedTo: [] })]));
    const org = tinySchool((s) => (s.sharedItems = [item({ id: 'p', roles: ['read'], link: { scope: 'organization', type: 'view' }, grantedTo: [] })]));
    expect(sharingItemAnonymousLink.evaluate(anon.snapshot, anon.ctx)).toHaveLength(1);
    expect(sharingItemAnonymousLink.evaluate(org.snapshot, org.ctx)).toEqual([]);
  });

  it('flags sharing with a person outside the school, including a look-alike domain, not with a colleague', () => {
    const out = tinySchool((s) => (s.sharedItems = [item({ id: 'p', roles: ['read'], grantedTo: [{ email: `x@${DOMAIN}.evil.com` }] })]));
    const inside = tinySchool((s) => (s.sharedItems = [item({ id: 'p', roles: ['write'], grantedTo: [{ email: `head@${DOMAIN}` }] })]));
    expect(sharingItemExternalUser.evaluate(out.snapshot, out.ctx)).toHaveLength(1);
    expect(sharingItemExternalUser.evaluate(inside.snapshot, inside.ctx)).toEqual([]);
  });

  it('flags the tenant settings that allow Anyone links, re-sharing by guests and any domain', () => {
    const x = tinySchool((s) => (s.sharepointSettings = { sharingCapability: 'externalUserAndGuestSharing', sharingDomainRestrictionMode: 'none', isResharingByExternalUsersEnabled: true }));
    expect(sharingTenantAnyoneLinks.evaluate(x.snapshot, x.ctx)).toHaveLength(1);
    expect(sharingTenantExternalResharing.evaluate(x.snapshot, x.ctx)).toHaveLength(1);
    expect(sharingTenantNoDomainRestriction.evaluate(x.snapshot, x.ctx)).toHaveLength(1);
  });

  it('is quiet when external sharing is switched off', () => {
    const x = tinySchool((s) => (s.sharepointSettings = { sharingCapability: 'disabled', sharingDomainRestrictionMode: 'none', isResharingByExternalUsersEnabled: true }));
    expect([sharingTenantAnyoneLinks, sharingTenantExternalResharing, sharingTenantNoDomainRestriction].flatMap((r) => r.evaluate(x.snapshot, x.ctx))).toEqual([]);
  });
});
