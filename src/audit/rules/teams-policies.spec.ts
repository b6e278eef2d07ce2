import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { findingsOf, tinySchool } from '../../../test/support/snapshot-builder';
import { TEAMS_POLICY_RULES, teamsAnonymousStart, teamsEveryonePresents } from './teams-policies';

const demoExport = JSON.parse(readFileSync(resolve(__dirname, '../../../config/demo-teams-policies.json'), 'utf8'));
const all = (x: ReturnType<typeof tinySchool>) => TEAMS_POLICY_RULES.flatMap((r) => findingsOf(r, x));

describe('000 "5. Remote Working": Teams within the school, lessons recorded (Teams policies exported from PowerShell)', () => {
  it('flags anonymous join and start, auto-admit for everyone, everyone presenting, recording off, open federation and consumer accounts', () => {
    const x = tinySchool((s) => (s.teamsPolicies = demoExport));
    expect(
      all(x)
        .map((f) => `${f.rule} ${f.subject.id}`)
        .sort(),
    ).toEqual([
      'teams.federation.consumer federation/consumer',
      'teams.federation.open federation/open',
      'teams.meeting-policy.anonymous-join Global/anonymous-join',
      'teams.meeting-policy.anonymous-start Tag:After-school clubs/anonymous-start',
      'teams.meeting-policy.auto-admit-everyone Global/auto-admit',
      'teams.meeting-policy.everyone-presents Tag:After-school clubs/presenters',
      'teams.meeting-policy.recording-off Tag:Support staff/recording',
    ]);
  });

  it('names the policy in the PowerShell line that fixes it', () => {
    const x = tinySchool((s) => (s.teamsPolicies = demoExport));
    expect(findingsOf(teamsAnonymousStart, x)[0]!.fix).toContain(
      'Set-CsTeamsMeetingPolicy -Identity "Tag:After-school clubs" -AllowAnonymousUsersToStartMeeting $false',
    );
    expect(findingsOf(teamsEveryonePresents, x)[0]).toMatchObject({ severity: 'medium', policyRef: { section: 'clause 2, Remote Working' } });
  });

  it('is quiet for a locked-down tenant, and reads PowerShell\'s "True"/"False" strings', () => {
    const x = tinySchool(
      (s) =>
        (s.teamsPolicies = {
          meetingPolicies: [
            {
              Identity: 'Global',
              AllowAnonymousUsersToJoinMeeting: 'False',
              AllowAnonymousUsersToStartMeeting: false,
              AutoAdmittedUsers: 'EveryoneInCompanyExcludingGuests',
              DesignatedPresenterRoleMode: 'OrganizerOnlyUserOverride',
              AllowCloudRecording: 'True',
            },
          ],
          federation: { AllowFederatedUsers: true, AllowedDomains: 'Domain=localauthority.gov.uk', AllowTeamsConsumer: false },
        }),
    );
    expect(all(x)).toEqual([]);
  });

  it('says "not checked" on every Teams control, with what is wrong, when the export does not match its schema', () => {
    const x = tinySchool((s) => (s.teamsPolicies = { meetingPolicies: [{ AllowAnonymousUsersToJoinMeeting: 'Yes' }] }));
    for (const r of TEAMS_POLICY_RULES) {
      expect(r.evaluate(x.snapshot, x.ctx)).toEqual({
        notChecked: expect.stringMatching(/^not checked: the Teams policy export does not match its schema \(meetingPolicies\.0\./),
      });
    }
  });
});
