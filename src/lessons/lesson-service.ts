import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Logger } from 'pino';
import { z } from 'zod';
import { lessonJoinCard, noRecordingCard, recordingAnnouncementCard } from './cards/lesson-cards';
import { describeZodError } from '../config/load-school-config';
import type { SchoolConfig } from '../config/school-config';
import { isGraphError, type GraphAccess } from '../graph/graph-access';
import type { Graph, Optional, Present } from '../graph/graph-types';
import type { AppInstaller } from '../notify/app-installer';
import type { Notifier } from '../notify/notifier';
import type { Person, SchoolDirectory } from '../school/school-directory';
import { AuditLog } from '../storage/audit-log';
import type { Database, LessonTable } from '../storage/schema';
import { lessonMeetingSettings, outsiders, REMOTE_WORKING_CLAUSE } from './lesson-rules';
import { instantToSchoolTime, schoolTimeToInstant, showSchoolTime } from '../school/school-time';
import { InvalidInput, NotAllowed, RefusedByPolicy, Unavailable } from '../errors/domain-errors';

export type Lesson = Selectable<LessonTable>;

/** A request the teacher can fix: one line naming the field. */
export class InvalidLesson extends InvalidInput {
  constructor(message: string) {
    super(message, 'invalid-lesson');
  }
}
/** The policy forbids it (people outside the school): the message cites the clause. */
export class LessonRefused extends RefusedByPolicy {
  constructor(message: string) {
    super(message, 'refused-by-policy');
  }
}
export class NotATeacher extends NotAllowed {
  constructor(message: string) {
    super(message, 'forbidden');
  }
}
/** The app was not granted what lessons need (an audit-only deployment): said plainly, never a crash. */
export class LessonsNotPermitted extends Unavailable {
  constructor(message: string) {
    super(message, 'not-available');
  }
}

export const startLessonSchema = z
  .object({
    submissionId: z.string().uuid('submissionId must be a UUID'),
    classId: z.string().min(1, 'choose a class'),
    title: z.string().trim().min(3, 'give the lesson a title').max(200),
    /**
     * "now", or when it starts: the school's local time as the teacher typed it ("2026-11-24T09:00",
     * read in config `school.timeZone`), or an instant with its offset.
     */
    start: z.union([z.literal('now'), z.string().datetime({ offset: true, local: true, message: 'start must be "now" or a date and time' })]).default('now'),
    durationMinutes: z.coerce.number().int().min(10, 'a lesson lasts at least 10 minutes').max(240, 'a lesson lasts at most 4 hours').default(60),
    /** Anyone else to invite (co-teachers, support staff): inside the school only. */
    invite: z.array(z.string().email()).max(20).default([]),
  })
  .strict();

interface GraphMember extends Optional<Graph.User, 'displayName' | 'mail' | 'userPrincipalName'> {
  id: string;
  displayName?: string;
  mail?: string | null;
  userPrincipalName?: string;
  '@odata.type'?: string;
}

/** What the teacher is told when the app could not join the lesson's meeting chat. */
export const NO_CHAT_WARNING =
  'The app could not join this lesson’s meeting chat, so it will not post “This lesson is recorded” when the lesson starts. Tell the class yourself at the start that the lesson is recorded, and ask the IT team to let the app be added to meeting chats (TeamsAppInstallation.ReadWriteAndConsentSelfForChat.All).';

export interface StartedLesson {
  lesson: Lesson;
  created: boolean;
  postedToClass: boolean;
  /** Said at once when something the teacher relies on will not happen. */
  warning?: string;
}

/**
 * Remote lessons as policy 000 "5. Remote Working" asks: created by the app with the lesson
 * settings, inside the school only, announced as recorded when they start, and checked for a
 * recording when they end.
 */
export class LessonService {
  private readonly starting = new Map<string, Promise<StartedLesson>>();
  private readonly audit: AuditLog;

  private readonly db: Kysely<Database>;
  private readonly config: SchoolConfig;
  private readonly graph: GraphAccess;
  private readonly directory: SchoolDirectory;
  private readonly notifier: Notifier;
  private readonly logger: Logger;
  private readonly installer: AppInstaller | undefined;
  private readonly now: () => Date;

  constructor(deps: {
    db: Kysely<Database>;
    config: SchoolConfig;
    graph: GraphAccess;
    directory: SchoolDirectory;
    notifier: Notifier;
    logger: Logger;
    installer?: AppInstaller;
    clock?: () => Date;
  }) {
    this.db = deps.db;
    this.config = deps.config;
    this.graph = deps.graph;
    this.directory = deps.directory;
    this.notifier = deps.notifier;
    this.logger = deps.logger;
    this.installer = deps.installer;
    this.now = deps.clock ?? (() => new Date());
    this.audit = new AuditLog(this.db, this.now);
  }

  /** The classes a teacher teaches (Education API): a lesson is for one of them. */
  async classesOf(teacher: Person): Promise<Array<{ id: string; displayName: string }>> {
    if (!teacher.roles.includes('teacher')) throw new NotATeacher('lessons are started by teachers');
    const classes = await this.graph.all<Present<Graph.EducationClass, 'id' | 'displayName'>>(
      `/education/users/${teacher.id}/taughtClasses?$select=id,displayName`,
    );
    return classes.map((c) => ({ id: c.id, displayName: c.displayName }));
  }

  /** Creates the lesson once, however often the form is sent. */
  start(input: unknown, teacher: Person): Promise<StartedLesson> {
    const parsed = startLessonSchema.safeParse(input);
    if (!parsed.success) return Promise.reject(new InvalidLesson(describeZodError(parsed.error)));
    const key = parsed.data.submissionId;
    const running = this.starting.get(key);
    if (running) return running;
    const work = this.create(parsed.data, teacher)
      .catch((e: unknown) => {
        if (isGraphError(e, 403))
          throw new LessonsNotPermitted(
            'Lessons are not available: the app has not been granted Calendars.ReadWrite and OnlineMeetings.ReadWrite.All. Please ask the IT team.',
          );
        throw e;
      })
      .finally(() => this.starting.delete(key));
    this.starting.set(key, work);
    return work;
  }

  private async create(input: z.infer<typeof startLessonSchema>, teacher: Person): Promise<StartedLesson> {
    const existing = await this.db.selectFrom('lesson').selectAll().where('submission_id', '=', input.submissionId).executeTakeFirst();
    if (existing)
      return { lesson: existing, created: false, postedToClass: true, ...(existing.chat_id && existing.app_in_chat === 0 ? { warning: NO_CHAT_WARNING } : {}) };

    const classes = await this.classesOf(teacher);
    const cls = classes.find((c) => c.id === input.classId);
    if (!cls) throw new InvalidLesson('classId: you do not teach that class');
    const now = this.now();
    const timeZone = this.config.school.timeZone;
    const start = input.start === 'now' ? now : /(Z|[+-]\d{2}:?\d{2})$/.test(input.start) ? new Date(input.start) : schoolTimeToInstant(input.start, timeZone);
    if (start.getTime() < now.getTime() - 5 * 60_000) throw new InvalidLesson('start: that time has passed');
    const end = new Date(start.getTime() + input.durationMinutes * 60_000);

    // Everyone invited must be inside the school: the class team's members (a guest in a class team
    // is refused here too) and anyone the teacher adds.
    const isUser = (m: GraphMember) => (m['@odata.type'] ?? '#microsoft.graph.user') === '#microsoft.graph.user';
    const members = await this.graph.all<GraphMember>(`/groups/${input.classId}/members?$select=id,displayName,mail,userPrincipalName&$top=999`);
    // The class team's other owners are its co-teachers: invited, and presenters.
    const owners = await this.graph.all<GraphMember>(`/groups/${input.classId}/owners?$select=id,displayName,mail,userPrincipalName&$top=999`);
    const coTeachers = owners.filter((o) => o.id !== teacher.id && isUser(o));
    const people = [...members.filter(isUser), ...coTeachers.filter((c) => !members.some((m) => m.id === c.id))].filter((m) => m.id !== teacher.id);
    const attendees = [
      ...people.map((m) => ({
        id: m.id,
        upn: m.userPrincipalName ?? m.mail ?? '',
        address: (m.mail ?? m.userPrincipalName ?? '').toLowerCase(),
        name: m.displayName ?? '',
      })),
      ...input.invite.map((address) => ({ id: '', upn: address, address: address.toLowerCase(), name: address })),
    ].filter((a) => a.address);
    const outside = outsiders(
      attendees.map((a) => a.address),
      this.config.school.mailDomains,
    );
    if (outside.length) {
      // Said as a teacher would: who, why it matters, and what to do; the lesson was not created.
      const who = outside.map((address) => {
        const a = attendees.find((x) => x.address === address);
        const fromClass = a?.id ? ' (in the class team)' : ' (invited)';
        return a?.name && a.name !== address ? `${a.name}, ${address}${fromClass}` : `${address}${fromClass}`;
      });
      throw new LessonRefused(
        `The lesson was not created: ${who.join('; ')} ${outside.length === 1 ? 'is' : 'are'} outside the school, and ${REMOTE_WORKING_CLAUSE}. Ask the IT team to remove them from the class team, or take them off the invitation, then start the lesson again (or choose another class).`,
      );
    }

    // A calendar event puts the lesson in everyone's calendar; its Teams meeting then gets the
    // lesson settings (found by its join link).
    const event = await this.graph.post<Present<Graph.Event, 'id'> & Optional<Graph.Event, 'onlineMeeting'>>(`/users/${teacher.id}/events`, {
      subject: input.title,
      body: { contentType: 'text', content: `${cls.displayName}: a remote lesson. It is recorded, in line with the school's remote working policy.` },
      // The school's wall-clock time with its zone (dateTimeTimeZone.md: IANA names are accepted),
      // so Outlook shows the lesson at the time the teacher meant, either side of a clock change.
      start: { dateTime: instantToSchoolTime(start, timeZone), timeZone },
      end: { dateTime: instantToSchoolTime(end, timeZone), timeZone },
      attendees: attendees.map((a) => ({ emailAddress: { address: a.address, name: a.name }, type: 'required' })),
      isOnlineMeeting: true,
      onlineMeetingProvider: 'teamsForBusiness',
      allowNewTimeProposals: false,
    } satisfies Graph.Event);
    const joinUrl = event.onlineMeeting?.joinUrl;
    if (!joinUrl) throw new Error('Graph created the event without a Teams meeting');
    const found = await this.graph.get<{ value: Array<Present<Graph.OnlineMeeting, 'id'> & Optional<Graph.OnlineMeeting, 'chatInfo'>> }>(
      `/users/${teacher.id}/onlineMeetings?$filter=${encodeURIComponent(`JoinWebUrl eq '${joinUrl}'`)}`,
    );
    const meeting = found.value[0];
    if (!meeting) throw new Error("the lesson's Teams meeting could not be found by its join link");
    const settings = lessonMeetingSettings(attendees, new Set(coTeachers.map((c) => c.id)));
    // organizationExcludingGuests is an evolvable enum member: Graph takes it only with this header
    // (lobbybypasssettings.md, "lobbyBypassScope values").
    await this.graph.patch(`/users/${teacher.id}/onlineMeetings/${meeting.id}`, settings, { Prefer: 'include-unknown-enum-members' });
    const chatId = meeting.chatInfo?.threadId ?? null;
    // In the meeting chat, the bot receives the meeting's start and end events and posts the
    // announcement; without it neither happens, and the teacher is told now, not at the lesson.
    const appInChat = chatId ? await this.joinChat(chatId) : false;

    const lesson: Lesson = {
      id: randomUUID(),
      submission_id: input.submissionId,
      teacher_id: teacher.id,
      class_id: cls.id,
      class_name: cls.displayName,
      title: input.title,
      starts_at: start.toISOString(),
      ends_at: end.toISOString(),
      event_id: event.id,
      online_meeting_id: meeting.id,
      join_url: joinUrl,
      chat_id: chatId,
      app_in_chat: appInChat ? 1 : 0,
      created_at: now.toISOString(),
      started_at: null,
      announced_at: null,
      ended_at: null,
      recording_checked_at: null,
      recording_found: null,
    };
    try {
      await this.db.insertInto('lesson').values(lesson).execute();
    } catch (e) {
      // Another instance created it from the same form at the same moment: keep theirs, drop ours.
      const winner = await this.db.selectFrom('lesson').selectAll().where('submission_id', '=', input.submissionId).executeTakeFirst();
      if (!winner) throw e;
      await this.graph.post(`/users/${teacher.id}/events/${event.id}/cancel`, { comment: 'Created twice' }).catch(() => undefined);
      return { lesson: winner, created: false, postedToClass: true };
    }
    await this.audit.append({
      actorId: teacher.id,
      action: 'lesson.created',
      subjectType: 'lesson',
      subjectId: lesson.id,
      detail: { classId: cls.id, attendees: attendees.length, coTeachers: coTeachers.length, appInChat, settings: { ...settings, participants: undefined } },
    });
    const posted = this.notifier.postTo
      ? await this.notifier
          .postTo(
            `team:${cls.id}`,
            lessonJoinCard({ title: lesson.title, starts: this.when(lesson.starts_at), teacher: teacher.displayName, joinUrl }),
            `Lesson: ${lesson.title}`,
          )
          .catch(() => 'no-conversation' as const)
      : 'no-conversation';
    return { lesson, created: true, postedToClass: posted === 'sent', ...(appInChat ? {} : { warning: NO_CHAT_WARNING }) };
  }

  /** The school's time zone: what teachers type and read lesson times in. */
  get timeZone(): string {
    return this.config.school.timeZone;
  }

  /** A lesson time as the school reads it (its own time zone). */
  when(iso: string): string {
    return showSchoolTime(iso, this.config.school.timeZone);
  }

  private async joinChat(chatId: string): Promise<boolean> {
    if (!this.installer?.installInChat) {
      this.logger.warn('lessons: no Teams app catalogue id (TEAMS_APP_CATALOG_ID), so the app cannot join lesson chats');
      return false;
    }
    try {
      const outcome = await this.installer.installInChat(chatId);
      if (outcome === 'not-allowed') this.logger.warn({ chatId }, 'lessons: Graph refused to add the app to the lesson chat');
      return outcome !== 'not-allowed';
    } catch (e) {
      this.logger.warn({ err: e }, 'lessons: could not add the app to the lesson chat');
      return false;
    }
  }

  /** A teacher's lessons, soonest first, each with whether its recording was found. */
  async lessonsOf(teacher: Person): Promise<{ upcoming: Lesson[]; past: Lesson[] }> {
    const rows = await this.db.selectFrom('lesson').selectAll().where('teacher_id', '=', teacher.id).orderBy('starts_at', 'desc').limit(200).execute();
    const now = this.now().toISOString();
    return { upcoming: rows.filter((l) => l.ends_at > now && !l.ended_at).reverse(), past: rows.filter((l) => l.ends_at <= now || !!l.ended_at) };
  }

  /**
   * Teams says a meeting started (meetingStart event in its chat). A lesson gets the lesson
   * announcement; any other meeting the bot is in gets the reminder to announce a recording. The
   * announcement is recorded for the audit.
   */
  async meetingStarted(meeting: { chatId?: string; joinUrl?: string }): Promise<{ heading: string; text: string; lessonId?: string }> {
    const lesson = await this.lessonFor(meeting);
    const at = this.now().toISOString();
    if (lesson) {
      await this.db
        .updateTable('lesson')
        .set({ started_at: lesson.started_at ?? at, announced_at: lesson.announced_at ?? at })
        .where('id', '=', lesson.id)
        .execute();
      await this.audit.append({
        actorId: null,
        action: 'lesson.recording-announced',
        subjectType: 'lesson',
        subjectId: lesson.id,
        detail: { how: 'meeting-start' },
      });
      return { heading: 'This lesson is recorded', text: this.config.lessons.announcement, lessonId: lesson.id };
    }
    await this.audit.append({
      actorId: null,
      action: 'meeting.recording-reminder',
      subjectType: 'meeting',
      subjectId: meeting.chatId ?? meeting.joinUrl ?? null,
    });
    return { heading: 'Recording must be announced', text: this.config.lessons.meetingAnnouncement };
  }

  /** Teams says a meeting ended: its recording is checked after the configured wait. */
  async meetingEnded(meeting: { chatId?: string; joinUrl?: string }): Promise<void> {
    const lesson = await this.lessonFor(meeting);
    if (lesson && !lesson.ended_at) await this.db.updateTable('lesson').set({ ended_at: this.now().toISOString() }).where('id', '=', lesson.id).execute();
  }

  /**
   * Every minute, on one instance: announce lessons whose start event never came (posted at the
   * scheduled start), and check for the recording of lessons that ended.
   */
  async tick(): Promise<{ announced: number; checked: number; missing: number }> {
    const now = this.now();
    const out = { announced: 0, checked: 0, missing: 0 };
    const due = await this.db
      .selectFrom('lesson')
      .selectAll()
      .where('announced_at', 'is', null)
      .where('chat_id', 'is not', null)
      .where('starts_at', '<=', now.toISOString())
      .where('ends_at', '>', now.toISOString())
      .execute();
    for (const l of due) {
      if (!this.notifier.postTo) break;
      const sent = await this.notifier
        .postTo(
          l.chat_id!,
          recordingAnnouncementCard({ heading: 'This lesson is recorded', text: this.config.lessons.announcement }),
          'This lesson is recorded',
        )
        .catch(() => 'no-conversation' as const);
      if (sent !== 'sent') continue;
      await this.db.updateTable('lesson').set({ announced_at: now.toISOString() }).where('id', '=', l.id).execute();
      await this.audit.append({
        actorId: null,
        action: 'lesson.recording-announced',
        subjectType: 'lesson',
        subjectId: l.id,
        detail: { how: 'scheduled-start' },
      });
      out.announced += 1;
    }

    const waitMs = this.config.lessons.recordingCheckMinutes * 60_000;
    const ended = await this.db
      .selectFrom('lesson')
      .selectAll()
      .where('recording_checked_at', 'is', null)
      .where('starts_at', '<=', now.toISOString())
      .execute();
    for (const l of ended) {
      const endedAt = Date.parse(l.ended_at ?? l.ends_at);
      if (now.getTime() < endedAt + waitMs) continue;
      const recordings = await this.graph.all<{ id: string }>(`/users/${l.teacher_id}/onlineMeetings/${l.online_meeting_id}/recordings`);
      const found = recordings.length > 0;
      await this.db
        .updateTable('lesson')
        .set({ recording_checked_at: now.toISOString(), recording_found: found ? 1 : 0 })
        .where('id', '=', l.id)
        .execute();
      out.checked += 1;
      if (found) continue;
      out.missing += 1;
      await this.audit.append({ actorId: null, action: 'lesson.no-recording', subjectType: 'lesson', subjectId: l.id });
      const card = noRecordingCard({ title: l.title, className: l.class_name, starts: this.when(l.starts_at) });
      const admins = [...((await this.directory.groupMembers('admins')) ?? [])];
      for (const to of new Set([l.teacher_id, ...admins]))
        await this.notifier
          .sendToPerson(to, card, `No recording of ${l.title}`)
          .catch((e) => this.logger.warn({ err: e }, 'could not send the missing-recording card'));
    }
    return out;
  }

  private async lessonFor(meeting: { chatId?: string; joinUrl?: string }): Promise<Lesson | undefined> {
    if (meeting.joinUrl) {
      const byUrl = await this.db.selectFrom('lesson').selectAll().where('join_url', '=', meeting.joinUrl).executeTakeFirst();
      if (byUrl) return byUrl;
    }
    if (meeting.chatId) return this.db.selectFrom('lesson').selectAll().where('chat_id', '=', meeting.chatId).executeTakeFirst();
    return undefined;
  }
}
