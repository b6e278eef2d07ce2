import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  API_PERMISSIONS,
  APP_PERMISSIONS,
  AUDIT_ONLY_PERMISSIONS,
  apiPermissionsMarkdown,
  appPermissionsMarkdown,
  capabilityReport,
  permissionsFor,
  rolesOf,
} from './permissions';

describe('what the granted Graph permissions allow', () => {
  it('finds every audit check available in the audit-only mode (incremental sharing changes aside), and names what lessons lack', () => {
    const report = capabilityReport(AUDIT_ONLY_PERMISSIONS);
    expect(report.filter((c) => c.feature === 'audit' && !c.available).map((c) => c.missing)).toEqual([
      ['Sites.FullControl.All'],
      ['AuditLogsQuery-SharePoint.Read.All', 'AuditLogsQuery-OneDrive.Read.All', 'AuditLogsQuery-Exchange.Read.All'],
    ]);
    expect(report.find((c) => c.what === 'creating lessons')).toMatchObject({
      available: false,
      missing: ['Calendars.ReadWrite', 'OnlineMeetings.ReadWrite.All', 'EduRoster.Read.All'],
    });
  });

  it('accepts either of two permissions where Graph does', () => {
    expect(capabilityReport(['Directory.Read.All']).find((c) => c.feature === 'directory')!.available).toBe(true);
  });

  it('asks more of a write than a read', () => {
    expect(permissionsFor('GET', '/v1.0/users/u1/events')).toEqual(['Calendars.ReadBasic.All', 'Calendars.Read', 'Calendars.ReadWrite']);
    expect(permissionsFor('POST', '/v1.0/users/u1/events')).toEqual(['Calendars.ReadWrite']);
  });

  it('asks EduRoster.Read.All of an application for any Education user or their classes (educationuser-get.md, educationuser-list-taughtclasses.md)', () => {
    expect(permissionsFor('GET', '/v1.0/education/users/u1', '?$select=id,primaryRole')![0]).toBe('EduRoster.Read.All');
    expect(permissionsFor('GET', '/v1.0/education/users/u1/taughtClasses')).not.toContain('EduRoster.ReadBasic.All');
    expect(APP_PERMISSIONS).not.toContain('EduRoster.ReadBasic.All');
  });

  it('installs into a chat only with the consent permission, since the app declares resource-specific permissions (chat-post-installedapps.md)', () => {
    expect(permissionsFor('POST', '/v1.0/chats/19:abc@thread.v2/installedApps')).toEqual([
      'TeamsAppInstallation.ReadWriteAndConsentSelfForChat.All',
      'TeamsAppInstallation.ReadWriteAndConsentForChat.All',
    ]);
    expect(APP_PERMISSIONS).not.toContain('TeamsAppInstallation.ReadWriteSelfForChat.All');
  });

  it('never asks Entra for Mail.Send: the school mailbox is granted in Exchange, and the report says mail is checked at first send', () => {
    expect(APP_PERMISSIONS).not.toContain('Mail.Send');
    const lado = capabilityReport(APP_PERMISSIONS).find((c) => c.what === 'emailing the LADO')!;
    expect(lado).toMatchObject({ available: true, grantedIn: 'exchange' });
    expect(lado.note).toMatch(/granted in Exchange Online .*checked at the first send/);
    const refused = capabilityReport(APP_PERMISSIONS, { status: 'refused', mailbox: 'esafety@school.org.uk', detail: '403 ErrorAccessDenied' }).find(
      (c) => c.what === 'emailing the LADO',
    )!;
    expect(refused).toMatchObject({ available: false, missing: ['Mail.Send'] });
    expect(refused.note).toMatch(/Exchange Online refused to send from esafety@school.org.uk .*Application Mail.Send/);
  });

  it("cites Microsoft's page for every API it lists", () => {
    for (const row of API_PERMISSIONS) expect(row.doc).toMatch(/^[a-z0-9-]+\.md$/);
    expect(permissionsFor('GET', '/v1.0/sites/getAllSites')).toEqual(['Sites.Read.All', 'Sites.ReadWrite.All']);
  });

  it('reads the roles of an app-only token, and nothing from a token that is not a JWT', () => {
    const token = `x.${Buffer.from(JSON.stringify({ roles: ['Mail.Send'] })).toString('base64url')}.y`;
    expect(rolesOf(token)).toEqual(['Mail.Send']);
    expect(rolesOf('demo-tenant-token')).toBeUndefined();
  });
});

describe('docs/permissions.md', () => {
  const doc = readFileSync(resolve(__dirname, '../../docs/permissions.md'), 'utf8');
  const section = (name: string) => new RegExp(`<!-- generated:${name} -->\\n([\\s\\S]*?)\\n<!-- /generated:${name} -->`).exec(doc)?.[1];

  it('lists exactly the table in src/graph/permissions.ts (regenerate: esafety permissions --update-doc docs/permissions.md)', () => {
    expect(section('api-permissions')).toBe(apiPermissionsMarkdown());
    expect(section('capabilities')).toBe(appPermissionsMarkdown());
    expect(section('app-permissions')).toBe(APP_PERMISSIONS.map((p) => `\`${p}\``).join(', '));
    expect(section('audit-only-permissions')).toBe(AUDIT_ONLY_PERMISSIONS.map((p) => `\`${p}\``).join(', '));
  });
});
