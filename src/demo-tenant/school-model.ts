import type { Graph, Optional, Present, Selected } from '../graph/graph-types';

/**
 * The demo tenant's data, shaped after Microsoft Graph v1.0 resources so the handlers can serve it
 * almost as-is. Only what the app reads is modelled. Each Graph-shaped record extends Graph's own
 * type for the properties it holds (so a property's type cannot drift from Graph's); the fields
 * marked "Not a Graph field" are the demo's bookkeeping and are stripped before serving.
 */
export interface Recipient extends Graph.Recipient {
  emailAddress: { name?: string; address: string };
}

export type DemoRole = 'staff' | 'student' | 'governor' | 'guest' | 'mailbox';

/** user.md: userType is "Member" or "Guest". */
export interface DemoUser
  extends
    Present<
      Graph.User,
      'id' | 'displayName' | 'givenName' | 'surname' | 'userPrincipalName' | 'mail' | 'mailNickname' | 'userType' | 'accountEnabled' | 'assignedLicenses'
    >,
    Selected<Graph.User, 'jobTitle' | 'department'> {
  id: string;
  displayName: string;
  givenName: string;
  surname: string;
  userPrincipalName: string;
  mail: string;
  /** The mail alias (Exchange's Alias): what Exchange's own records may name the mailbox by. */
  mailNickname: string;
  userType: 'Member' | 'Guest';
  accountEnabled: boolean;
  jobTitle: string | null;
  department: string | null;
  assignedLicenses: Array<{ skuId: string; disabledPlans: string[] }>;
  /** Not a Graph field: what the school would call this person. */
  role: DemoRole;
  /** Education API primaryRole. */
  primaryRole: 'teacher' | 'student' | 'none';
  managerId: string | null;
  /** False for a OneDrive never opened: Graph answers 404 for /users/{id}/drive. */
  driveProvisioned: boolean;
  /** Education API `student.birthDate` (students only; School Data Sync fills it). */
  birthDate?: string;
}

/** A message the app sent through Graph sendMail, kept so a demo or a test can read it. */
export interface DemoSentMail {
  from: string;
  to: string[];
  subject: string;
  body: string;
  at: string;
}

export type DemoGroupKind = 'staff' | 'students' | 'governors' | 'admins' | 'safeguarding' | 'class' | 'staff-team' | 'club';

export interface DemoGroup extends Present<
  Graph.Group,
  | 'id'
  | 'displayName'
  | 'description'
  | 'mail'
  | 'mailNickname'
  | 'groupTypes'
  | 'mailEnabled'
  | 'securityEnabled'
  | 'visibility'
  | 'resourceProvisioningOptions'
> {
  id: string;
  displayName: string;
  description: string;
  mail: string;
  mailNickname: string;
  groupTypes: string[];
  mailEnabled: boolean;
  securityEnabled: boolean;
  visibility: 'Private' | 'Public' | 'HiddenMembership';
  resourceProvisioningOptions: string[];
  memberIds: string[];
  ownerIds: string[];
  kind: DemoGroupKind;
}

export interface DemoInboxRule extends Present<
  Graph.MessageRule,
  'id' | 'displayName' | 'sequence' | 'isEnabled' | 'hasError' | 'isReadOnly' | 'conditions' | 'actions'
> {
  id: string;
  displayName: string;
  sequence: number;
  isEnabled: boolean;
  hasError: boolean;
  isReadOnly: boolean;
  conditions: Record<string, unknown>;
  actions: {
    forwardTo?: Recipient[];
    redirectTo?: Recipient[];
    forwardAsAttachmentTo?: Recipient[];
    moveToFolder?: string;
    markAsRead?: boolean;
    stopProcessingRules?: boolean;
  };
}

/** sharePointIdentitySet (permission.md): a user (Entra), and/or the SharePoint site user with its login name. */
export interface DemoSharePointIdentitySet {
  user?: { id?: string; email?: string; displayName: string };
  siteUser?: { id: string; displayName: string; loginName: string };
}

export interface DemoPermission {
  id: string;
  roles: Array<'read' | 'write' | 'owner'>;
  /** A `users` link is a "specific people" link: its people are in grantedToIdentitiesV2. */
  link?: { scope: 'anonymous' | 'organization' | 'users'; type: 'view' | 'edit'; webUrl: string };
  grantedToV2?: DemoSharePointIdentitySet;
  grantedToIdentitiesV2?: DemoSharePointIdentitySet[];
  /** A pending invitation: until redeemed only `email` names the person (permission.md). */
  invitation?: { email: string; signInRequired: boolean };
  inheritedFrom?: { driveId: string; id: string };
}

export interface DemoDriveItem {
  id: string;
  name: string;
  parentId: string | null;
  isFolder: boolean;
  size: number;
  lastModifiedDateTime: string;
  webUrl: string;
  permissions: DemoPermission[];
  /** The demo tenant's change counter when this item last changed (0: since the seed). */
  changeVersion?: number;
  /** Its last change was to its sharing (delta marks it `@microsoft.graph.sharedChanged`). */
  sharingChanged?: boolean;
  /** That change removed its last sharing: hierarchical delta shows an empty `shared: {}`. */
  sharingRemoved?: boolean;
}

export interface DemoDrive {
  id: string;
  name: string;
  driveType: 'business' | 'documentLibrary';
  ownerUserId: string | null;
  /** Items deleted since start-up, for delta to report with a `deleted` facet (driveitem-delta.md). */
  deletedItems?: Array<{ id: string; parentId: string | null; changeVersion: number }>;
  siteId: string | null;
  rootId: string;
  items: DemoDriveItem[];
}

export interface DemoSite extends Present<Graph.Site, 'id' | 'displayName' | 'name' | 'webUrl'> {
  id: string;
  displayName: string;
  name: string;
  webUrl: string;
  groupId: string | null;
  driveIds: string[];
}

export interface DemoOnlineMeeting
  extends
    Present<
      Graph.OnlineMeeting,
      | 'id'
      | 'subject'
      | 'startDateTime'
      | 'endDateTime'
      | 'joinWebUrl'
      | 'recordAutomatically'
      | 'allowRecording'
      | 'isEntryExitAnnounced'
      | 'allowedPresenters'
      | 'lobbyBypassSettings'
    >,
    Optional<Graph.OnlineMeeting, 'participants'> {
  id: string;
  organizerUserId: string;
  subject: string;
  startDateTime: string;
  endDateTime: string;
  joinWebUrl: string;
  recordAutomatically: boolean;
  allowRecording: boolean;
  isEntryExitAnnounced: boolean;
  allowedPresenters: 'everyone' | 'organization' | 'roleIsPresenter' | 'organizer';
  lobbyBypassSettings: { scope: LobbyBypassScope; isDialInBypassEnabled: boolean };
  /** Not a Graph field: which class team the lesson is for, when it is a lesson. */
  lessonGroupId: string | null;
  /** Recordings made of it (Graph serves them under .../recordings). */
  recordings: Array<{ id: string; createdDateTime: string }>;
  /** The meeting chat (Graph: chatInfo.threadId). */
  chatThreadId: string;
  /** Set when the organiser lists attendees with roles (co-teachers as presenters). */
  participants?: { attendees: Array<{ upn: string; role: Graph.OnlineMeetingRole; identity?: { user?: { id?: string } } }> };
}

/** lobbybypasssettings.md: `invited` and `organizationExcludingGuests` come after the sentinel `unknownFutureValue`. */
export type LobbyBypassScope =
  'organizer' | 'organization' | 'organizationAndFederated' | 'everyone' | 'unknownFutureValue' | 'invited' | 'organizationExcludingGuests';

/** A Graph change-notification subscription the app made. */
export interface DemoSubscription extends Present<
  Graph.Subscription,
  'id' | 'resource' | 'changeType' | 'notificationUrl' | 'expirationDateTime' | 'clientState'
> {
  id: string;
  resource: string;
  changeType: string;
  notificationUrl: string;
  expirationDateTime: string;
  clientState: string;
  /** Where Graph sends reauthorizationRequired, subscriptionRemoved and missed (change-notifications-lifecycle-events.md). */
  lifecycleNotificationUrl?: string;
}

export interface DemoEvent
  extends
    Present<Graph.Event, 'id' | 'subject' | 'start' | 'end' | 'isOnlineMeeting' | 'onlineMeetingProvider' | 'isOrganizer' | 'organizer' | 'attendees'>,
    Selected<Graph.Event, 'onlineMeeting'> {
  id: string;
  /** Whose calendar this copy is in. */
  calendarOwnerId: string;
  subject: string;
  start: { dateTime: string; timeZone: 'UTC' };
  end: { dateTime: string; timeZone: 'UTC' };
  isOnlineMeeting: boolean;
  onlineMeetingProvider: 'teamsForBusiness' | 'unknown';
  onlineMeeting: { joinUrl: string } | null;
  isOrganizer: boolean;
  organizer: Recipient;
  attendees: Array<Recipient & { type: 'required' | 'optional' }>;
}

export interface TenantSettings {
  organization: Present<Graph.Organization, 'id' | 'displayName'> & {
    id: string;
    displayName: string;
    verifiedDomains: Array<{ name: string; isDefault: boolean }>;
  };
  sharepoint: Present<Graph.SharepointSettings, 'sharingCapability' | 'sharingDomainRestrictionMode' | 'isResharingByExternalUsersEnabled'> & {
    sharingCapability: 'disabled' | 'existingExternalUserSharingOnly' | 'externalUserSharingOnly' | 'externalUserAndGuestSharing';
    sharingDomainRestrictionMode: 'none' | 'allowList' | 'blockList';
    isResharingByExternalUsersEnabled: boolean;
  };
  authorizationPolicy: Present<Graph.AuthorizationPolicy, 'allowInvitesFrom' | 'guestUserRoleId'> & {
    allowInvitesFrom: 'none' | 'adminsAndGuestInviters' | 'adminsGuestInvitersAndAllMembers' | 'everyone';
    guestUserRoleId: string;
  };
  crossTenantDefault: Present<Graph.CrossTenantAccessPolicyConfigurationDefault, 'b2bCollaborationInbound'> & {
    b2bCollaborationInbound: { usersAndGroups: { accessType: 'allowed' | 'blocked' } };
  };
  subscribedSkus: Array<Present<Graph.SubscribedSku, 'skuId' | 'skuPartNumber'> & { skuId: string; skuPartNumber: string }>;
}

/**
 * Exchange Online RBAC for Applications (https://learn.microsoft.com/exchange/permissions-exo/application-rbac):
 * the app's service principal registered in Exchange (New-ServicePrincipal), management scopes
 * (New-ManagementScope -RecipientRestrictionFilter) and role assignments to the app
 * (New-ManagementRoleAssignment -App -Role "Application Mail.Send" -CustomResourceScope).
 */
export interface DemoExchangeRbac {
  servicePrincipals: Array<{ AppId: string; ObjectId: string; DisplayName: string }>;
  /** The filter a school writes, and the mailboxes (user ids) it matches. */
  managementScopes: Array<{ Name: string; RecipientRestrictionFilter: string; memberIds: string[] }>;
  roleAssignments: Array<{
    App: string;
    Role: 'Application Mail.Send' | 'Application Mail.Read' | 'Application Calendars.Read';
    CustomResourceScope: string | null;
  }>;
}

/**
 * An Exchange application access policy (New-ApplicationAccessPolicy), legacy: it limits the app
 * id's Mail.*, MailboxSettings.* and Calendars.* (and Contacts) access together to a group's members
 * (https://learn.microsoft.com/graph/auth-limit-mailbox-access). Microsoft says not to create new ones.
 */
export interface DemoApplicationAccessPolicy {
  AppId: string;
  AccessRight: 'RestrictAccess' | 'DenyAccess';
  /** The mail-enabled security group's members (user ids). */
  scopeMemberIds: string[];
}

/** Exchange Online settings that only the Exchange admin API shows. */
export interface DemoExchange {
  /**
   * Mailbox-level forwarding by user id. `ForwardingAddress` names a recipient inside Exchange (a
   * mail contact or mail user, by id here), which may itself point outside; `ForwardingSmtpAddress`
   * is a raw SMTP address (Set-Mailbox, https://learn.microsoft.com/powershell/module/exchange/set-mailbox).
   */
  forwarding: Map<string, { ForwardingSmtpAddress: string | null; ForwardingAddress?: string | null; DeliverToMailboxAndForward: boolean }>;
  /** Mail contacts (New-MailContact): a name in the address book for an outside address. */
  mailContacts: Array<{ Identity: string; ExternalDirectoryObjectId: string; DisplayName: string; ExternalEmailAddress: string }>;
  rbac: DemoExchangeRbac;
  applicationAccessPolicies: DemoApplicationAccessPolicy[];
  outboundSpamPolicies: Array<{ Identity: string; AutoForwardingMode: 'Automatic' | 'On' | 'Off' }>;
  remoteDomains: Array<{ Identity: string; DomainName: string; AutoForwardEnabled: boolean }>;
}

/**
 * One record of the unified audit log (security.auditLogRecord in Graph v1.0's CSDL;
 * resources/security-auditlogrecord.md). `auditData` holds the service's own schema, an open type.
 */
export interface DemoAuditRecord {
  id: string;
  createdDateTime: string;
  /** auditLogRecordType: sharePointSharingOperation, exchangeAdmin, exchangeItem ... */
  auditLogRecordType: string;
  operation: string;
  organizationId: string;
  userType: 'regular' | 'admin' | 'system';
  userId: string;
  /** The workload: SharePoint, OneDrive, Exchange, AzureActiveDirectory. */
  service: string;
  objectId: string;
  userPrincipalName: string;
  clientIp: string;
  administrativeUnits: string[];
  auditData: Record<string, unknown>;
  /** Not a Graph field: when a search can first find it (records arrive late, audit-log-handlers.ts). */
  ingestedAt: string;
}

/** What the generator deliberately got wrong, so the audit can be checked against the truth. */
export interface SeededViolation {
  rule: string;
  subjectId: string;
  note: string;
}

export interface DemoSchool {
  seed: number;
  tenantId: string;
  domains: { staff: string; students: string };
  users: DemoUser[];
  groups: DemoGroup[];
  inboxRules: Map<string, DemoInboxRule[]>;
  drives: DemoDrive[];
  sites: DemoSite[];
  events: DemoEvent[];
  onlineMeetings: DemoOnlineMeeting[];
  settings: TenantSettings;
  exchange: DemoExchange;
  seededViolations: SeededViolation[];
  /** What the app sent by email (Graph sendMail), newest last. */
  outbox: DemoSentMail[];
  /** People the app installed itself for (Graph teamwork/installedApps). */
  appInstalledFor: Set<string>;
  /** Meeting chats the app added itself to. */
  appInstalledInChats: Set<string>;
  /**
   * Teams application access policy (New-CsApplicationAccessPolicy, Grant-CsApplicationAccessPolicy):
   * an app reads or changes a user's online meetings only when a policy naming it is granted to that
   * organiser, or globally (https://learn.microsoft.com/graph/cloud-communication-online-meeting-application-access-policy).
   */
  teamsAppAccessPolicy: { global: boolean; organizerIds: string[] };
  subscriptions: DemoSubscription[];
  /** The unified audit log: sharing and inbox-rule changes made after the seed, oldest first. */
  auditLog: DemoAuditRecord[];
}
