import { isInsideSchool } from '../../school/school-domains';
import type { Finding } from '../findings';
import { POLICY } from '../policy-references';
import type { AuditContext, AuditRule } from './rule';
import { nameOf } from './rule';
import type { SnapshotMeeting } from '../snapshot';

/** In the school's words a lesson is a meeting staff organise with students in it. */
export function isLesson(m: SnapshotMeeting, ctx: AuditContext): boolean {
  return ctx.staffIds.has(m.organizerId) && m.attendees.some((a) => {
    const u = ctx.userByAddress.get(a.address.toLowerCase());
    return !!u && ctx.studentIds.has(u.id);
  });
}

export const meetingsExternalAttendee: AuditRule = {
  id: 'meetings.external-attendee',
  needs: 'meetings.calendars',
  title: 'Staff organised a Teams meeting with people outside the school',
  evaluate(snapshot, ctx) {
    return snapshot.meetings
      .filter((m) => ctx.staffIds.has(m.organizerId))
      .map((m) => ({ m, outsiders: m.attendees.map((a) => a.address).filter((a) => !isInsideSchool(a, ctx.schoolDomains)) }))
      .filter((x) => x.outsiders.length > 0)
      .map<Finding>(({ m, outsiders }) => ({
        rule: this.id,
        severity: 'high',
        subject: { type: 'meeting', id: m.onlineMeetingId ?? m.eventId, name: `${nameOf(ctx, m.organizerId)}: ${m.subject}` },
        detail: `"${m.subject}" on ${m.start.slice(0, 16).replace('T', ' ')} invites ${outsiders.join(', ')}. Staff may join a third party's meeting, not organise one with them.`,
        policyRef: POLICY.teamsWithinSchool,
        fix: 'Ask the outside party to send the invitation from their own organisation, or hold the meeting on a system the school approves for external contact.',
      }));
  },
};

export const meetingsLessonNotRecorded: AuditRule = {
  id: 'meetings.lesson-not-recorded',
  needs: 'meetings.calendars',
  title: 'A lesson is not set to record',
  evaluate(snapshot, ctx) {
    return snapshot.meetings
      .filter((m) => isLesson(m, ctx) && m.recordAutomatically === false)
      .map<Finding>((m) => ({
        rule: this.id,
        severity: 'high',
        subject: { type: 'meeting', id: m.onlineMeetingId ?? m.eventId, name: `${nameOf(ctx, m.organizerId)}: ${m.subject}` },
        detail: `The lesson "${m.subject}" on ${m.start.slice(0, 16).replace('T', ' ')} will not be recorded automatically.`,
        policyRef: POLICY.lessonsRecorded,
        fix: 'Open the meeting options and turn on "Record automatically", or create lessons with the app\'s "Start a lesson", which sets it.',
      }));
  },
};
