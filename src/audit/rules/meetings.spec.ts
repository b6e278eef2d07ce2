import { tinySchool, DOMAIN, findingsOf } from '../../../test/support/snapshot-builder';
import { meetingsExternalAttendee, meetingsLessonNotRecorded } from './meetings';
import type { SnapshotMeeting } from '../snapshot';

const meeting = (over: Partial<SnapshotMeeting>): SnapshotMeeting => ({
  eventId: 'e1',
  organizerId: 'teacher',
  subject: 'Meeting',
  start: '2026-11-24T09:00:00',
  joinUrl: 'https://teams/x',
  attendees: [],
  onlineMeetingId: 'm1',
  recordAutomatically: true,
  ...over,
});

describe('000 "5. Remote Working": staff join third parties\' meetings; they do not organise meetings with them', () => {
  it('flags a staff-organised meeting that invites someone outside the school', () => {
    const x = tinySchool((s) => (s.meetings = [meeting({ attendees: [{ address: 'moderator@examboard.org' }] })]));
    expect(findingsOf(meetingsExternalAttendee, x)).toHaveLength(1);
  });

  it('treats a look-alike domain as outside and a subdomain as inside', () => {
    const x = tinySchool(
      (s) =>
        (s.meetings = [
          meeting({ eventId: 'a', onlineMeetingId: 'a', attendees: [{ address: `x@${DOMAIN}.evil.com` }] }),
          meeting({ eventId: 'b', onlineMeetingId: 'b', attendees: [{ address: `pupil@students.${DOMAIN}` }] }),
        ]),
    );
    expect(findingsOf(meetingsExternalAttendee, x).map((f) => f.subject.id)).toEqual(['a']);
  });

  it('ignores meetings organised by people who are not staff', () => {
    const x = tinySchool((s) => (s.meetings = [meeting({ organizerId: 'pupil', attendees: [{ address: 'friend@gmail.com' }] })]));
    expect(findingsOf(meetingsExternalAttendee, x)).toEqual([]);
  });
});

describe('000 "5. Remote Working": all lessons must be recorded', () => {
  it('flags a lesson (staff with students) that will not record', () => {
    const x = tinySchool((s) => (s.meetings = [meeting({ attendees: [{ address: `pupil@students.${DOMAIN}` }], recordAutomatically: false })]));
    expect(findingsOf(meetingsLessonNotRecorded, x)).toHaveLength(1);
  });

  it('does not flag a staff meeting that does not record: only its recording must be announced', () => {
    const x = tinySchool((s) => (s.meetings = [meeting({ attendees: [{ address: `head@${DOMAIN}` }], recordAutomatically: false })]));
    expect(findingsOf(meetingsLessonNotRecorded, x)).toEqual([]);
  });

  it('does not flag a lesson set to record', () => {
    const x = tinySchool((s) => (s.meetings = [meeting({ attendees: [{ address: `pupil@students.${DOMAIN}` }] })]));
    expect(findingsOf(meetingsLessonNotRecorded, x)).toEqual([]);
  });
});
