import { tinySchool, findingsOf } from '../../../test/support/snapshot-builder';
import { groupsGuestInStudentGroup, groupsGuestOwner, groupsOwnerlessTeam, groupsStudentInStaffGroup } from './groups';

const team = (id: string, memberIds: string[], ownerIds: string[]) => ({ id, displayName: id, mail: null, isTeam: true, memberIds, ownerIds });

describe('000 "5. Remote Working": Teams is for use within the school, guests and students kept apart', () => {
  it('flags a guest in a class team', () => {
    const x = tinySchool((s) => s.groups.push(team('7A', ['teacher', 'pupil', 'guest'], ['teacher'])));
    expect(findingsOf(groupsGuestInStudentGroup, x).map((f) => f.subject.id)).toEqual(['7A']);
  });

  it('does not flag a guest in a staff-only team', () => {
    const x = tinySchool((s) => s.groups.push(team('partners', ['teacher', 'head', 'guest'], ['head'])));
    expect(findingsOf(groupsGuestInStudentGroup, x)).toEqual([]);
  });

  it('flags a student in the staff group and in a staff team, not in a class team', () => {
    const x = tinySchool((s) => {
      s.groups[0]!.memberIds.push('pupil');
      s.groups.push(team('staffroom', ['teacher', 'head', 'admin', 'pupil2'], ['head']));
      s.groups.push(team('7A', ['teacher', 'pupil', 'pupil2'], ['teacher']));
    });
    expect(
      findingsOf(groupsStudentInStaffGroup, x)
        .map((f) => f.subject.id)
        .sort(),
    ).toEqual(['staff', 'staffroom']);
  });

  it('flags a group owned by a guest', () => {
    const x = tinySchool((s) => s.groups.push(team('forum', ['head', 'guest'], ['guest'])));
    expect(findingsOf(groupsGuestOwner, x).map((f) => f.subject.id)).toEqual(['forum']);
  });

  it('flags a team with no owner, not a plain group', () => {
    const x = tinySchool((s) => {
      s.groups.push(team('orphan', ['pupil'], []));
      s.groups.push({ ...team('list', ['pupil'], []), isTeam: false });
    });
    expect(findingsOf(groupsOwnerlessTeam, x).map((f) => f.subject.id)).toEqual(['orphan']);
  });
});
