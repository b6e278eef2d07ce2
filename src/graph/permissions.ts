/**
 * Which Microsoft Graph application permission each part of the app needs. One table serves four
 * jobs: the report the app gives at start ("what can I do with what I was granted"), the audit-only
 * deployment mode, docs/permissions.md (generated from it: `esafety permissions --update-doc docs/permissions.md`), and
 * the demo tenant, which refuses (403) what the token lacks.
 *
 * Every row comes from Microsoft's page for that API (microsoftgraph/microsoft-graph-docs-contrib,
 * `api-reference/v1.0/api/<page>.md` and its include `api-reference/v1.0/includes/permissions/<page>-permissions.md`):
 * the first permission of each row is the documented least-privileged APPLICATION permission, the
 * rest the higher ones the service also accepts.
 */
export interface Capability {
  feature: 'directory' | 'audit' | 'policies' | 'incidents' | 'lessons';
  what: string;
  /** Any one of each inner list; every inner list. */
  needs: string[][];
  /**
   * Granted outside Entra ID, so absent from the token's `roles`: mail is authorised by Exchange
   * Online RBAC for Applications ("Application Mail.Send" scoped to the school mailbox), which only
   * Exchange knows. The report says so, and the first send proves it (a 403 is reported).
   */
  grantedIn?: 'exchange';
}

/**
 * Sending mail. Decision 1 (docs/permissions.md "Mail"): the Entra grant of Mail.Send is tenant-wide
 * (any mailbox), so it is not given; Exchange RBAC for Applications grants "Application Mail.Send"
 * on a management scope holding only the school mailbox. Source:
 * https://learn.microsoft.com/exchange/permissions-exo/application-rbac ("Entra grants are
 * additive to RBAC grants"; application access policies are replaced by it).
 */
export const MAIL_SEND = 'Mail.Send';

export const CAPABILITIES: Capability[] = [
  {
    feature: 'directory',
    what: 'people and their roles',
    needs: [
      ['User.Read.All', 'Directory.Read.All'],
      ['GroupMember.Read.All', 'Group.Read.All', 'Directory.Read.All'],
    ],
  },
  { feature: 'audit', what: 'mail forwarding rules', needs: [['MailboxSettings.Read', 'MailboxSettings.ReadWrite']] },
  {
    feature: 'audit',
    what: 'files shared outside the school',
    needs: [
      ['Files.Read.All', 'Sites.Read.All'],
      ['Sites.Read.All', 'Sites.ReadWrite.All', 'Sites.FullControl.All'],
    ],
  },
  // driveitem-delta.md, "Scanning permissions hierarchies": permission changes through delta need Sites.FullControl.All.
  {
    feature: 'audit',
    what: 'sharing changes since the last audit (without it an incremental run is partial; a full run is complete)',
    needs: [['Sites.FullControl.All']],
  },
  // security-auditcoreroot-post-auditlogqueries.md: one permission per Microsoft 365 service, or all audit logs.
  {
    feature: 'audit',
    what: 'learning what changed since the last audit from the unified audit log (without it an incremental run reads every drive and mailbox again)',
    needs: [
      ['AuditLogsQuery-SharePoint.Read.All', 'AuditLogsQuery.Read.All'],
      ['AuditLogsQuery-OneDrive.Read.All', 'AuditLogsQuery.Read.All'],
      ['AuditLogsQuery-Exchange.Read.All', 'AuditLogsQuery.Read.All'],
    ],
  },
  { feature: 'audit', what: 'SharePoint sharing settings', needs: [['SharePointTenantSettings.Read.All', 'SharePointTenantSettings.ReadWrite.All']] },
  { feature: 'audit', what: 'guest and cross-tenant settings', needs: [['Policy.Read.All']] },
  {
    feature: 'audit',
    what: 'meetings staff organise',
    needs: [
      ['Calendars.ReadBasic.All', 'Calendars.Read', 'Calendars.ReadWrite'],
      ['OnlineMeetings.Read.All', 'OnlineMeetings.ReadWrite.All'],
    ],
  },
  { feature: 'policies', what: 'installing the app for people the bot cannot reach', needs: [['TeamsAppInstallation.ReadWriteSelfForUser.All']] },
  { feature: 'policies', what: 'emailing parents to counter-sign', needs: [[MAIL_SEND], ['EduRoster.Read.All']], grantedIn: 'exchange' },
  { feature: 'incidents', what: 'retention from dates of birth', needs: [['EduRoster.Read.All']] },
  { feature: 'incidents', what: 'emailing the LADO', needs: [[MAIL_SEND]], grantedIn: 'exchange' },
  { feature: 'lessons', what: 'creating lessons', needs: [['Calendars.ReadWrite'], ['OnlineMeetings.ReadWrite.All'], ['EduRoster.Read.All']] },
  { feature: 'lessons', what: 'checking lesson recordings', needs: [['OnlineMeetingRecording.Read.All']] },
  // chat-post-installedapps.md: the ...SelfForChat.All permission "cannot be used to install apps that require consent to resource-specific permissions"; the manifest declares RSC.
  { feature: 'lessons', what: 'meeting start and end events in lesson chats', needs: [['TeamsAppInstallation.ReadWriteAndConsentSelfForChat.All']] },
  { feature: 'lessons', what: 'warning staff of meetings with outsiders', needs: [['Calendars.Read', 'Calendars.ReadWrite']] },
];

/**
 * Exactly what the read-only audit mode grants. No Education permission: the audit reads none, and
 * for applications `/education/users/{id}` needs EduRoster.Read.All (dates of birth, parents), more
 * than an audit should see; people are classified by the configured groups, else by licence.
 */
export const AUDIT_ONLY_PERMISSIONS = [
  'User.Read.All',
  'GroupMember.Read.All',
  'MailboxSettings.Read',
  'Files.Read.All',
  'Sites.Read.All',
  'SharePointTenantSettings.Read.All',
  'Policy.Read.All',
  'Calendars.ReadBasic.All',
  'OnlineMeetings.Read.All',
];

/**
 * What the full deployment grants in Entra ID: the least permission of every need, except Mail.Send
 * (an Exchange RBAC grant, never an Entra one), Sites.FullControl.All (optional: a school may
 * keep incremental sharing audits partial rather than grant full control of every site) and the
 * AuditLogsQuery-* permissions (optional: without them an incremental audit reads everything again).
 */
export const APP_PERMISSIONS: string[] = leastSet(
  CAPABILITIES.flatMap((c) => c.needs)
    .map((anyOf) => anyOf.filter((p) => p !== MAIL_SEND))
    .filter((anyOf) => anyOf.length > 0 && !(anyOf.length === 1 && anyOf[0] === 'Sites.FullControl.All'))
    // Optional too: without the audit log an incremental run reads everything again (slower, complete).
    .filter((anyOf) => !anyOf.every((p) => p.startsWith('AuditLogsQuery'))),
);

/** The fewest permissions meeting every need: a need with one choice first; a need already met adds nothing. */
function leastSet(needs: string[][]): string[] {
  const chosen = new Set<string>();
  for (const anyOf of [...needs].sort((a, b) => a.length - b.length)) if (!anyOf.some((p) => chosen.has(p))) chosen.add(anyOf[0]!);
  return [...chosen].sort();
}

export interface CapabilityStatus extends Capability {
  available: boolean;
  /** For each unmet requirement, the least permission that would meet it. */
  missing: string[];
  /** Said instead of "missing" when the grant lives outside the token (Exchange RBAC). */
  note?: string;
}

export function capabilityReport(granted: readonly string[], mail?: MailCheck): CapabilityStatus[] {
  const has = new Set(granted);
  return CAPABILITIES.map((c) => {
    // Exchange grants do not appear in the token: judge them by the last send, never by `roles`.
    const unmet = c.needs.filter((anyOf) => !anyOf.some((p) => has.has(p) || (c.grantedIn === 'exchange' && p === MAIL_SEND)));
    const missing = unmet.map((anyOf) => anyOf[0]!);
    if (c.grantedIn !== 'exchange') return { ...c, available: missing.length === 0, missing };
    const refused = mail?.status === 'refused';
    return {
      ...c,
      available: missing.length === 0 && !refused,
      missing: refused ? [...missing, MAIL_SEND] : missing,
      note: mailNote(mail),
    };
  });
}

/** What the app knows about its right to send from the school mailbox, learnt at each send. */
export interface MailCheck {
  status: 'not-yet-sent' | 'sent' | 'refused';
  mailbox: string;
  at?: string;
  detail?: string;
}

export function mailNote(mail?: MailCheck): string {
  const where = mail ? ` from ${mail.mailbox}` : '';
  switch (mail?.status) {
    case 'sent':
      return `Mail.Send is granted in Exchange Online (RBAC for Applications); the last send${where} worked (${mail.at}).`;
    case 'refused':
      return `Exchange Online refused to send${where} (${mail.detail ?? '403 ErrorAccessDenied'}): assign the app "Application Mail.Send" scoped to that mailbox (docs/permissions.md, "Mail"). Mail stays queued until then.`;
    default:
      return `Mail.Send is granted in Exchange Online (RBAC for Applications), not in the token: checked at the first send${where}.`;
  }
}

/** The `roles` claim of an app-only access token: the application permissions Entra granted. */
export function rolesOf(accessToken: string): string[] | undefined {
  const [, payload] = accessToken.split('.');
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { roles?: unknown };
    return Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : undefined;
  } catch {
    return undefined;
  }
}

/** The app id (`appid`, v1 tokens; `azp`, v2) of an app-only token: Exchange RBAC is assigned per app. */
export function appIdOf(accessToken: string): string | undefined {
  const [, payload] = accessToken.split('.');
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { appid?: unknown; azp?: unknown };
    const id = claims.appid ?? claims.azp;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** One Graph API the app (or the demo tenant) calls, with its documented application permissions. */
export interface ApiPermission {
  method: 'GET' | 'POST' | 'PATCH';
  /** The path as Microsoft's page writes it. */
  path: string;
  pattern: RegExp;
  /** Least privileged first, then the higher ones Graph also accepts. */
  anyOf: string[];
  /** The page in microsoftgraph/microsoft-graph-docs-contrib, api-reference/v1.0/api/. */
  doc: string;
  /** When the permission alone is not enough. */
  note?: string;
  /** Only when the query asks for this (Education: beyond the basic roster). */
  query?: RegExp;
}

/**
 * The Audit Log Query API's permissions, one per Microsoft 365 service, then all audit logs
 * (security-auditcoreroot-post-auditlogqueries.md, "Permissions"). The audit reads SharePoint's and
 * OneDrive's sharing events and Exchange's inbox-rule events.
 */
export const AUDIT_LOG_QUERY_PERMISSIONS = [
  'AuditLogsQuery-SharePoint.Read.All',
  'AuditLogsQuery-OneDrive.Read.All',
  'AuditLogsQuery-Exchange.Read.All',
  'AuditLogsQuery-Entra.Read.All',
  'AuditLogsQuery.Read.All',
];

const U = '[^/]+';
const r = (path: string) => new RegExp(`^${path.replace(/\{[^}]+\}/g, U).replace(/\$/g, '\\$')}$`);

export const API_PERMISSIONS: ApiPermission[] = [
  // Directory
  {
    method: 'GET',
    path: '/users',
    pattern: r('/users'),
    anyOf: ['User.Read.All', 'Directory.Read.All', 'User.ReadWrite.All'],
    doc: 'user-list.md',
    note: 'User.ReadBasic.All does not return userType or licences',
  },
  // Before /users/{id}: the delta function is a path segment of its own (user-delta.md).
  {
    method: 'GET',
    path: '/users/delta',
    pattern: r('/users/delta'),
    anyOf: ['User.Read.All', 'Directory.Read.All', 'Directory.ReadWrite.All', 'User.ReadWrite.All'],
    doc: 'user-delta.md',
  },
  { method: 'GET', path: '/users/{id}', pattern: r('/users/{id}'), anyOf: ['User.Read.All', 'Directory.Read.All', 'User.ReadWrite.All'], doc: 'user-get.md' },
  {
    method: 'GET',
    path: '/users/{id}/manager',
    pattern: r('/users/{id}/manager'),
    anyOf: ['User.Read.All', 'Directory.Read.All'],
    doc: 'user-list-manager.md',
  },
  {
    method: 'GET',
    path: '/users/{id}/memberOf',
    pattern: r('/users/{id}/memberOf'),
    anyOf: ['GroupMember.Read.All', 'Group.Read.All', 'Directory.Read.All'],
    doc: 'user-list-memberof.md',
  },
  { method: 'GET', path: '/groups', pattern: r('/groups'), anyOf: ['GroupMember.Read.All', 'Group.Read.All', 'Directory.Read.All'], doc: 'group-list.md' },
  // Before /groups/{id}: group-delta.md, members through `$select=members` (`members@delta`).
  {
    method: 'GET',
    path: '/groups/delta',
    pattern: r('/groups/delta'),
    anyOf: ['GroupMember.Read.All', 'Directory.Read.All', 'Directory.ReadWrite.All', 'Group.Read.All', 'Group.ReadWrite.All'],
    doc: 'group-delta.md',
  },
  {
    method: 'GET',
    path: '/groups/{id}',
    pattern: r('/groups/{id}'),
    anyOf: ['GroupMember.Read.All', 'Group.Read.All', 'Directory.Read.All'],
    doc: 'group-get.md',
  },
  {
    method: 'GET',
    path: '/groups/{id}/members',
    pattern: r('/groups/{id}/members'),
    anyOf: ['GroupMember.Read.All', 'Group.Read.All', 'Directory.Read.All'],
    doc: 'group-list-members.md',
  },
  {
    method: 'GET',
    path: '/groups/{id}/transitiveMembers',
    pattern: r('/groups/{id}/transitiveMembers'),
    anyOf: ['GroupMember.Read.All', 'Group.Read.All', 'Directory.Read.All'],
    doc: 'group-list-transitivemembers.md',
  },
  {
    method: 'GET',
    path: '/groups/{id}/owners',
    pattern: r('/groups/{id}/owners'),
    anyOf: ['GroupMember.Read.All', 'Group.Read.All', 'Directory.Read.All'],
    doc: 'group-list-owners.md',
  },
  { method: 'GET', path: '/organization', pattern: r('/organization'), anyOf: ['Organization.Read.All', 'Directory.Read.All'], doc: 'organization-list.md' },
  {
    method: 'GET',
    path: '/subscribedSkus',
    pattern: r('/subscribedSkus'),
    anyOf: ['LicenseAssignment.Read.All', 'Organization.Read.All', 'Directory.Read.All'],
    doc: 'subscribedsku-list.md',
  },
  // Education: for applications even the basic fields need EduRoster.Read.All (EduRoster.ReadBasic is delegated only).
  {
    method: 'GET',
    path: '/education/users/{id}',
    pattern: r('/education/users/{id}'),
    anyOf: ['EduRoster.Read.All', 'EduRoster.ReadWrite.All'],
    doc: 'educationuser-get.md',
  },
  {
    method: 'GET',
    path: '/education/users/{id}/taughtClasses',
    pattern: r('/education/users/{id}/taughtClasses'),
    anyOf: ['EduRoster.Read.All', 'EduRoster.ReadWrite.All'],
    doc: 'educationuser-list-taughtclasses.md',
  },
  // Mail
  {
    method: 'GET',
    path: '/users/{id}/mailFolders/inbox/messageRules',
    pattern: r('/users/{id}/mailFolders/inbox/messageRules'),
    anyOf: ['MailboxSettings.Read', 'MailboxSettings.ReadWrite'],
    doc: 'mailfolder-list-messagerules.md',
  },
  {
    method: 'POST',
    path: '/users/{id}/sendMail',
    pattern: r('/users/{id}/sendMail'),
    anyOf: [MAIL_SEND],
    doc: 'user-sendmail.md',
    note: 'granted by Exchange RBAC for Applications on the school mailbox only, not in Entra',
  },
  // Teams app installation
  {
    method: 'POST',
    path: '/users/{id}/teamwork/installedApps',
    pattern: r('/users/{id}/teamwork/installedApps'),
    anyOf: [
      'TeamsAppInstallation.ReadWriteSelfForUser.All',
      'TeamsAppInstallation.ReadWriteAndConsentSelfForUser.All',
      'TeamsAppInstallation.ReadWriteForUser.All',
    ],
    doc: 'userteamwork-post-installedapps.md',
  },
  {
    method: 'GET',
    path: '/users/{id}/teamwork/installedApps',
    pattern: r('/users/{id}/teamwork/installedApps'),
    anyOf: [
      'TeamsAppInstallation.ReadSelfForUser.All',
      'TeamsAppInstallation.ReadWriteSelfForUser.All',
      'TeamsAppInstallation.ReadWriteAndConsentSelfForUser.All',
    ],
    doc: 'userteamwork-list-installedapps.md',
  },
  {
    method: 'GET',
    path: '/users/{id}/teamwork/installedApps/{id}/chat',
    pattern: r('/users/{id}/teamwork/installedApps/{id}/chat'),
    anyOf: ['TeamsAppInstallation.ReadForUser.All', 'TeamsAppInstallation.ReadWriteSelfForUser.All', 'TeamsAppInstallation.ReadWriteForUser.All'],
    doc: 'userscopeteamsappinstallation-get-chat.md',
    note: 'the chat of an installation that already existed (409 on install)',
  },
  {
    method: 'POST',
    path: '/chats/{id}/installedApps',
    pattern: r('/chats/{id}/installedApps'),
    anyOf: ['TeamsAppInstallation.ReadWriteAndConsentSelfForChat.All', 'TeamsAppInstallation.ReadWriteAndConsentForChat.All'],
    doc: 'chat-post-installedapps.md',
    note: 'ReadWriteSelfForChat.All "cannot be used to install apps that require consent to resource-specific permissions"; the body carries consentedPermissionSet',
  },
  {
    method: 'GET',
    path: '/chats/{id}/installedApps',
    pattern: r('/chats/{id}/installedApps'),
    anyOf: ['TeamsAppInstallation.ReadSelfForChat.All', 'TeamsAppInstallation.ReadWriteAndConsentSelfForChat.All', 'TeamsAppInstallation.ReadForChat.All'],
    doc: 'chat-list-installedapps.md',
  },
  // Files and sites
  { method: 'GET', path: '/sites/getAllSites', pattern: r('/sites/getAllSites'), anyOf: ['Sites.Read.All', 'Sites.ReadWrite.All'], doc: 'site-getallsites.md' },
  { method: 'GET', path: '/sites', pattern: r('/sites'), anyOf: ['Sites.Read.All', 'Sites.ReadWrite.All'], doc: 'site-search.md' },
  {
    method: 'GET',
    path: '/sites/{id}/drives',
    pattern: r('/sites/{id}/drives'),
    anyOf: ['Files.Read.All', 'Files.ReadWrite.All', 'Sites.Read.All', 'Sites.ReadWrite.All'],
    doc: 'drive-list.md',
  },
  {
    method: 'GET',
    path: '/users/{id}/drive',
    pattern: r('/users/{id}/drive'),
    anyOf: ['Files.Read.All', 'Files.ReadWrite.All', 'Sites.Read.All', 'Sites.ReadWrite.All'],
    doc: 'drive-get.md',
  },
  {
    method: 'GET',
    path: '/groups/{id}/drive',
    pattern: r('/groups/{id}/drive'),
    anyOf: ['Files.Read.All', 'Files.ReadWrite.All', 'Sites.Read.All', 'Sites.ReadWrite.All'],
    doc: 'drive-get.md',
  },
  {
    method: 'GET',
    path: '/drives/{id}/root/delta',
    pattern: r('/drives/{id}/root/delta'),
    anyOf: ['Files.Read.All', 'Files.ReadWrite.All', 'Sites.Read.All', 'Sites.ReadWrite.All'],
    doc: 'driveitem-delta.md',
    note: 'permission changes (Prefer: deltashowsharingchanges) need Sites.FullControl.All',
  },
  {
    method: 'GET',
    path: '/sites/{id}/drive/root/delta',
    pattern: r('/sites/{id}/drive/root/delta'),
    anyOf: ['Files.Read.All', 'Files.ReadWrite.All', 'Sites.Read.All', 'Sites.ReadWrite.All'],
    doc: 'driveitem-delta.md',
    note: "a site's default library (a OneDrive by its personal site); permission changes need Sites.FullControl.All",
  },
  {
    method: 'GET',
    path: '/users/{id}/drive/root/delta',
    pattern: r('/users/{id}/drive/root/delta'),
    anyOf: ['Files.Read.All', 'Files.ReadWrite.All', 'Sites.Read.All', 'Sites.ReadWrite.All'],
    doc: 'driveitem-delta.md',
    note: 'a OneDrive found and read in one call; permission changes need Sites.FullControl.All',
  },
  {
    method: 'GET',
    path: '/sites/{id}/drive',
    pattern: r('/sites/{id}/drive'),
    anyOf: ['Files.Read.All', 'Files.ReadWrite.All', 'Sites.Read.All', 'Sites.ReadWrite.All'],
    doc: 'drive-get.md',
  },
  {
    method: 'GET',
    path: '/drives/{id}/root:/{path}',
    // The path is many segments; the colon that closes it is optional (addressing-driveitems.md).
    pattern: /^\/drives\/[^/]+\/root:\/[^:]+:?$/,
    anyOf: ['Files.Read.All', 'Files.ReadWrite.All', 'Sites.Read.All', 'Sites.ReadWrite.All'],
    doc: 'driveitem-get.md',
    note: 'an item the audit log names, by its path, when delta cannot report sharing changes',
  },
  {
    method: 'GET',
    path: '/drives/{id}/items/{id}/permissions',
    pattern: r('/drives/{id}/items/{id}/permissions'),
    anyOf: ['Files.Read.All', 'Files.ReadWrite.All', 'Sites.Read.All', 'Sites.ReadWrite.All'],
    doc: 'driveitem-list-permissions.md',
  },
  // The unified audit log (Microsoft Purview Audit Search): what changed since the last audit.
  // security-auditcoreroot-post-auditlogqueries.md: the permissions "are classified at a Microsoft 365
  // service level"; a query returns records only of the services the app holds one for.
  {
    method: 'POST',
    path: '/security/auditLog/queries',
    pattern: r('/security/auditLog/queries'),
    anyOf: AUDIT_LOG_QUERY_PERMISSIONS,
    doc: 'security-auditcoreroot-post-auditlogqueries.md',
    note: 'records only of the services granted: -SharePoint and -OneDrive for sharing, -Exchange for inbox rules',
  },
  {
    method: 'GET',
    path: '/security/auditLog/queries/{id}',
    pattern: r('/security/auditLog/queries/{id}'),
    anyOf: AUDIT_LOG_QUERY_PERMISSIONS,
    doc: 'security-auditlogquery-get.md',
  },
  {
    method: 'GET',
    path: '/security/auditLog/queries/{id}/records',
    pattern: r('/security/auditLog/queries/{id}/records'),
    anyOf: AUDIT_LOG_QUERY_PERMISSIONS,
    doc: 'security-auditlogquery-list-records.md',
  },
  // Tenant settings
  {
    method: 'GET',
    path: '/admin/sharepoint/settings',
    pattern: r('/admin/sharepoint/settings'),
    anyOf: ['SharePointTenantSettings.Read.All', 'SharePointTenantSettings.ReadWrite.All'],
    doc: 'sharepointsettings-get.md',
  },
  {
    method: 'GET',
    path: '/policies/authorizationPolicy',
    pattern: r('/policies/authorizationPolicy'),
    anyOf: ['Policy.Read.All', 'Policy.ReadWrite.Authorization'],
    doc: 'authorizationpolicy-get.md',
  },
  {
    method: 'GET',
    path: '/policies/crossTenantAccessPolicy/default',
    pattern: r('/policies/crossTenantAccessPolicy/default'),
    anyOf: ['Policy.Read.All', 'Policy.ReadWrite.CrossTenantAccess'],
    doc: 'crosstenantaccesspolicyconfigurationdefault-get.md',
  },
  // Calendars and meetings
  {
    method: 'GET',
    path: '/users/{id}/events',
    pattern: r('/users/{id}/events'),
    anyOf: ['Calendars.ReadBasic.All', 'Calendars.Read', 'Calendars.ReadWrite'],
    doc: 'user-list-events.md',
  },
  {
    method: 'GET',
    path: '/users/{id}/events/{id}',
    pattern: r('/users/{id}/events/{id}'),
    anyOf: ['Calendars.ReadBasic.All', 'Calendars.Read', 'Calendars.ReadWrite'],
    doc: 'event-get.md',
  },
  { method: 'POST', path: '/users/{id}/events', pattern: r('/users/{id}/events'), anyOf: ['Calendars.ReadWrite'], doc: 'user-post-events.md' },
  {
    method: 'POST',
    path: '/users/{id}/events/{id}/cancel',
    pattern: r('/users/{id}/events/{id}/cancel'),
    anyOf: ['Calendars.ReadWrite'],
    doc: 'event-cancel.md',
  },
  {
    method: 'GET',
    path: '/users/{id}/onlineMeetings',
    pattern: r('/users/{id}/onlineMeetings'),
    anyOf: ['OnlineMeetings.Read.All', 'OnlineMeetings.ReadWrite.All'],
    doc: 'onlinemeeting-get.md',
    note: 'and a Teams application access policy covering the organiser',
  },
  {
    method: 'GET',
    path: '/users/{id}/onlineMeetings/{id}',
    pattern: r('/users/{id}/onlineMeetings/{id}'),
    anyOf: ['OnlineMeetings.Read.All', 'OnlineMeetings.ReadWrite.All'],
    doc: 'onlinemeeting-get.md',
    note: 'and a Teams application access policy covering the organiser',
  },
  {
    method: 'PATCH',
    path: '/users/{id}/onlineMeetings/{id}',
    pattern: r('/users/{id}/onlineMeetings/{id}'),
    anyOf: ['OnlineMeetings.ReadWrite.All'],
    doc: 'onlinemeeting-update.md',
    note: 'and a Teams application access policy covering the organiser',
  },
  {
    method: 'GET',
    path: '/users/{id}/onlineMeetings/{id}/recordings',
    pattern: r('/users/{id}/onlineMeetings/{id}/recordings'),
    anyOf: ['OnlineMeetingRecording.Read.All'],
    doc: 'onlinemeeting-list-recordings.md',
    note: 'and a Teams application access policy covering the organiser',
  },
  // Change notifications on events: the permission of the resource (subscription-post-subscriptions.md, "event").
  {
    method: 'POST',
    path: '/subscriptions',
    pattern: r('/subscriptions'),
    anyOf: ['Calendars.Read', 'Calendars.ReadWrite'],
    doc: 'subscription-post-subscriptions.md',
    note: 'for /users/{id}/events',
  },
  {
    method: 'PATCH',
    path: '/subscriptions/{id}',
    pattern: r('/subscriptions/{id}'),
    anyOf: ['Calendars.Read', 'Calendars.ReadWrite'],
    doc: 'subscription-update.md',
    note: 'the permission that created it',
  },
  { method: 'GET', path: '/subscriptions', pattern: r('/subscriptions'), anyOf: ['Calendars.Read', 'Calendars.ReadWrite'], doc: 'subscription-list.md' },
];

/**
 * Which permissions a Graph request needs (any one of them), for the demo tenant's checks; the
 * least privileged first. Undefined for a request this table does not know (then nothing is checked).
 */
export function permissionsFor(method: string, path: string, _query = ''): string[] | undefined {
  const p = path
    .replace(/^.*\/v1\.0/, '')
    .split('?')[0]!
    .replace(/\/+$/, '');
  const m = method.toUpperCase();
  return API_PERMISSIONS.find((row) => row.method === m && row.pattern.test(p))?.anyOf;
}

/** The API table as markdown, for docs/permissions.md (kept equal by src/graph/permissions.spec.ts). */
export function apiPermissionsMarkdown(): string {
  const lines = ["| request | least privileged application permission | also accepted | Microsoft's page |", '|---|---|---|---|'];
  for (const row of API_PERMISSIONS) {
    const also =
      row.anyOf
        .slice(1)
        .map((p) => `\`${p}\``)
        .join(', ') || 'none';
    const note = row.note ? ` (${row.note})` : '';
    lines.push(
      `| \`${row.method} ${row.path}\` | \`${row.anyOf[0]}\`${note} | ${also} | [${row.doc.replace(/\.md$/, '')}](https://learn.microsoft.com/graph/api/${row.doc.replace(/\.md$/, '')}?view=graph-rest-1.0) |`,
    );
  }
  return lines.join('\n');
}

export function appPermissionsMarkdown(): string {
  const lines = ['| capability | needs (any one of each list) |', '|---|---|'];
  for (const c of CAPABILITIES) {
    const needs = c.needs.map((anyOf) => anyOf.map((p) => `\`${p}\``).join(' or ')).join('; ');
    lines.push(`| ${c.feature}: ${c.what} | ${needs}${c.grantedIn === 'exchange' ? ' (Mail.Send in Exchange RBAC, not Entra)' : ''} |`);
  }
  return lines.join('\n');
}
