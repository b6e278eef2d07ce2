import type { Graph, Optional, Present, Selected } from '../graph/graph-types';
import type { Coverage } from './findings';

/**
 * Everything the audit rules look at, collected from Graph in one pass. It is plain JSON: it can be
 * saved and re-evaluated without the tenant, which keeps every rule testable on its own.
 */
/** As Graph returns it for `$select=id,displayName,userPrincipalName,mail,mailNickname,userType` (user.md: userType is "Member" or "Guest"). */
export interface SnapshotUser
  extends Present<Graph.User, 'id' | 'displayName' | 'userPrincipalName' | 'userType'>, Selected<Graph.User, 'mail'>, Optional<Graph.User, 'mailNickname'> {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail: string | null;
  /** The mail alias: Exchange's audit records may name a mailbox by it (change-feed.ts). */
  mailNickname?: string | null;
  userType: 'Member' | 'Guest';
}

export interface SnapshotGroup {
  id: string;
  displayName: string;
  mail: string | null;
  isTeam: boolean;
  memberIds: string[];
  ownerIds: string[];
}

export interface Address {
  emailAddress: { address: string; name?: string };
}

export interface SnapshotInboxRule extends Present<Graph.MessageRule, 'id' | 'displayName' | 'isEnabled' | 'actions'> {
  id: string;
  displayName: string;
  isEnabled: boolean;
  actions: { forwardTo?: Address[]; redirectTo?: Address[]; forwardAsAttachmentTo?: Address[] };
}

export interface SnapshotPermission {
  id: string;
  roles: string[];
  link?: { scope: string; type: string };
  /**
   * Everyone the permission names: grantedToV2 and, for a specific-people link, grantedToIdentitiesV2;
   * a pending invitation's email. A grantee may have no email: then its id (a guest account) or its
   * SharePoint login name tells who it is.
   */
  grantedTo: Array<{ id?: string; email?: string; displayName?: string; loginName?: string }>;
}

export interface SnapshotSharedItem {
  driveId: string;
  itemId: string;
  name: string;
  webUrl: string;
  driveOwner: string;
  permissions: SnapshotPermission[];
}

export interface SnapshotMeeting {
  eventId: string;
  organizerId: string;
  subject: string;
  start: string;
  joinUrl: string | null;
  attendees: Array<{ address: string; name?: string }>;
  onlineMeetingId?: string;
  recordAutomatically?: boolean;
}

export interface TenantSnapshot {
  tenantId: string;
  collectedAt: string;
  users: SnapshotUser[];
  groups: SnapshotGroup[];
  inboxRules: Record<string, SnapshotInboxRule[]>;
  sharepointSettings?: { sharingCapability: string; sharingDomainRestrictionMode: string; isResharingByExternalUsersEnabled: boolean };
  authorizationPolicy?: { allowInvitesFrom: string; guestUserRoleId: string };
  crossTenantDefault?: { b2bCollaborationInbound?: { usersAndGroups?: { accessType?: string } } };
  sharedItems: SnapshotSharedItem[];
  meetings: SnapshotMeeting[];
  /** Mailboxes with SMTP forwarding set (Exchange admin API). */
  mailboxForwarding?: Array<{
    userId: string;
    userPrincipalName: string;
    /** Where the mail goes: ForwardingSmtpAddress, or the address of the ForwardingAddress recipient. */
    forwardingSmtpAddress: string;
    /** Set when the forward is to a recipient in Exchange (ForwardingAddress), such as a mail contact. */
    forwardingRecipient?: string;
    keepsCopy: boolean;
  }>;
  /** The tenant's automatic external forwarding controls (Exchange admin API). */
  autoForward?: {
    outboundPolicies: Array<{ Identity: string; AutoForwardingMode: string }>;
    remoteDomains: Array<{ Identity: string; DomainName: string; AutoForwardEnabled: boolean }>;
  };
  /** Admin's export of Teams PowerShell policies (not in Graph), when given. */
  teamsPolicies?: unknown;
  coverage: Coverage[];
  /** Where each drive's delta query stopped, for an incremental re-audit. */
  deltaLinks: Record<string, string>;
  /** In an incremental run: every drive item the delta returned (`driveId/itemId`), shared or not. */
  changedDriveItems?: string[];
  /**
   * In an incremental run, what was read again because it changed: the mailboxes whose rules and
   * the groups whose members and owners, and the staff whose calendars were read (an area read in
   * full leaves its list out).
   * Findings about anything else are carried over from the last run.
   */
  incremental?: {
    mailboxesRead?: string[];
    groupsRead?: string[];
    calendarsRead?: string[];
    /** Drives read from the start (a 410 resync, or no link): none of their items' findings is carried over. */
    drivesRead?: string[];
  };
}

export function emptySnapshot(tenantId: string, at: Date): TenantSnapshot {
  return { tenantId, collectedAt: at.toISOString(), users: [], groups: [], inboxRules: {}, sharedItems: [], meetings: [], coverage: [], deltaLinks: {} };
}
