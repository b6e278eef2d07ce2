import type { Finding } from '../findings';
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
  rule: 'groups.guest-in-student-group',
  evaluate(snapshot, ctx) {
    return snapshot.groups
      .filter((g) => hasStudents(g, ctx))
      .map((g) => ({ g, guests: guestsIn(ctx, g.memberIds) }))
      .filter((x) => x.guests.length > 0)
      .map<Finding>(({ g, guests }) => ({
        rule: this.rule,
        subject: { type: 'group', id: g.id, name: g.displayName },
        detail: `${g.isTeam ? 'The team' : 'The group'} "${g.displayName}" has students and the guest(s) ${guests.map((id) => mailOf(ctx, id)).join(', ')}.`,
      }));
  },
};

export const groupsStudentInStaffGroup: AuditRule = {
  rule: 'groups.student-in-staff-group',
  evaluate(snapshot, ctx) {
    return snapshot.groups
      .filter((g) => isStaffSpace(g, ctx))
      .map((g) => ({ g, students: g.memberIds.filter((id) => ctx.studentIds.has(id)) }))
      .filter((x) => x.students.length > 0)
      .map<Finding>(({ g, students }) => ({
        rule: this.rule,
        subject: { type: 'group', id: g.id, name: g.displayName },
        detail: `The staff ${g.isTeam ? 'team' : 'group'} "${g.displayName}" has student member(s): ${students.map((id) => nameOf(ctx, id)).join(', ')}.`,
      }));
  },
};

export const groupsGuestOwner: AuditRule = {
  rule: 'groups.guest-owner',
  evaluate(snapshot, ctx) {
    return snapshot.groups
      .map((g) => ({ g, guests: guestsIn(ctx, g.ownerIds) }))
      .filter((x) => x.guests.length > 0)
      .map<Finding>(({ g, guests }) => ({
        rule: this.rule,
        subject: { type: 'group', id: g.id, name: g.displayName },
        detail: `"${g.displayName}" is owned by the guest(s) ${guests.map((id) => mailOf(ctx, id)).join(', ')}, who can add anyone to it.`,
      }));
  },
};

export const groupsOwnerlessTeam: AuditRule = {
  rule: 'groups.ownerless-team',
  evaluate(snapshot) {
    return snapshot.groups
      .filter((g) => g.isTeam && g.ownerIds.length === 0)
      .map<Finding>((g) => ({
        rule: this.rule,
        subject: { type: 'group', id: g.id, name: g.displayName },
        detail: `The team "${g.displayName}" has no owner: nobody is responsible for who is in it or what is posted.`,
      }));
  },
};
