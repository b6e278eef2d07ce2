import { tinySchool, findingsOf } from '../../../test/support/snapshot-builder';
import { tenantCrossTenantInboundOpen, tenantGuestInvitesOpen, tenantGuestRoleMemberAccess } from './tenant';

describe('002 "4. Managing IT and Communication Systems": guest accounts only occasionally, for short-term visitors', () => {
  it('flags guest invitations open to everyone (high) or to all members (medium), not to admins only', () => {
    const sev = (allowInvitesFrom: string) => {
      const x = tinySchool((s) => (s.authorizationPolicy = { allowInvitesFrom, guestUserRoleId: '10dae51f-b6af-4016-8d66-8c2a99b929b3' }));
      return findingsOf(tenantGuestInvitesOpen, x).map((f) => f.severity);
    };
    expect(sev('everyone')).toEqual(['high']);
    expect(sev('adminsGuestInvitersAndAllMembers')).toEqual(['medium']);
    expect(sev('adminsAndGuestInviters')).toEqual([]);
  });

  it('flags guests with member access to the directory, not the restricted default', () => {
    const member = tinySchool((s) => (s.authorizationPolicy = { allowInvitesFrom: 'none', guestUserRoleId: 'a0b1b346-4d3e-4e8b-98f8-753987be4970' }));
    const limited = tinySchool((s) => (s.authorizationPolicy = { allowInvitesFrom: 'none', guestUserRoleId: '2af84b1e-32c8-42b7-82bc-daa82404023b' }));
    expect(findingsOf(tenantGuestRoleMemberAccess, member)).toHaveLength(1);
    expect(findingsOf(tenantGuestRoleMemberAccess, limited)).toEqual([]);
  });

  it('flags cross-tenant inbound collaboration open to every organisation', () => {
    const open = tinySchool((s) => (s.crossTenantDefault = { b2bCollaborationInbound: { usersAndGroups: { accessType: 'allowed' } } }));
    const blocked = tinySchool((s) => (s.crossTenantDefault = { b2bCollaborationInbound: { usersAndGroups: { accessType: 'blocked' } } }));
    expect(findingsOf(tenantCrossTenantInboundOpen, open)).toHaveLength(1);
    expect(findingsOf(tenantCrossTenantInboundOpen, blocked)).toEqual([]);
  });
});
