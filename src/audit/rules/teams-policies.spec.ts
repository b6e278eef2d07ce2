import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { tinySchool } from '../../../test/support/snapshot-builder';
import { teamsPolicies } from './teams-policies';

const demoExport = JSON.parse(readFileSync(resolve(__dirname, '../../../config/demo-teams-policies.json'), 'utf8'));

describe('Teams policies exported from PowerShell', () => {
  it('flags anonymous join, auto-admit for everyone, recording off and open federation', () => {
    const x = tinySchool((s) => (s.teamsPolicies = demoExport));
    expect(teamsPolicies.evaluate(x.snapshot, x.ctx).map((f) => f.rule).sort()).toEqual([
      'teams.federation.consumer',
      'teams.federation.open',
      'teams.meeting-policy.anonymous-join',
      'teams.meeting-policy.auto-admit-everyone',
      'teams.meeting-policy.recording-off',
    ]);
  });

  it('is quiet for a locked-down tenant, and reads PowerShell\'s "True"/"False" strings', () => {
    const x = tinySchool((s) => (s.teamsPolicies = {
      meetingPolicies: [{ Identity: 'Global', AllowAnonymousUsersToJoinMeeting: 'False', AllowAnonymousUsersToStartMeeting: false, AutoAdmittedUsers: 'EveryoneInCompanyExcludingGuests', DesignatedPresenterRoleMode: 'OrganizerOnlyUserOverride', AllowCloudRecording: 'True' }],
      federation: { AllowFederatedUsers: true, AllowedDomains: 'Domain=localauthority.gov.uk', AllowTeamsConsumer: false },
    }));
    expect(teamsPolicies.evaluate(x.snapshot, x.ctx)).toEqual([]);
  });
});
