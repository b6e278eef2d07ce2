/**
 * Which Microsoft Graph application permission each part of the app needs. One table serves three
 * jobs: the report the app gives at start ("what can I do with what I was granted"), the audit-only
 * deployment mode in docs/deploy.md, and the demo tenant, which refuses (403) what the token lacks.
 */
export interface Capability {
  feature: 'directory' | 'audit' | 'policies' | 'incidents' | 'lessons';
  what: string;
  /** Any one of each inner list; every inner list. */
  needs: string[][];
}

export const CAPABILITIES: Capability[] = [
  { feature: 'directory', what: 'people and their roles', needs: [['User.Read.All', 'Directory.Read.All'], ['GroupMember.Read.All', 'Group.Read.All', 'Directory.Read.All']] },
  { feature: 'audit', what: 'mail forwarding rules', needs: [['MailboxSettings.Read']] },
  { feature: 'audit', what: 'files shared outside the school', needs: [['Files.Read.All'], ['Sites.Read.All']] },
  { feature: 'audit', what: 'SharePoint sharing settings', needs: [['SharePointTenantSettings.Read.All']] },
  { feature: 'audit', what: 'guest and cross-tenant settings', needs: [['Policy.Read.All']] },
  { feature: 'audit', what: 'meetings staff organise', needs: [['Calendars.Read', 'Calendars.ReadWrite'], ['OnlineMeetings.Read.All', 'OnlineMeetings.ReadWrite.All']] },
  { feature: 'policies', what: 'installing the app for people the bot cannot reach', needs: [['TeamsAppInstallation.ReadWriteSelfForUser.All']] },
  { feature: 'policies', what: 'emailing parents to counter-sign', needs: [['Mail.Send'], ['EduRoster.Read.All']] },
  { feature: 'incidents', what: 'retention from dates of birth', needs: [['EduRoster.Read.All']] },
  { feature: 'incidents', what: 'emailing the LADO', needs: [['Mail.Send']] },
  { feature: 'lessons', what: 'creating lessons', needs: [['Calendars.ReadWrite'], ['OnlineMeetings.ReadWrite.All'], ['EduRoster.ReadBasic.All', 'EduRoster.Read.All']] },
  { feature: 'lessons', what: 'checking lesson recordings', needs: [['OnlineMeetingRecording.Read.All']] },
  { feature: 'lessons', what: 'meeting start and end events in lesson chats', needs: [['TeamsAppInstallation.ReadWriteSelfForChat.All']] },
  { feature: 'lessons', what: 'warning staff of meetings with outsiders', needs: [['Calendars.Read', 'Calendars.ReadWrite']] },
];

/** Exactly what the read-only audit mode grants (docs/deploy.md). */
export const AUDIT_ONLY_PERMISSIONS = ['User.Read.All', 'GroupMember.Read.All', 'EduRoster.ReadBasic.All', 'MailboxSettings.Read', 'Files.Read.All', 'Sites.Read.All', 'SharePointTenantSettings.Read.All', 'Policy.Read.All', 'Calendars.Read', 'OnlineMeetings.Read.All'];

export interface CapabilityStatus extends Capability {
  available: boolean;
  /** For each unmet requirement, the least permission that would meet it. */
  missing: string[];
}

export function capabilityReport(granted: readonly string[]): CapabilityStatus[] {
  const has = new Set(granted);
  return CAPABILITIES.map((c) => {
    const missing = c.needs.filter((anyOf) => !anyOf.some((p) => has.has(p))).map((anyOf) => anyOf[0]!);
    return { ...c, available: missing.length === 0, missing };
  });
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

/**
 * Which permissions a Graph request needs (any one of them), for the demo tenant's checks. Reads
 * come first; a write needs the write permission.
 */
export function permissionsFor(method: string, path: string, query = ''): string[] | undefined {
  const p = path.replace(/^.*\/v1\.0/, '').split('?')[0]!;
  // Dates of birth and parents are beyond the basic roster.
  if (/^\/education\/users\/[^/]+$/.test(p) && /student|relatedContacts/.test(decodeURIComponent(query))) return ['EduRoster.Read.All'];
  const write = method !== 'GET';
  const rules: Array<[RegExp, string[], string[]?]> = [
    [/^\/users\/[^/]+\/mailFolders\/inbox\/messageRules/, ['MailboxSettings.Read', 'MailboxSettings.ReadWrite']],
    [/^\/users\/[^/]+\/sendMail$/, [], ['Mail.Send']],
    [/^\/users\/[^/]+\/teamwork\/installedApps/, ['TeamsAppInstallation.ReadWriteSelfForUser.All'], ['TeamsAppInstallation.ReadWriteSelfForUser.All']],
    [/^\/chats\/[^/]+\/installedApps/, ['TeamsAppInstallation.ReadWriteSelfForChat.All'], ['TeamsAppInstallation.ReadWriteSelfForChat.All']],
    [/^\/users\/[^/]+\/onlineMeetings\/[^/]+\/recordings/, ['OnlineMeetingRecording.Read.All']],
    [/^\/users\/[^/]+\/onlineMeetings/, ['OnlineMeetings.Read.All', 'OnlineMeetings.ReadWrite.All'], ['OnlineMeetings.ReadWrite.All']],
    [/^\/users\/[^/]+\/events/, ['Calendars.Read', 'Calendars.ReadWrite'], ['Calendars.ReadWrite']],
    [/^\/users\/[^/]+\/drive/, ['Files.Read.All']],
    [/^\/(drives|sites)/, ['Files.Read.All', 'Sites.Read.All']],
    [/^\/admin\/sharepoint/, ['SharePointTenantSettings.Read.All']],
    [/^\/policies\//, ['Policy.Read.All']],
    [/^\/education\//, ['EduRoster.ReadBasic.All', 'EduRoster.Read.All']],
    [/^\/groups/, ['GroupMember.Read.All', 'Group.Read.All', 'Directory.Read.All']],
    [/^\/subscriptions/, ['Calendars.Read', 'Calendars.ReadWrite'], ['Calendars.Read', 'Calendars.ReadWrite']],
    [/^\/(users|organization|subscribedSkus)/, ['User.Read.All', 'Directory.Read.All']],
  ];
  for (const [pattern, read, writePerms] of rules) if (pattern.test(p)) return write ? (writePerms ?? read) : read;
  return undefined;
}
