import type { Server } from 'restify';
import type { Lesson as LessonRow, LessonService } from '../lessons/lesson-service';
import type { MeetingWatch } from '../lessons/meeting-watch';
import type { Logger } from 'pino';
import { startLessonRequest, type Lesson, type LessonClass, type LessonsResponse, type StartLessonResponse } from '../contract';
import type { RouteKit } from './create-server';
import { parseRequest } from './http-errors';

/** The stored lesson in the contract's words: the meeting's and chat's ids stay on the server. */
const lessonOf = (l: LessonRow): Lesson => ({
  id: l.id,
  title: l.title,
  className: l.class_name,
  startsAt: l.starts_at,
  endsAt: l.ends_at,
  joinUrl: l.join_url,
  announcedAt: l.announced_at,
  endedAt: l.ended_at,
  recordingCheckedAt: l.recording_checked_at,
  recordingFound: l.recording_found === null ? null : l.recording_found === 1,
});

/** The teacher's lessons page. */
export function lessonRoutes(lessons: LessonService) {
  return (server: Server, { route }: RouteKit) => {
    server.get(
      '/api/lessons/classes',
      route(['teacher'], async (_req, { person }): Promise<{ classes: LessonClass[] }> => ({ classes: await lessons.classesOf(person) })),
    );
    // The school's time zone comes with the lessons: the tab shows every time in it.
    server.get(
      '/api/lessons',
      route(['teacher'], async (_req, { person }): Promise<LessonsResponse> => {
        const { upcoming, past } = await lessons.lessonsOf(person);
        return { upcoming: upcoming.map(lessonOf), past: past.map(lessonOf), timeZone: lessons.timeZone };
      }),
    );
    server.post(
      '/api/lessons',
      route(['teacher'], async (req, { person }): Promise<StartLessonResponse> => {
        const { lesson, created, postedToClass, warning } = await lessons.start(parseRequest(startLessonRequest, req.body, 'invalid-lesson'), person);
        return { lesson: lessonOf(lesson), created, postedToClass, ...(warning ? { warning } : {}) };
      }),
    );
  };
}

/**
 * Graph change notifications for staff calendars. Not signed in: Graph proves itself with the
 * subscription's secret (clientState), checked per item; the validation handshake echoes the token.
 * Graph wants the answer within 3 seconds (change-notifications-delivery-webhooks.md): the
 * notifications are stored and answered 202; acting on them happens after the answer.
 */
export function graphWebhook(watch: MeetingWatch, logger: Logger) {
  return (server: Server) => {
    server.post('/api/graph/notifications', async (req, res) => {
      const token = (req.query as Record<string, string> | undefined)?.validationToken;
      if (token !== undefined) {
        res.setHeader('content-type', 'text/plain');
        res.sendRaw(200, String(token).slice(0, 1024));
        return;
      }
      try {
        const { accepted, refused } = await watch.receive(req.body);
        res.send(
          accepted === 0 && refused > 0 ? 403 : 202,
          accepted === 0 && refused > 0 ? { error: { code: 'forbidden', message: 'unknown subscription or wrong clientState' } } : {},
        );
        if (accepted) void watch.drain().catch((e: unknown) => logger.error({ err: e }, 'change notifications not processed'));
      } catch (e) {
        logger.error({ err: e }, 'change notification failed');
        res.send(500, { error: { code: 'internal', message: 'could not process the notification' } });
      }
    });
  };
}
