import type { Server } from 'restify';
import { InvalidLesson, LessonRefused, LessonsNotPermitted, NotATeacher, type LessonService } from '../lessons/lesson-service';
import type { MeetingWatch } from '../lessons/meeting-watch';
import type { Logger } from 'pino';
import { HttpError, type RouteKit } from './create-server';

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof InvalidLesson) throw new HttpError(400, 'invalid-lesson', e.message);
    if (e instanceof LessonRefused) throw new HttpError(422, 'refused-by-policy', e.message);
    if (e instanceof NotATeacher) throw new HttpError(403, 'forbidden', e.message);
    if (e instanceof LessonsNotPermitted) throw new HttpError(503, 'not-available', e.message);
    throw e;
  }
}

/** The teacher's lessons page. */
export function lessonRoutes(lessons: LessonService) {
  return (server: Server, { route }: RouteKit) => {
    server.get('/api/lessons/classes', route(['teacher'], async (_req, { person }) => guarded(async () => ({ classes: await lessons.classesOf(person) }))));
    // The school's time zone comes with the lessons: the tab shows every time in it.
    server.get('/api/lessons', route(['teacher'], async (_req, { person }) => guarded(async () => ({ ...(await lessons.lessonsOf(person)), timeZone: lessons.timeZone }))));
    server.post(
      '/api/lessons',
      route(['teacher'], async (req, { person }) =>
        guarded(async () => {
          const { lesson, created, postedToClass, warning } = await lessons.start(req.body ?? {}, person);
          return { lesson, created, postedToClass, ...(warning ? { warning } : {}) };
        }),
      ),
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
        res.send(accepted === 0 && refused > 0 ? 403 : 202, accepted === 0 && refused > 0 ? { error: { code: 'forbidden', message: 'unknown subscription or wrong clientState' } } : {});
        if (accepted) void watch.drain().catch((e: unknown) => logger.error({ err: e }, 'change notifications not processed'));
      } catch (e) {
        logger.error({ err: e }, 'change notification failed');
        res.send(500, { error: { code: 'internal', message: 'could not process the notification' } });
      }
    });
  };
}

