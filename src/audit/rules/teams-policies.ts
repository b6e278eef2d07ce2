import { z } from 'zod';
import type { Finding } from '../findings';
import { POLICY } from '../policy-references';
import type { AuditRule } from './rule';

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

export const teamsPolicies: AuditRule = {
  id: 'teams.policies',
  needs: 'teams.policies',
  title: 'Teams meeting and federation policies',
  evaluate(snapshot) {
    const parsed = teamsPolicyExportSchema.safeParse(snapshot.teamsPolicies);
    if (!parsed.success) return [];
    const findings: Finding[] = [];
    const add = (rule: string, severity: Finding['severity'], id: string, name: string, detail: string, fix: string, policyRef = POLICY.teamsWithinSchool) =>
      findings.push({ rule, severity, subject: { type: 'teams-policy', id, name }, detail, policyRef, fix });
    for (const p of parsed.data.meetingPolicies) {
      const where = `Meeting policy ${p.Identity}`;
      if (p.AllowAnonymousUsersToJoinMeeting) add('teams.meeting-policy.anonymous-join', 'high', `${p.Identity}/anonymous-join`, where, 'People who are not signed in can join meetings, lessons included.', `Set-CsTeamsMeetingPolicy -Identity "${p.Identity}" -AllowAnonymousUsersToJoinMeeting $false`);
      if (p.AllowAnonymousUsersToStartMeeting) add('teams.meeting-policy.anonymous-start', 'high', `${p.Identity}/anonymous-start`, where, 'Anonymous people can start a meeting before the organiser arrives.', `Set-CsTeamsMeetingPolicy -Identity "${p.Identity}" -AllowAnonymousUsersToStartMeeting $false`);
      if (p.AutoAdmittedUsers === 'Everyone') add('teams.meeting-policy.auto-admit-everyone', 'high', `${p.Identity}/auto-admit`, where, 'Everyone, including people outside the school, skips the lobby.', `Set-CsTeamsMeetingPolicy -Identity "${p.Identity}" -AutoAdmittedUsers EveryoneInCompanyExcludingGuests`);
      if (p.DesignatedPresenterRoleMode === 'EveryoneUserOverride') add('teams.meeting-policy.everyone-presents', 'medium', `${p.Identity}/presenters`, where, 'Everyone in a meeting can present by default, students in lessons included.', `Set-CsTeamsMeetingPolicy -Identity "${p.Identity}" -DesignatedPresenterRoleMode OrganizerOnlyUserOverride`);
      if (p.AllowCloudRecording === false) add('teams.meeting-policy.recording-off', 'high', `${p.Identity}/recording`, where, 'Meetings cannot be recorded, so lessons cannot be recorded as the policy requires.', `Set-CsTeamsMeetingPolicy -Identity "${p.Identity}" -AllowCloudRecording $true`, POLICY.lessonsRecorded);
    }
    const f = parsed.data.federation;
    if (f?.AllowFederatedUsers && (f.AllowedDomains ?? '').includes('AllowAllKnownDomains')) {
      add('teams.federation.open', 'medium', 'federation/open', 'Teams federation', 'Users of any other organisation can chat and call with staff and students.', 'Set-CsTenantFederationConfiguration -AllowedDomainsAsAList @("partner.gov.uk") (or -AllowFederatedUsers $false)');
    }
    if (f?.AllowTeamsConsumer) add('teams.federation.consumer', 'medium', 'federation/consumer', 'Teams federation', 'People with personal Teams accounts can contact staff and students.', 'Set-CsTenantFederationConfiguration -AllowTeamsConsumer $false');
    return findings;
  },
};
