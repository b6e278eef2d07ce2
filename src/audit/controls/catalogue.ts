import type { Control } from './control';

/**
 * The audit's catalogue: every control the audit runs, declared once. docs/audit.md's control table
 * is generated from it (`esafety audit-controls --update-doc docs/audit.md`), the tab reads it from
 * GET /api/audit/controls, and each control's check lives in src/audit/rules with its spec.
 */
export const CONTROLS = [
  {
    id: 'ESAFETY.MAIL.1v1',
    rule: 'mail.inbox-rule.external-forward',
    title: 'No inbox rule forwards mail outside the school',
    severity: 'high',
    area: 'mail.inbox-rules',
    clause: 'noPersonalDataByEmail',
    rationale:
      "A rule that forwards or redirects a mailbox outside the school sends pupils' personal data out by email without anyone deciding to. A disabled rule is reported at low severity: one click re-arms it.",
    remediation: {
      adminCentre: 'Exchange admin centre > Mailboxes > the mailbox > Manage mail flow settings',
      steps: ['Delete the rule (or Remove-InboxRule).', 'Block automatic external forwarding in the outbound spam policy (ESAFETY.MAIL.3v1).'],
    },
  },
  {
    id: 'ESAFETY.MAIL.2v1',
    rule: 'mail.mailbox.external-forward',
    title: 'No mailbox forwards all its mail outside the school',
    severity: 'high',
    area: 'mail.mailbox-forwarding',
    clause: 'noPersonalDataByEmail',
    rationale: 'Mailbox-level forwarding (ForwardingSmtpAddress, or ForwardingAddress naming a recipient outside) sends every message out of the school.',
    remediation: {
      adminCentre: 'Exchange admin centre > Mailboxes > the mailbox > Manage mail flow settings',
      steps: ['Remove the forwarding (Set-Mailbox with -ForwardingSmtpAddress or -ForwardingAddress $null).'],
    },
  },
  {
    id: 'ESAFETY.MAIL.3v1',
    rule: 'mail.tenant.auto-forward-allowed',
    title: 'Automatic forwarding outside the school is blocked',
    severity: 'high',
    area: 'mail.tenant-auto-forward',
    clause: 'noPersonalDataByEmail',
    rationale: "With automatic external forwarding on, any inbox rule or mailbox forward can send pupils' data out.",
    remediation: {
      adminCentre: 'Microsoft Defender portal > Policies > Anti-spam > the outbound policy > Forwarding rules',
      steps: ['Set automatic forwarding to Off (Set-HostedOutboundSpamFilterPolicy -AutoForwardingMode Off).'],
    },
  },
  {
    id: 'ESAFETY.SHARING.1v1',
    rule: 'sharing.tenant.anyone-links',
    title: 'SharePoint and OneDrive do not allow Anyone links',
    severity: 'high',
    area: 'sharing.tenant-settings',
    clause: 'personalDataSentSecurely',
    rationale: 'An Anyone link opens a file with no sign-in at all: nobody can tell who read it.',
    remediation: {
      adminCentre: 'SharePoint admin centre > Policies > Sharing',
      steps: ['Set SharePoint and OneDrive external sharing to "New and existing guests" or stricter.'],
    },
  },
  {
    id: 'ESAFETY.SHARING.2v1',
    rule: 'sharing.tenant.external-resharing',
    title: 'Guests cannot re-share files they do not own',
    severity: 'medium',
    area: 'sharing.tenant-settings',
    clause: 'personalDataSentSecurely',
    rationale: 'A guest given a file could pass it on to further people outside the school.',
    remediation: {
      adminCentre: 'SharePoint admin centre > Policies > Sharing > More external sharing settings',
      steps: ['Untick "Allow guests to share items they don\'t own".'],
    },
  },
  {
    id: 'ESAFETY.SHARING.3v1',
    rule: 'sharing.tenant.no-domain-restriction',
    title: 'External sharing is limited to known domains',
    severity: 'low',
    area: 'sharing.tenant-settings',
    clause: 'personalDataSentSecurely',
    rationale: "Without an allow-list, files can be shared with people at any domain rather than the school's known partners.",
    remediation: {
      adminCentre: 'SharePoint admin centre > Policies > Sharing > More external sharing settings',
      steps: ['Turn on "Limit external sharing by domain" and allow the local authority, trust and exam boards.'],
    },
  },
  {
    id: 'ESAFETY.SHARING.4v1',
    rule: 'sharing.item.anonymous-link',
    title: 'No file or folder is shared by an Anyone link',
    severity: 'high',
    area: 'sharing.items',
    clause: 'personalDataSentSecurely',
    rationale: 'Each Anyone link is a file anyone can open, without signing in, for as long as the link lives.',
    remediation: {
      adminCentre: 'OneDrive or SharePoint > the file > Share > Manage access',
      steps: ['Remove the "Anyone with the link" link.', 'Share with named people instead.'],
    },
  },
  {
    id: 'ESAFETY.SHARING.5v1',
    rule: 'sharing.item.external-user',
    title: 'No file or folder is shared with someone outside the school',
    severity: 'high',
    area: 'sharing.items',
    clause: 'personalDataSentSecurely',
    rationale:
      "Files shared with people outside the school (by name, by invitation or on a specific-people link) carry pupils' data out of the approved system.",
    remediation: {
      adminCentre: 'OneDrive or SharePoint > the file > Share > Manage access',
      steps: ['Remove people outside the school, and links for specific people outside it, unless the DPO has approved the sharing.'],
    },
  },
  {
    id: 'ESAFETY.GROUPS.1v1',
    rule: 'groups.guest-in-student-group',
    title: 'No guest is in a group or team with students',
    severity: 'high',
    area: 'groups.membership',
    clause: 'teamsWithinSchool',
    rationale: 'Teams is for use within the school; a guest in a class team can contact students directly.',
    remediation: {
      adminCentre: 'Teams admin centre > Teams > the team > Members',
      steps: ['Remove the guest, or move the work they need to a staff-only team.', 'Tell the DSL if the guest had contact with students.'],
    },
  },
  {
    id: 'ESAFETY.GROUPS.2v1',
    rule: 'groups.student-in-staff-group',
    title: 'No student is in a staff group or team',
    severity: 'high',
    area: 'groups.membership',
    clause: 'teamsWithinSchool',
    rationale: 'A student in a staff space can read what staff write about other pupils.',
    remediation: {
      adminCentre: 'Teams admin centre > Teams > the team > Members',
      steps: ['Remove the student from the staff team.', 'Check what they could read.'],
    },
  },
  {
    id: 'ESAFETY.GROUPS.3v1',
    rule: 'groups.guest-owner',
    title: 'No guest owns a group or team',
    severity: 'high',
    area: 'groups.membership',
    clause: 'guestAccountsTemporary',
    rationale: 'An owner can add anyone to the group; guest accounts are for occasional, temporary access only.',
    remediation: {
      adminCentre: 'Teams admin centre > Teams > the team > Members',
      steps: ['Make a member of staff the owner.', 'Remove the guest as owner.'],
    },
  },
  {
    id: 'ESAFETY.GROUPS.4v1',
    rule: 'groups.ownerless-team',
    title: 'Every team has an owner',
    severity: 'medium',
    area: 'groups.membership',
    clause: 'teamsWithinSchool',
    rationale: 'A team with no owner has nobody responsible for who is in it or what is posted.',
    remediation: {
      adminCentre: 'Teams admin centre > Teams > the team > Members',
      steps: ['Assign a member of staff as owner, or archive the team if it is no longer used.'],
    },
  },
  {
    id: 'ESAFETY.TENANT.1v1',
    rule: 'tenant.guest-invites-open',
    title: 'Only admins can invite guests',
    severity: 'high',
    area: 'tenant.guest-settings',
    clause: 'guestAccountsTemporary',
    rationale: 'If everyone (high) or every member, students included (medium), can invite guests, outsiders come in with nobody deciding.',
    remediation: {
      adminCentre: 'Entra admin centre > External Identities > External collaboration settings',
      steps: ['Set guest invite settings to "Only users assigned to specific admin roles can invite guest users".'],
    },
  },
  {
    id: 'ESAFETY.TENANT.2v1',
    rule: 'tenant.guest-role-member-access',
    title: 'Guests do not have the same access as members',
    severity: 'high',
    area: 'tenant.guest-settings',
    clause: 'guestAccountsTemporary',
    rationale: "With member access, guests can read the whole directory, including every student's name and groups.",
    remediation: {
      adminCentre: 'Entra admin centre > External Identities > External collaboration settings',
      steps: ['Set guest user access to "Guest users have limited access" or "restricted access".'],
    },
  },
  {
    id: 'ESAFETY.TENANT.3v1',
    rule: 'tenant.cross-tenant-inbound-open',
    title: 'Other organisations cannot collaborate in by default',
    severity: 'low',
    area: 'tenant.cross-tenant-access',
    clause: 'teamsWithinSchool',
    rationale: 'The default cross-tenant setting lets users of any Microsoft Entra organisation be invited for B2B collaboration.',
    remediation: {
      adminCentre: 'Entra admin centre > External Identities > Cross-tenant access settings > Default settings',
      steps: ['Block inbound B2B collaboration by default.', 'Add the partner organisations the school works with.'],
    },
  },
  {
    id: 'ESAFETY.MEETINGS.1v1',
    rule: 'meetings.external-attendee',
    title: 'Staff do not organise Teams meetings with people outside the school',
    severity: 'high',
    area: 'meetings.calendars',
    clause: 'teamsWithinSchool',
    rationale: "Staff may join a third party's meeting, not organise one with them (joining is allowed and not reported).",
    remediation: {
      adminCentre: 'Outlook or Teams calendar > the meeting',
      steps: [
        'Ask the outside party to send the invitation from their own organisation, or hold the meeting on a system the school approves for external contact.',
      ],
    },
  },
  {
    id: 'ESAFETY.MEETINGS.2v1',
    rule: 'meetings.lesson-not-recorded',
    title: 'Every lesson is set to record',
    severity: 'high',
    area: 'meetings.calendars',
    clause: 'lessonsRecorded',
    rationale: 'All lessons must be recorded; a lesson is a meeting staff organise with students in it.',
    remediation: {
      adminCentre: 'Teams calendar > the meeting > Meeting options',
      steps: ['Turn on "Record automatically", or create lessons with the app\'s "Start a lesson", which sets it.'],
    },
  },
  {
    id: 'ESAFETY.TEAMS.1v1',
    rule: 'teams.meeting-policy.anonymous-join',
    title: 'Anonymous people cannot join meetings',
    severity: 'high',
    area: 'teams.policies',
    clause: 'teamsWithinSchool',
    rationale: 'People who are not signed in could join meetings, lessons included.',
    remediation: {
      adminCentre: 'Teams admin centre > Meetings > Meeting policies > the policy > Meeting join & lobby',
      steps: ['Turn off "Anonymous users can join a meeting" (Set-CsTeamsMeetingPolicy -AllowAnonymousUsersToJoinMeeting $false).'],
    },
  },
  {
    id: 'ESAFETY.TEAMS.2v1',
    rule: 'teams.meeting-policy.anonymous-start',
    title: 'Anonymous people cannot start meetings',
    severity: 'high',
    area: 'teams.policies',
    clause: 'teamsWithinSchool',
    rationale: 'Anonymous people could start a meeting before the organiser arrives.',
    remediation: {
      adminCentre: 'Teams admin centre > Meetings > Meeting policies > the policy > Meeting join & lobby',
      steps: ['Turn off "Anonymous users and dial-in callers can start a meeting" (Set-CsTeamsMeetingPolicy -AllowAnonymousUsersToStartMeeting $false).'],
    },
  },
  {
    id: 'ESAFETY.TEAMS.3v1',
    rule: 'teams.meeting-policy.auto-admit-everyone',
    title: 'People outside the school wait in the lobby',
    severity: 'high',
    area: 'teams.policies',
    clause: 'teamsWithinSchool',
    rationale: 'If everyone bypasses the lobby, people outside the school walk straight into lessons.',
    remediation: {
      adminCentre: 'Teams admin centre > Meetings > Meeting policies > the policy > Meeting join & lobby > Who can bypass the lobby',
      steps: ['Choose "People in my org, excluding guests" (Set-CsTeamsMeetingPolicy -AutoAdmittedUsers EveryoneInCompanyExcludingGuests).'],
    },
  },
  {
    id: 'ESAFETY.TEAMS.4v1',
    rule: 'teams.meeting-policy.everyone-presents',
    title: 'Only organisers present by default',
    severity: 'medium',
    area: 'teams.policies',
    clause: 'teamsWithinSchool',
    rationale: 'If everyone can present by default, students in lessons can take over the screen.',
    remediation: {
      adminCentre: 'Teams admin centre > Meetings > Meeting policies > the policy > Content sharing > Who can present',
      steps: ['Choose "Only organizers and co-organizers" (Set-CsTeamsMeetingPolicy -DesignatedPresenterRoleMode OrganizerOnlyUserOverride).'],
    },
  },
  {
    id: 'ESAFETY.TEAMS.5v1',
    rule: 'teams.meeting-policy.recording-off',
    title: 'Meetings can be recorded',
    severity: 'high',
    area: 'teams.policies',
    clause: 'lessonsRecorded',
    rationale: 'With cloud recording off, lessons cannot be recorded as the policy requires.',
    remediation: {
      adminCentre: 'Teams admin centre > Meetings > Meeting policies > the policy > Recording & transcription',
      steps: ['Turn on "Meeting recording" (Set-CsTeamsMeetingPolicy -AllowCloudRecording $true).'],
    },
  },
  {
    id: 'ESAFETY.TEAMS.6v1',
    rule: 'teams.federation.open',
    title: 'Teams chat with other organisations is limited to known domains',
    severity: 'medium',
    area: 'teams.policies',
    clause: 'teamsWithinSchool',
    rationale: 'With open federation, users of any other organisation can chat and call with staff and students.',
    remediation: {
      adminCentre: 'Teams admin centre > Users > External access',
      steps: ['Allow only specific external domains (Set-CsTenantFederationConfiguration -AllowedDomainsAsAList), or turn federation off.'],
    },
  },
  {
    id: 'ESAFETY.TEAMS.7v1',
    rule: 'teams.federation.consumer',
    title: 'Personal Teams accounts cannot contact the school',
    severity: 'medium',
    area: 'teams.policies',
    clause: 'teamsWithinSchool',
    rationale: 'People with personal Teams accounts could contact staff and students.',
    remediation: {
      adminCentre: 'Teams admin centre > Users > External access > Teams accounts not managed by an organization',
      steps: ['Turn off communication with unmanaged Teams accounts (Set-CsTenantFederationConfiguration -AllowTeamsConsumer $false).'],
    },
  },
] as const satisfies readonly Control[];

export type CatalogueControl = (typeof CONTROLS)[number];
export type ControlId = CatalogueControl['id'];
/** The name a finding carries: one of the catalogue's controls, so a typo does not compile. */
export type ControlRule = CatalogueControl['rule'];

const BY_RULE = new Map<string, Control>(CONTROLS.map((c) => [c.rule, c]));
const BY_ID = new Map<string, Control>(CONTROLS.map((c) => [c.id, c]));

export const controlOf = (rule: string): Control | undefined => BY_RULE.get(rule);
export const controlById = (id: string): Control | undefined => BY_ID.get(id);
