import type { Finding } from '../findings';
import { POLICY } from '../policy-references';
import type { AuditContext, AuditRule } from './rule';
import { nameOf } from './rule';
import type { SnapshotGroup } from '../snapshot';

const guestsIn = (ctx: AuditContext, ids: string[]) => ids.filter((id) => ctx.userById.get(id)?.userType === 'Guest');
const mailOf = (ctx: AuditContext, id: string) => ctx.userById.get(id)?.mail ?? id;

/** A group or team with students in it: the students group itself, or any group with a student member. */
const hasStudents = (g: SnapshotGroup, ctx: AuditContext) => g.id === ctx.studentGroupId || g.memberIds.some((id) => ctx.studentIds.has(id));

/**
 * A staff space: the staff group, or a group whose members are (nearly) all staff. A class team has
 * one teacher and many students, so it is not one.
 */
function isStaffSpace(g: SnapshotGroup, ctx: AuditContext): boolean {
  if (g.id === ctx.staffGroupId) return true;
  const members = g.memberIds.filter((id) => ctx.staffIds.has(id) || ctx.studentIds.has(id));
  const staff = members.filter((id) => ctx.staffIds.has(id)).length;
  return members.length >= 3 && staff / members.length >= 0.75;
}

export const groupsGuestInStudentGroup: AuditRule = {
  id: 'groups.guest-in-student-group',
  needs: 'groups.membership',
  title: 'A guest is in a group or team with students',
  evaluate(snapshot, ctx) {
    return snapshot.groups
      .filter((g) => hasStudents(g, ctx))
      .map((g) => ({ g, guests: guestsIn(ctx, g.memberIds) }))
      .filter((x) => x.guests.length > 0)
      .map<Finding>(({ g, guests }) => ({
        rule: this.id,
        severity: 'high',
        subject: { type: 'group', id: g.id, name: g.displayName },
        detail: `${g.isTeam ? 'The team' : 'The group'} "${g.displayName}" has students and the guest(s) ${guests.map((id) => mailOf(ctx, id)).join(', ')}.`,
        policyRef: POLICY.teamsWithinSchool,
        fix: 'Remove the guest from the team (Teams admin centre > Teams > the team > Members), or move the work they need to a staff-only team; tell the DSL if the guest had contact with students.',
      }));
  },
};

export const groupsStudentInStaffGroup: AuditRule = {
  id: 'groups.student-in-staff-group',
  needs: 'groups.membership',
  title: 'A student is in a staff group or team',
  evaluate(snapshot, ctx) {
    return snapshot.groups
      .filter((g) => isStaffSpace(g, ctx))
      .map((g) => ({ g, students: g.memberIds.filter((id) => ctx.studentIds.has(id)) }))
      .filter((x) => x.students.length > 0)
      .map<Finding>(({ g, students }) => ({
        rule: this.id,
        severity: 'high',
        subject: { type: 'group', id: g.id, name: g.displayName },
        detail: `The staff ${g.isTeam ? 'team' : 'group'} "${g.displayName}" has student member(s): ${students.map((id) => nameOf(ctx, id)).join(', ')}.`,
        policyRef: POLICY.teamsWithinSchool,
        fix: 'Remove the student from the staff team and check what they could read (Teams admin centre > Teams > the team > Members).',
      }));
  },
};

export const groupsGuestOwner: AuditRule = {
  id: 'groups.guest-owner',
  needs: 'groups.membership',
  title: 'A guest owns a group or team',
  evaluate(snapshot, ctx) {
    return snapshot.groups
      .map((g) => ({ g, guests: guestsIn(ctx, g.ownerIds) }))
      .filter((x) => x.guests.length > 0)
      .map<Finding>(({ g, guests }) => ({
        rule: this.id,
        severity: 'high',
        subject: { type: 'group', id: g.id, name: g.displayName },
        detail: `"${g.displayName}" is owned by the guest(s) ${guests.map((id) => mailOf(ctx, id)).join(', ')}, who can add anyone to it.`,
        policyRef: POLICY.guestAccountsTemporary,
        fix: 'Make a member of staff the owner and remove the guest as owner.',
      }));
  },
};

export const groupsOwnerlessTeam: AuditRule = {
  id: 'groups.ownerless-team',
  needs: 'groups.membership',
  title: 'A team has no owner',
  evaluate(snapshot) {
    return snapshot.groups
      .filter((g) => g.isTeam && g.ownerIds.length === 0)
      .map<Finding>((g) => ({
        rule: this.id,
        severity: 'medium',
        subject: { type: 'group', id: g.id, name: g.displayName },
        detail: `The team "${g.displayName}" has no owner: nobody is responsible for who is in it or what is posted.`,
        policyRef: POLICY.teamsWithinSchool,
        fix: 'Assign a member of staff as owner, or archive the team if it is no longer used.',
      }));
  },
};
