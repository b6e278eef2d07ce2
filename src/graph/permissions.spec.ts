import { AUDIT_ONLY_PERMISSIONS, capabilityReport, permissionsFor, rolesOf } from './permissions';

describe('what the granted Graph permissions allow', () => {
  it('finds every audit check available in the audit-only mode, and names what lessons lack', () => {
    const report = capabilityReport(AUDIT_ONLY_PERMISSIONS);
    expect(report.filter((c) => c.feature === 'audit').every((c) => c.available)).toBe(true);
    expect(report.find((c) => c.what === 'creating lessons')).toMatchObject({ available: false, missing: ['Calendars.ReadWrite', 'OnlineMeetings.ReadWrite.All'] });
  });

  it('accepts either of two permissions where Graph does', () => {
    expect(capabilityReport(['Directory.Read.All']).find((c) => c.feature === 'directory')!.available).toBe(true);
  });

  it('asks more of a write than a read, and more of dates of birth and parents than of the basic roster', () => {
    expect(permissionsFor('GET', '/v1.0/users/u1/events')).toContain('Calendars.Read');
    expect(permissionsFor('POST', '/v1.0/users/u1/events')).toEqual(['Calendars.ReadWrite']);
    expect(permissionsFor('GET', '/v1.0/education/users/u1', '?$select=id,primaryRole')).toContain('EduRoster.ReadBasic.All');
    expect(permissionsFor('GET', '/v1.0/education/users/u1', '?$select=id,relatedContacts')).toEqual(['EduRoster.Read.All']);
  });

  it('reads the roles of an app-only token, and nothing from a token that is not a JWT', () => {
    const token = `x.${Buffer.from(JSON.stringify({ roles: ['Mail.Send'] })).toString('base64url')}.y`;
    expect(rolesOf(token)).toEqual(['Mail.Send']);
    expect(rolesOf('demo-tenant-token')).toBeUndefined();
  });
});
