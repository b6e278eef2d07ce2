import { tinySchool, DOMAIN, findingsOf } from '../../../test/support/snapshot-builder';
import { isShared, toPermission } from '../collect/collect-tenant';
import { outsiderOf, sharingItemAnonymousLink, sharingItemExternalUser } from './sharing.item';
import { sharingTenantAnyoneLinks, sharingTenantExternalResharing, sharingTenantNoDomainRestriction } from './sharing.tenant';
import type { SnapshotPermission } from '../snapshot';

const item = (...permissions: SnapshotPermission[]) => ({
  driveId: 'd',
  itemId: 'i',
  name: 'Report.docx',
  webUrl: 'https://x/Report.docx',
  driveOwner: 'teacher',
  permissions,
});

describe('001 "Ensuring the network is used safely": personal data only sent securely', () => {
  it('flags an Anyone link, not an organisation link', () => {
    const anon = tinySchool((s) => (s.sharedItems = [item({ id: 'p', roles: ['read'], link: { scope: 'anonymous', type: 'view' }, grantedTo: [] })]));
    const org = tinySchool((s) => (s.sharedItems = [item({ id: 'p', roles: ['read'], link: { scope: 'organization', type: 'view' }, grantedTo: [] })]));
    expect(findingsOf(sharingItemAnonymousLink, anon)).toHaveLength(1);
    expect(findingsOf(sharingItemAnonymousLink, org)).toEqual([]);
  });

  it('flags sharing with a person outside the school, including a look-alike domain, not with a colleague', () => {
    const out = tinySchool((s) => (s.sharedItems = [item({ id: 'p', roles: ['read'], grantedTo: [{ email: `x@${DOMAIN}.evil.com` }] })]));
    const inside = tinySchool((s) => (s.sharedItems = [item({ id: 'p', roles: ['write'], grantedTo: [{ email: `head@${DOMAIN}` }] })]));
    expect(findingsOf(sharingItemExternalUser, out)).toHaveLength(1);
    expect(findingsOf(sharingItemExternalUser, inside)).toEqual([]);
  });

  it('flags a specific-people link whose people (grantedToIdentitiesV2) include an outsider, not one for colleagues', () => {
    const link = { scope: 'users', type: 'edit' };
    const out = tinySchool((s) => (s.sharedItems = [item({ id: 'p', roles: ['write'], link, grantedTo: [{ email: 'tutor.home@hotmail.com' }] })]));
    const inside = tinySchool((s) => (s.sharedItems = [item({ id: 'p', roles: ['write'], link, grantedTo: [{ email: `head@${DOMAIN}` }] })]));
    expect(findingsOf(sharingItemExternalUser, out)).toHaveLength(1);
    expect(findingsOf(sharingItemExternalUser, inside)).toEqual([]);
  });

  it('names a pending invitation by its email (toPermission), the only place the outsider appears', () => {
    const p = toPermission({ id: 'p', roles: ['read'], invitation: { email: 'coach@club.example.com', signInRequired: true } });
    expect(p.grantedTo).toEqual([{ email: 'coach@club.example.com' }]);
    const x = tinySchool((s) => (s.sharedItems = [item(p)]));
    expect(findingsOf(sharingItemExternalUser, x)[0]!.detail).toContain('coach@club.example.com');
  });

  it('tells who a grantee without an email is: a guest by id, an outsider or a member by SharePoint login name', () => {
    const x = tinySchool();
    expect(outsiderOf({ id: 'guest', displayName: 'Tutor' }, x.ctx)).toBe('tutor@tutoring.example.com');
    expect(outsiderOf({ id: 'teacher', displayName: 'Teacher' }, x.ctx)).toBeUndefined();
    expect(outsiderOf({ loginName: 'i:0#.f|membership|pat.parent_outlook.com#ext#@school.onmicrosoft.com' }, x.ctx)).toBe('pat.parent@outlook.com');
    expect(outsiderOf({ loginName: 'i:0#.f|membership|urn%3aspo%3aguest#jo@gmail.com' }, x.ctx)).toBe('jo@gmail.com');
    expect(outsiderOf({ loginName: `i:0#.f|membership|head@${DOMAIN}` }, x.ctx)).toBeUndefined();
    expect(outsiderOf({ loginName: 'c:0-.f|rolemanager|spo-grid-all-users/b1f0c9a2', displayName: 'Everyone except external users' }, x.ctx)).toBeUndefined();
    expect(
      toPermission({ id: 'p', roles: ['read'], grantedToV2: { siteUser: { id: '7', displayName: 'Pat', loginName: 'i:0#.f|membership|x' } } }).grantedTo,
    ).toEqual([{ displayName: 'Pat', loginName: 'i:0#.f|membership|x' }]);
  });

  it('treats an empty shared facet as not shared', () => {
    expect(isShared({ shared: {} })).toBe(false);
    expect(isShared({ shared: { scope: 'users' } })).toBe(true);
    expect(isShared({})).toBe(false);
  });

  it('flags the tenant settings that allow Anyone links, re-sharing by guests and any domain', () => {
    const x = tinySchool(
      (s) =>
        (s.sharepointSettings = {
          sharingCapability: 'externalUserAndGuestSharing',
          sharingDomainRestrictionMode: 'none',
          isResharingByExternalUsersEnabled: true,
        }),
    );
    expect(findingsOf(sharingTenantAnyoneLinks, x)).toHaveLength(1);
    expect(findingsOf(sharingTenantExternalResharing, x)).toHaveLength(1);
    expect(findingsOf(sharingTenantNoDomainRestriction, x)).toHaveLength(1);
  });

  it('is quiet when external sharing is switched off', () => {
    const x = tinySchool(
      (s) => (s.sharepointSettings = { sharingCapability: 'disabled', sharingDomainRestrictionMode: 'none', isResharingByExternalUsersEnabled: true }),
    );
    expect([sharingTenantAnyoneLinks, sharingTenantExternalResharing, sharingTenantNoDomainRestriction].flatMap((r) => findingsOf(r, x))).toEqual([]);
  });
});
