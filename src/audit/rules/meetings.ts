import { isInsideSchool } from '../../school/school-domains';
import type { Finding } from '../findings';
import type { AuditContext, AuditRule } from './rule';
import { nameOf } from './rule';
import type { SnapshotMeeting } from '../snapshot';

/** In the school's words a lesson is a meeting staff organise with students in it. */
export function isLesson(m: SnapshotMeeting, ctx: AuditContext): boolean {
  return (
    ctx.staffIds.has(m.organizerId) &&
    m.attendees.some((a) => {
      const u = ctx.userByAddress.get(a.address.toLowerCase());
      return !!u && ctx.studentIds.has(u.id);
    })
  );
}

export const meetingsExternalAttendee: AuditRule = {
  rule: 'meetings.external-attendee',
  evaluate(snapshot, ctx) {
    return snapshot.meetings
      .filter((m) => ctx.staffIds.has(m.organizerId))
      .map((m) => ({ m, outsiders: m.attendees.map((a) => a.address).filter((a) => !isInsideSchool(a, ctx.schoolDomains)) }))
      .filter((x) => x.outsiders.length > 0)
      .map<Finding>(({ m, outsiders }) => ({
        rule: this.rule,
        subject: { type: 'meeting', id: m.onlineMeetingId ?? m.eventId, name: `${nameOf(ctx, m.organizerId)}: ${m.subject}` },
        detail: `"${m.subject}" on ${m.start.slice(0, 16).replace('T', ' ')} invites ${outsiders.join(', ')}. Staff may join a third party's meeting, not organise one with them.`,
      }));
  },
};

export const meetingsLessonNotRecorded: AuditRule = {
  rule: 'meetings.lesson-not-recorded',
  evaluate(snapshot, ctx) {
    return snapshot.meetings
      .filter((m) => isLesson(m, ctx) && m.recordAutomatically === false)
      .map<Finding>((m) => ({
        rule: this.rule,
        subject: { type: 'meeting', id: m.onlineMeetingId ?? m.eventId, name: `${nameOf(ctx, m.organizerId)}: ${m.subject}` },
        detail: `The lesson "${m.subject}" on ${m.start.slice(0, 16).replace('T', ' ')} will not be recorded automatically.`,
      }));
  },
};
