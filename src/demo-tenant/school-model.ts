/**
 * The demo tenant's data, shaped after Microsoft Graph v1.0 resources so the handlers can serve it
 * almost as-is. Only what the app reads is modelled.
 */
export interface Recipient {
  emailAddress: { name?: string; address: string };
}

export type DemoRole = 'staff' | 'student' | 'governor' | 'guest' | 'mailbox';

export interface DemoUser {
  id: string;
  displayName: string;
  givenName: string;
  surname: string;
  userPrincipalName: string;
  mail: string;
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

export interface DemoGroup {
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

export interface DemoInboxRule {
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

export interface DemoPermission {
  id: string;
  roles: Array<'read' | 'write' | 'owner'>;
  link?: { scope: 'anonymous' | 'organization' | 'users'; type: 'view' | 'edit'; webUrl: string };
  grantedToV2?: { user: { id?: string; email?: string; displayName: string } };
  grantedToIdentitiesV2?: Array<{ user: { id?: string; email?: string; displayName: string } }>;
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
}

export interface DemoDrive {
  id: string;
  name: string;
  driveType: 'business' | 'documentLibrary';
  ownerUserId: string | null;
  siteId: string | null;
  rootId: string;
  items: DemoDriveItem[];
}

export interface DemoSite {
  id: string;
  displayName: string;
  name: string;
  webUrl: string;
  groupId: string | null;
  driveIds: string[];
}

export interface DemoOnlineMeeting {
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
  participants?: { attendees: Array<{ upn: string; role: string; identity?: { user?: { id?: string } } }> };
}

/** lobbybypasssettings.md: `invited` and `organizationExcludingGuests` come after the sentinel `unknownFutureValue`. */
export type LobbyBypassScope = 'organizer' | 'organization' | 'organizationAndFederated' | 'everyone' | 'unknownFutureValue' | 'invited' | 'organizationExcludingGuests';

/** A Graph change-notification subscription the app made. */
export interface DemoSubscription {
  id: string;
  resource: string;
  changeType: string;
  notificationUrl: string;
  expirationDateTime: string;
  clientState: string;
  /** Where Graph sends reauthorizationRequired, subscriptionRemoved and missed (change-notifications-lifecycle-events.md). */
  lifecycleNotificationUrl?: string;
}

export interface DemoEvent {
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
  organization: { id: string; displayName: string; verifiedDomains: Array<{ name: string; isDefault: boolean }> };
  sharepoint: {
    sharingCapability: 'disabled' | 'existingExternalUserSharingOnly' | 'externalUserSharingOnly' | 'externalUserAndGuestSharing';
    sharingDomainRestrictionMode: 'none' | 'allowList' | 'blockList';
    isResharingByExternalUsersEnabled: boolean;
  };
  authorizationPolicy: {
    allowInvitesFrom: 'none' | 'adminsAndGuestInviters' | 'adminsGuestInvitersAndAllMembers' | 'everyone';
    guestUserRoleId: string;
  };
  crossTenantDefault: { b2bCollaborationInbound: { usersAndGroups: { accessType: 'allowed' | 'blocked' } } };
  subscribedSkus: Array<{ skuId: string; skuPartNumber: string }>;
}

/** Exchange Online settings that only the Exchange admin API shows. */
export interface DemoExchange {
  /** Mailbox-level forwarding by user id. */
  forwarding: Map<string, { ForwardingSmtpAddress: string | null; DeliverToMailboxAndForward: boolean }>;
  outboundSpamPolicies: Array<{ Identity: string; AutoForwardingMode: 'Automatic' | 'On' | 'Off' }>;
  remoteDomains: Array<{ Identity: string; DomainName: string; AutoForwardEnabled: boolean }>;
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
  subscriptions: DemoSubscription[];
}
