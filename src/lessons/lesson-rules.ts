import type { Graph } from '../graph/graph-types';
import { isInsideSchool } from '../school/school-domains';

/**
 * What a lesson meeting must be (policy 000 "5. Remote Working": Teams is used within the school;
 * all lessons are recorded). Anonymous join is a tenant meeting policy (the audit checks it); with
 * the lobby for the organisation only, anyone else waits to be admitted.
 */
export const LESSON_MEETING_SETTINGS = {
  recordAutomatically: true,
  allowRecording: true,
  isEntryExitAnnounced: true,
  allowedPresenters: 'organizer',
  lobbyBypassSettings: { scope: 'organizationExcludingGuests', isDialInBypassEnabled: false },
} as const;

/**
 * The settings for one lesson: with co-teachers (the class team's other owners) they present too,
 * which Teams expresses as presenters by role, with every attendee listed and the co-teachers'
 * role set (an update replaces the whole list).
 */
export function lessonMeetingSettings(attendees: Array<{ id: string; upn: string }>, coTeachers: ReadonlySet<string>): Partial<Graph.OnlineMeeting> {
  if (coTeachers.size === 0) return LESSON_MEETING_SETTINGS;
  return {
    ...LESSON_MEETING_SETTINGS,
    allowedPresenters: 'roleIsPresenter',
    participants: {
      attendees: attendees.map((a) => ({
        upn: a.upn,
        role: coTeachers.has(a.id) ? 'presenter' : 'attendee',
        ...(a.id ? { identity: { user: { id: a.id } } } : {}),
      })),
    },
  };
}

export const REMOTE_WORKING_CLAUSE = 'the Remote Working section of the E-Safety Policy keeps Teams for use within the school, and every lesson is recorded';

/** Addresses outside the school, by the same domain rule as the audit (subdomains in, look-alikes out). */
export function outsiders(addresses: string[], schoolDomains: readonly string[]): string[] {
  return addresses.filter((a) => !isInsideSchool(a, schoolDomains));
}

/** A meeting a member of staff organised with people outside the school breaks the clause; joining an outsider's meeting does not. */
export function breaksRemoteWorking(
  meeting: { isOrganizer: boolean; isOnlineMeeting: boolean; organizer: string; attendees: string[] },
  schoolDomains: readonly string[],
): string[] {
  if (!meeting.isOrganizer || !meeting.isOnlineMeeting) return [];
  if (!isInsideSchool(meeting.organizer, schoolDomains)) return [];
  return outsiders(meeting.attendees, schoolDomains);
}
