import { z } from 'zod';
import type { Finding } from '../findings';
import { describeZodError } from '../../config/load-school-config';
import type { ControlRule } from '../controls/catalogue';
import type { TenantSnapshot } from '../snapshot';
import type { AuditRule, NotChecked } from './rule';

/**
 * Teams meeting and federation policies are not in Graph. An admin exports them with Teams
 * PowerShell (docs/audit.md gives the one-liner) and passes the file with --teams-policy.
 */
const onOff = z.union([z.boolean(), z.enum(['True', 'False']).transform((v) => v === 'True')]);
export const teamsPolicyExportSchema = z.object({
  meetingPolicies: z
    .array(
      z
        .object({
          Identity: z.string(),
          AllowAnonymousUsersToJoinMeeting: onOff.optional(),
          AllowAnonymousUsersToStartMeeting: onOff.optional(),
          AutoAdmittedUsers: z.string().optional(),
          DesignatedPresenterRoleMode: z.string().optional(),
          AllowCloudRecording: onOff.optional(),
        })
        .passthrough(),
    )
    .default([]),
  federation: z
    .object({
      AllowFederatedUsers: onOff.optional(),
      AllowedDomains: z.string().optional(),
      AllowTeamsConsumer: onOff.optional(),
    })
    .passthrough()
    .optional(),
});
export type TeamsPolicyExport = z.infer<typeof teamsPolicyExportSchema>;

type MeetingPolicy = TeamsPolicyExport['meetingPolicies'][number];
type Federation = NonNullable<TeamsPolicyExport['federation']>;

/**
 * The export, or why it cannot be read. An export that does not match its schema (a different
 * PowerShell selection, a truncated file) says so on every Teams control: "not checked", never a
 * silent pass.
 */
function parseExport(snapshot: TenantSnapshot): TeamsPolicyExport | NotChecked {
  const parsed = teamsPolicyExportSchema.safeParse(snapshot.teamsPolicies);
  if (parsed.success) return parsed.data;
  return {
    notChecked: `not checked: the Teams policy export does not match its schema (${describeZodError(parsed.error)}); export it again as docs/audit.md shows`,
  };
}

/** A control over each meeting policy in the export. */
function meetingPolicyRule(
  rule: ControlRule,
  breaks: (p: MeetingPolicy) => boolean,
  part: string,
  detail: string,
  action: (identity: string) => string,
): AuditRule {
  return {
    rule,
    evaluate(snapshot) {
      const x = parseExport(snapshot);
      if ('notChecked' in x) return x;
      return x.meetingPolicies.filter(breaks).map<Finding>((p) => ({
        rule,
        subject: { type: 'teams-policy', id: `${p.Identity}/${part}`, name: `Meeting policy ${p.Identity}` },
        detail,
        action: action(p.Identity),
      }));
    },
  };
}

/** A control over the tenant's federation configuration. */
function federationRule(rule: ControlRule, breaks: (f: Federation) => boolean, part: string, detail: string, action: string): AuditRule {
  return {
    rule,
    evaluate(snapshot) {
      const x = parseExport(snapshot);
      if ('notChecked' in x) return x;
      const f = x.federation;
      return f && breaks(f) ? [{ rule, subject: { type: 'teams-policy', id: `federation/${part}`, name: 'Teams federation' }, detail, action }] : [];
    },
  };
}

export const teamsAnonymousJoin = meetingPolicyRule(
  'teams.meeting-policy.anonymous-join',
  (p) => !!p.AllowAnonymousUsersToJoinMeeting,
  'anonymous-join',
  'People who are not signed in can join meetings, lessons included.',
  (id) => `Set-CsTeamsMeetingPolicy -Identity "${id}" -AllowAnonymousUsersToJoinMeeting $false`,
);
export const teamsAnonymousStart = meetingPolicyRule(
  'teams.meeting-policy.anonymous-start',
  (p) => !!p.AllowAnonymousUsersToStartMeeting,
  'anonymous-start',
  'Anonymous people can start a meeting before the organiser arrives.',
  (id) => `Set-CsTeamsMeetingPolicy -Identity "${id}" -AllowAnonymousUsersToStartMeeting $false`,
);
export const teamsAutoAdmitEveryone = meetingPolicyRule(
  'teams.meeting-policy.auto-admit-everyone',
  (p) => p.AutoAdmittedUsers === 'Everyone',
  'auto-admit',
  'Everyone, including people outside the school, skips the lobby.',
  (id) => `Set-CsTeamsMeetingPolicy -Identity "${id}" -AutoAdmittedUsers EveryoneInCompanyExcludingGuests`,
);
export const teamsEveryonePresents = meetingPolicyRule(
  'teams.meeting-policy.everyone-presents',
  (p) => p.DesignatedPresenterRoleMode === 'EveryoneUserOverride',
  'presenters',
  'Everyone in a meeting can present by default, students in lessons included.',
  (id) => `Set-CsTeamsMeetingPolicy -Identity "${id}" -DesignatedPresenterRoleMode OrganizerOnlyUserOverride`,
);
export const teamsRecordingOff = meetingPolicyRule(
  'teams.meeting-policy.recording-off',
  (p) => p.AllowCloudRecording === false,
  'recording',
  'Meetings cannot be recorded, so lessons cannot be recorded as the policy requires.',
  (id) => `Set-CsTeamsMeetingPolicy -Identity "${id}" -AllowCloudRecording $true`,
);
export const teamsFederationOpen = federationRule(
  'teams.federation.open',
  (f) => !!f.AllowFederatedUsers && (f.AllowedDomains ?? '').includes('AllowAllKnownDomains'),
  'open',
  'Users of any other organisation can chat and call with staff and students.',
  'Set-CsTenantFederationConfiguration -AllowedDomainsAsAList @("partner.gov.uk") (or -AllowFederatedUsers $false)',
);
export const teamsFederationConsumer = federationRule(
  'teams.federation.consumer',
  (f) => !!f.AllowTeamsConsumer,
  'consumer',
  'People with personal Teams accounts can contact staff and students.',
  'Set-CsTenantFederationConfiguration -AllowTeamsConsumer $false',
);

export const TEAMS_POLICY_RULES = [
  teamsAnonymousJoin,
  teamsAnonymousStart,
  teamsAutoAdmitEveryone,
  teamsEveryonePresents,
  teamsRecordingOff,
  teamsFederationOpen,
  teamsFederationConsumer,
];
